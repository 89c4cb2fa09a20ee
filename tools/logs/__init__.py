"""Deterministic log triage: header formats, record streaming, masking, Drain3 template mining.

No LLM and no service code: `triage(path)` reads a log (plain or compressed, or pasted text) in
constant memory, splits header fields from messages, masks variables, mines templates with Drain3
plus constant recovery, and returns templates with counts, levels, examples and trends.

    from pathlib import Path
    from tools.logs import LogMiner, MinerState, triage

    result = triage(Path("app.log.gz"), on_progress=print)
    for t in result.templates[:10]:
        print(t.count, t.id, t.text)
    saved = result.miner.export_state().to_bytes()      # store per tenant and source
    later = triage(Path("next.log"), miner=LogMiner.from_state(MinerState.from_bytes(saved)))
"""

from ._config import MaskRuleSpec, MinerConfig
from ._errors import (
    BinaryInputError,
    CorruptInputError,
    FormatSyntaxError,
    LogError,
    LogFormatError,
    LogReadError,
    MinerStateError,
    TruncatedInputError,
    UnknownFormatError,
)
from ._fields import LEVELS, level_from_text, normalize_level, parse_timestamp
from ._formats import FALLBACK_TIMEOUT, JsonLinesFormat, LogFormat, RawFormat, RegexFormat
from ._formatstring import compile_format, format_regex
from ._io import DEFAULT_MAX_LINE_BYTES, Line, TextLines
from ._masking import DEFAULT_RULES, Masker, MaskRule
from ._miner import OVERFLOW_ID, Assignment, LogMiner
from ._presets import DETECTION_ORDER, LOGHUB_FORMATS, PRESETS, Detection, detect_format, get_format
from ._records import LogRecord, RecordReader, read_records
from ._state import MinerState
from ._template import Sighting, Template
from ._triage import Progress, TriageResult, triage

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "DEFAULT_RULES",
    "DETECTION_ORDER",
    "FALLBACK_TIMEOUT",
    "LEVELS",
    "LOGHUB_FORMATS",
    "OVERFLOW_ID",
    "PRESETS",
    "Assignment",
    "BinaryInputError",
    "CorruptInputError",
    "Detection",
    "FormatSyntaxError",
    "JsonLinesFormat",
    "Line",
    "LogError",
    "LogFormat",
    "LogFormatError",
    "LogMiner",
    "LogReadError",
    "LogRecord",
    "MaskRule",
    "MaskRuleSpec",
    "Masker",
    "MinerConfig",
    "MinerState",
    "MinerStateError",
    "Progress",
    "RawFormat",
    "RecordReader",
    "RegexFormat",
    "Sighting",
    "Template",
    "TextLines",
    "TriageResult",
    "TruncatedInputError",
    "UnknownFormatError",
    "compile_format",
    "detect_format",
    "format_regex",
    "get_format",
    "level_from_text",
    "normalize_level",
    "parse_timestamp",
    "read_records",
    "triage",
]
