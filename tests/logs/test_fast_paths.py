"""The throughput shortcuts give exactly what the plain paths give: header splitters against their
regexes, the block reader against line-by-line reading, the miner's shape memo against no memo,
`triage` without `on_record` against `triage` with it."""

from __future__ import annotations

import gzip
import random
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.logs.conftest import sample_lines
from tools.logs import LOGHUB_FORMATS, PRESETS, LogMiner, MinerConfig, TextLines, compile_format, triage
from tools.logs._fields import TimestampParser
from tools.logs._formats import RegexFormat, _fields
from tools.logs._formatstring import format_regex
from tools.logs._splitter import exact_splitter, token_splitter

_NAMES = ["hdfs", "openssh", "healthapp", "hadoop", "spark", "bgl", "linux", "apache"]
_NOISE = [
    " ",
    "  ",
    "\t",
    "\u00a0",
    "\u3000",
    ":",
    "[",
    "]",
    "|",
    "]:",
    "[1]",
    "[]:",
    "\n",
    "\r",
    "x",
    "",
    ": ",
]


def _mutants(lines: list[str], count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = list(lines)
    for _ in range(count):
        chars = list(rng.choice(lines))
        for _ in range(rng.randrange(1, 5)):
            at = rng.randrange(len(chars) + 1)
            if rng.random() < 0.6:
                chars.insert(at, rng.choice(_NOISE))
            elif chars:
                del chars[min(at, len(chars) - 1)]
        out.append("".join(chars))
    return out


def _all_samples() -> list[str]:
    return [line for name in _NAMES for line in sample_lines(name)]


def test_str_split_and_regex_agree_on_whitespace() -> None:
    """The splitters read `\\s`/`\\S` as `str.split()` does: the same characters are whitespace."""
    space = re.compile(r"\s")
    assert all(chr(c).isspace() == bool(space.match(chr(c))) for c in range(0x110000))


@pytest.mark.parametrize("name", _NAMES)
def test_preset_splitters_give_their_regexes_fields(name: str) -> None:
    fmt = PRESETS[name]
    assert isinstance(fmt, RegexFormat)
    assert fmt.splitter is not None or fmt.fallback_splitter is not None
    lines = _mutants(_all_samples(), 4000)
    hits = 0
    for line in lines:
        if fmt.splitter is not None:
            got = fmt.splitter(line)
            match = fmt.patterns[0].match(line)
            if got is False:
                assert match is None, line
            elif got is not None:
                hits += 1
                assert match is not None and list(got.items()) == list(_fields(match).items()), line
        if fmt.fallback_splitter is not None:
            got = fmt.fallback_splitter(line)
            if got:
                hits += 1
                match = fmt.fallback[0].plain.match(line)
                assert match is not None and list(got.items()) == list(_fields(match).items()), line
    assert hits >= len(sample_lines(name))  # its own sample lines go the fast way


@pytest.mark.parametrize(
    "spec",
    [
        "<A> - <B> <Content>",
        r"\[<T>\] <L>: <Content>",
        "<A> <B>::<C>::<Content>",
        "<Content>",
        "<A>,<Content>",
        r"<A>\s+\[<B>\]<Content>",
        r"<A> <B>(\[<C>\])?: <Content>",
        r"<A>(ab<C>ba)?ab <Content>",
        "x <A> y <Content>",
        " <A> <Content>",
    ],
)
def test_splitters_of_user_formats_give_their_regexes_fields(spec: str) -> None:
    rng = random.Random(spec)
    alphabet = [
        "a",
        "b",
        " ",
        ":",
        "|",
        "-",
        ",",
        "x",
        "y",
        "[",
        "]",
        "\t",
        "::",
        " [",
        "] ",
        "ab",
        "ba",
        "1",
    ]
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(14))) for _ in range(20_000)]
    token, exact = token_splitter(spec), exact_splitter(spec)
    assert token is not None or exact is not None
    fast = re.compile(format_regex(spec, token_fields=True))
    slow = re.compile(format_regex(spec))
    for line in lines:
        if token is not None:
            got, match = token(line), fast.match(line)
            if got is False:
                assert match is None, line
            elif got is not None:
                assert match is not None and got == _fields(match), line
        if exact is not None and (got := exact(line)):
            match = slow.match(line)
            assert match is not None and got == _fields(match), line


def test_formats_outside_the_simple_kind_get_no_splitter() -> None:
    assert token_splitter("<A><B> <Content>") is None  # two fields with nothing between
    assert token_splitter("<A> <Content> x") is None  # Content not last
    assert token_splitter(r"<A>.<B> <Content>") is None  # regex syntax in the literal text
    assert token_splitter(r"<A>:<B>|<C> <Content>") is None  # two fields in one header word
    assert compile_format(r"<Date> <Time> \[<Level>\] <Content>").splitter is not None


def _readline_lines(data: bytes, limit: int) -> list[tuple[int, str, bool]]:
    """The reference: what reading line by line with `readline(limit + 1)` gives."""
    out, number = [], 0
    for piece in re.split(b"(?<=\n)", data):
        if not piece:
            continue
        body = piece[:-1] if piece.endswith(b"\n") else piece
        truncated = len(body) > limit
        text = body[:limit].decode("utf-8", "replace").rstrip("\r\n")
        if number == 0:
            text = text.removeprefix("\ufeff")
        number += 1
        out.append((number, text, truncated))
    return out


@pytest.mark.parametrize("compressed", [False, True])
def test_block_reader_reads_like_readline(tmp_path: Path, compressed: bool) -> None:
    rng = random.Random(11)
    pieces = [b"a", b" ", b"\n", b"\r\n", b"\xe2\x82\xac", b"\xe2\x82", b"\xff", b"\xc3", b"x" * 40]
    path = tmp_path / "mixed.log"
    for trial in range(40):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(2000)))
        if trial % 5 == 0:
            data = b"\xef\xbb\xbf" + data + b"q" * rng.randrange(1 << 19) + b"\nend"
        limit = rng.choice([1, 7, 100, 4096, 65536])
        path.write_bytes(gzip.compress(data) if compressed else data)
        lines = TextLines(path, max_line_bytes=limit)
        assert [tuple(line) for line in lines] == _readline_lines(data, limit)
        assert lines.truncated_lines == sum(1 for *_, cut in _readline_lines(data, limit) if cut)


def _summary(miner: LogMiner, assignments: list[object]) -> tuple[object, ...]:
    templates = [(t.id, t.text, t.count, t.levels, t.examples) for t in miner.templates()]
    return templates, [miner.resolve(a) for a in assignments]  # type: ignore[arg-type]


@pytest.mark.parametrize("cache_size", [100_000, 7])
def test_memo_gives_the_same_templates_and_assignments(cache_size: int) -> None:
    """The shape memo only skips work: template ids, counts and each line's template are the same
    with it and without it (also when the caches are cleared all the time)."""
    for name in ["hdfs", "openssh", "healthapp", "linux", "hadoop", "bgl"]:
        lines = sample_lines(name) * 3
        results = []
        for memo in (True, False):
            miner = LogMiner(MinerConfig(cache_size=cache_size))
            if not memo:
                miner._memo_size = 0
            assignments: list[object] = []
            triage(lines, log_format=name, miner=miner, on_record=lambda _, a, out=assignments: out.append(a))
            assert bool(miner._memo) == memo
            results.append(_summary(miner, assignments))
        assert results[0] == results[1], name


def test_triage_gives_the_same_result_with_and_without_records(tmp_path: Path) -> None:
    for name in ["hdfs", "openssh", "healthapp", "linux", "hadoop", "apache"]:
        path = tmp_path / f"{name}.log"
        path.write_text("\n".join(sample_lines(name) * 2) + "\n")
        plain = triage(path, log_format=name)
        with_records = triage(path, log_format=name, on_record=lambda *_: None)
        assert plain.to_dict() == with_records.to_dict(), name
        assert [t.to_dict() for t in plain.templates] == [t.to_dict() for t in with_records.templates]


def test_timestamp_epochs_match_the_calendar() -> None:
    parser = TimestampParser(("%Y-%m-%d %H:%M:%S",))
    for stamp in ["1970-01-01 00:00:00", "2000-02-29 23:59:59", "2024-03-01 12:34:56", "1969-12-31 23:59:59"]:
        parsed = parser.parse(stamp)
        expected = datetime.fromisoformat(stamp + "+00:00")
        assert parsed is not None and parsed == (expected.replace(tzinfo=None), int(expected.timestamp()))
    epoch = TimestampParser(("epoch",)).parse("1117838570")
    assert epoch is not None and epoch[1] == 1117838570 and epoch[0] == datetime(2005, 6, 3, 22, 42, 50)


def test_every_loghub_format_has_a_splitter() -> None:
    for name in LOGHUB_FORMATS:
        fmt = PRESETS[name]
        assert isinstance(fmt, RegexFormat) and (fmt.splitter or fmt.fallback_splitter), name
