"""Loghub-style format strings (`<Date> <Time> <Level> <Component>: <Content>`) compiled to regexes.

Exactly like the Loghub benchmark's `generate_logformat_regex`: `<X>` becomes `(?P<X>.*?)`, runs of
spaces become `\\s+`, the text between fields is taken as regex text, and the whole is anchored. A
trailing `<Content>` is made greedy (`.*`), which matches the same lines because of the final `$`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._errors import FormatSyntaxError
from ._formats import RegexFormat, compile_regex, regex_format
from ._splitter import exact_splitter, token_splitter

__all__ = ["compile_format", "format_regex", "token_fields_apply"]

_FIELD = re.compile(r"(<[^<>]+>)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# text between fields made only of literal characters, escaped punctuation and whitespace runs
_SIMPLE = re.compile(r"(?:\\[^A-Za-z0-9]|\\s\+|[^.^$*+?{}\[\]()|\\])+\Z")


def format_regex(log_format: str, *, token_fields: bool = False) -> str:
    """The regex text of a Loghub-style `<Field>` format string (see module docstring).

    `token_fields=True` gives a faster variant whose fields (except `Content`) are single
    whitespace-free tokens (`\\S+?`). Where it matches, it splits a line as the exact variant would
    (each lazy field stops at the first place the rest can follow, which is then the end of a
    token); the presets try it first and fall back to the exact regex.
    """
    parts = _FIELD.split(log_format)
    names: list[str] = []
    regex = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex += re.sub(" +", r"\\s+", part)
            continue
        name = part[1:-1].strip()
        if not _NAME.match(name):
            raise FormatSyntaxError(f"invalid field name <{name}> in format {log_format!r}")
        if name in names:
            raise FormatSyntaxError(f"field <{name}> appears twice in format {log_format!r}")
        names.append(name)
        last = index == len(parts) - 2 and parts[-1] == ""
        if name == "Content" and last:
            regex += f"(?P<{name}>.*)"
        else:
            regex += f"(?P<{name}>\\S+?)" if token_fields and name != "Content" else f"(?P<{name}>.*?)"
    if "Content" not in names:
        raise FormatSyntaxError(f"format {log_format!r} has no <Content> field")
    return "^" + regex + "$"


def token_fields_apply(log_format: str) -> bool:
    """Whether the token-field variant of `log_format` splits lines like the exact one (fields are
    separated by simple literal text, `Content` comes last)."""
    parts = _FIELD.split(log_format)
    between = [re.sub(" +", r"\\s+", p) for p in parts[2:-1:2]]
    return parts[-2:] == ["<Content>", ""] and all(_SIMPLE.match(p) for p in between)


def compile_format(
    log_format: str,
    *,
    name: str = "custom",
    timestamp_fields: Sequence[str] | None = None,
    timestamp_formats: Sequence[str] = (),
) -> RegexFormat:
    """Compile a user-given Loghub-style format string such as `<Date> <Time> <Level>: <Content>`.

    As in Loghub, the text between fields is regex: write `\\[<Level>\\]` for literal brackets and
    `\\|` for a literal bar.

    Timestamp fields default to whichever of `Timestamp`, `Date`+`Time`, `Month`+`Date`+`Time` the
    format has; the timestamp is then parsed best effort (see `tools.logs.parse_timestamp`).
    """
    if not isinstance(log_format, str) or not log_format.strip():
        raise FormatSyntaxError("a log format must be a non-empty string")
    exact = format_regex(log_format)
    fields = tuple(compile_regex(exact, log_format).groupindex)
    if timestamp_fields is None:
        timestamp_fields = _guess_timestamp_fields(fields)
    simple = token_fields_apply(log_format)
    fast = [format_regex(log_format, token_fields=True)] if simple else []
    return regex_format(
        name,
        fast,
        fallback=[exact],
        polynomial=simple,
        timestamp_fields=timestamp_fields,
        timestamp_formats=timestamp_formats,
        source=log_format,
        splitter=token_splitter(log_format) if simple else None,
        fallback_splitter=exact_splitter(log_format),
    )


def _guess_timestamp_fields(fields: Sequence[str]) -> tuple[str, ...]:
    lower = {f.lower(): f for f in fields}
    for combo in (("month", "date", "time"), ("month", "day", "time"), ("date", "time")):
        if all(c in lower for c in combo):
            return tuple(lower[c] for c in combo)
    for single in ("timestamp", "datetime", "time", "date"):
        if single in lower:
            return (lower[single],)
    return ()
