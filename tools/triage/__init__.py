"""The log analyst: ingestion from files, pasted text, allow-listed server paths and Log Analytics
(KQL), per-tenant categories with suggestions and corrections, offline and LLM classification,
plain-language rewrites, redaction and injection flags, persisted triage jobs, and the ``logs``
plugin. The deterministic engine underneath is `tools.logs`.

    triager = Triager(store, LogsConfig())                       # offline; pass llm=LlmBackend(...) for LLM mode
    outcome = await triager.run("contoso", FileSource(path), source_key="payments")
    outcome.result["templates"][0]            # id, text, count, level, category, rewrite, examples (redacted)...

Errors derive from `TriageError`, each with the HTTP status to answer (tree in `_errors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._cache import TemplateNotes, template_hash
from ._categories import DEFAULT_CATEGORIES, CategoryBook, fingerprint
from ._classifier import OfflineClassifier, Proposal, Verdict, propose
from ._config import LogsConfig
from ._console import render_triage, triage_progress
from ._errors import (
    CategoryConflict,
    CategoryError,
    CategoryNotFound,
    InputRejected,
    LeaseLost,
    LogAnalyticsError,
    PathNotAllowed,
    SourceError,
    SourceNotConfigured,
    SourceNotFound,
    TemplateNotFound,
    TriageError,
    TriageNotFound,
    UploadRejected,
    UploadTooLarge,
)
from ._jobs import JOB_TYPE, TriageJobs
from ._knowledge import FAMILIES, Family, find_family
from ._llm import LlmClassifier, LlmItem, LlmUsage
from ._pipeline import LlmBackend, TriageOutcome, Triager
from ._records import Category, Correction, TemplateNote, TriageRecords
from ._review import Review
from ._rewrite import rewrite_offline
from ._sources import FileSource, KqlSource, LogSource, PathSource, TextSource, rows_to_lines
from ._state import MinerStates, check_source
from ._upload import check_upload_name, probe_log, receive_log
from ._views import reveal

if TYPE_CHECKING:
    from ._plugin import LogsPlugin, choose_label

_LAZY = {"LogsPlugin", "choose_label"}  # semantic_kernel is slow to import: only the agents need it

__all__ = [
    "DEFAULT_CATEGORIES",
    "FAMILIES",
    "JOB_TYPE",
    "Category",
    "CategoryBook",
    "CategoryConflict",
    "CategoryError",
    "CategoryNotFound",
    "Correction",
    "Family",
    "FileSource",
    "InputRejected",
    "KqlSource",
    "LeaseLost",
    "LlmBackend",
    "LlmClassifier",
    "LlmItem",
    "LlmUsage",
    "LogAnalyticsError",
    "LogSource",
    "LogsConfig",
    "LogsPlugin",
    "MinerStates",
    "OfflineClassifier",
    "PathNotAllowed",
    "PathSource",
    "Proposal",
    "Review",
    "SourceError",
    "SourceNotConfigured",
    "SourceNotFound",
    "TemplateNotFound",
    "TemplateNote",
    "TemplateNotes",
    "TextSource",
    "TriageError",
    "TriageJobs",
    "TriageNotFound",
    "TriageOutcome",
    "TriageRecords",
    "Triager",
    "UploadRejected",
    "UploadTooLarge",
    "Verdict",
    "check_source",
    "check_upload_name",
    "choose_label",
    "find_family",
    "fingerprint",
    "probe_log",
    "propose",
    "receive_log",
    "render_triage",
    "reveal",
    "rewrite_offline",
    "rows_to_lines",
    "template_hash",
    "triage_progress",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import _plugin

        return getattr(_plugin, name)
    raise AttributeError(f"module 'tools.triage' has no attribute {name!r}")
