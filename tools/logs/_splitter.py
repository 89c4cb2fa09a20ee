"""Header splitting without the regex engine: a format's token-field regex as `str.split` calls.

The token-field regex of a Loghub-style format (`format_regex(fmt, token_fields=True)`) reads a
line word by word: `<Date> <Time> \\[<Process>\\] <Component>: <Content>` becomes
`^(?P<Date>\\S+?)\\s+(?P<Time>\\S+?)\\s+\\[(?P<Process>\\S+?)\\]\\s+(?P<Component>\\S+?):\\s+(?P<Content>.*)$`.
Every header word (fields and literal text between two whitespace separators) can only match one
whole whitespace-separated token of the line: its fields cannot hold whitespace and its literals
have none, and `\\s+` takes a whole run. So the fields are the first tokens of `line.split(None, n)`
with the word's literal prefix and suffix cut off, and `Content` is the rest of the line. The last
word may hold fields before `Content` (`<Time>|<Component>|<Pid>|<Content>`); each lazy field then
ends at the first occurrence of the literal after it, which `str.find` gives.

`token_splitter` returns None for formats it cannot read this way (optional groups, two fields
without a literal between them, ...), and the splitter returns None wherever it is not certain
(a word that does not fit, an empty field, whitespace inside a field of the last word, a newline):
the regexes then decide as before. Where it returns fields they are the regex's, in its order.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["NO_MATCH", "exact_splitter", "token_splitter"]

_FIELD = re.compile(r"(<[^<>]+>)")
_PIECE = re.compile(r"\\s\+| +|\\(.)|(.)", re.DOTALL)
_META = frozenset(".^$*+?{}[]()|\\")
_WS = None  # marks a whitespace separator among a format's pieces

#: What a splitter returns when it is certain that its regex does not match the line.
NO_MATCH: dict[str, str] = {}

Splitter = Callable[[str], dict[str, str] | None]


def _pieces(log_format: str) -> list[tuple[str, str] | None] | None:
    """The format as ("lit", text) / ("field", name) / `_WS` pieces; None when it is not simple."""
    out: list[tuple[str, str] | None] = []
    for index, part in enumerate(_FIELD.split(log_format)):
        if index % 2:
            out.append(("field", part[1:-1].strip()))
            continue
        for match in _PIECE.finditer(part):
            escaped, plain = match.group(1), match.group(2)
            char = escaped if escaped is not None else plain
            if char is None:
                if out and out[-1] is _WS:  # `\s+\s+` needs two whitespace characters
                    return None
                out.append(_WS)
            elif char.isspace() or (plain is not None and plain in _META) or (escaped and escaped.isalnum()):
                return None
            elif out and out[-1] is not _WS and out[-1][0] == "lit":
                out[-1] = ("lit", out[-1][1] + char)
            else:
                out.append(("lit", char))
    return out


def _words(pieces: list[tuple[str, str] | None]) -> list[list[tuple[str, str]]] | None:
    words: list[list[tuple[str, str]]] = [[]]
    for piece in pieces:
        if piece is _WS:
            if not words[-1]:  # leading whitespace
                return None
            words.append([])
        else:
            words[-1].append(piece)
    for word in words:
        if any(a[0] == b[0] == "field" for a, b in zip(word, word[1:], strict=False)):
            return None  # two fields with nothing between them: the split is not unique
    return words


def token_splitter(log_format: str) -> Splitter | None:
    """A function giving the token-field regex's fields of a line (None where unsure), or None when
    `log_format` is not of the simple kind this reads (see the module docstring)."""
    pieces = _pieces(log_format)
    words = _words(pieces) if pieces else None
    if not words or words[-1][-1:] != [("field", "Content")]:
        return None
    header, last = words[:-1], words[-1][:-1]
    n = len(header)
    names: list[str] = []
    trims: list[tuple[int, str, str, int, int]] = []  # token index, prefix, suffix, their lengths
    literals: list[tuple[int, str]] = []  # words without a field: the token must equal the text
    for index, word in enumerate(header):
        fields = [p for p in word if p[0] == "field"]
        if not fields:
            literals.append((index, "".join(p[1] for p in word)))
            continue
        if len(fields) > 1:
            return None
        at = word.index(fields[0])
        prefix, suffix = "".join(p[1] for p in word[:at]), "".join(p[1] for p in word[at + 1 :])
        names.append(fields[0][1])
        if prefix or suffix:
            trims.append((index - len(literals), prefix, suffix, len(prefix), len(suffix)))
    lead = ""
    if last and last[0][0] == "lit":
        lead, last = last[0][1], last[1:]
    tail: list[str] = []  # the literal after each field of the last word
    for field, literal in zip(last[::2], last[1::2], strict=False):
        if field[0] != "field" or literal[0] != "lit":
            return None
        names.append(field[1])
        tail.append(literal[1])
    if len(last) != 2 * len(tail):
        return None
    names.append("Content")
    if len(set(names)) != len(names):
        return None
    literal_rows = sorted(literals, reverse=True)

    def split(line: str) -> dict[str, str] | None:
        if not line or line[0].isspace() or "\n" in line:  # `^\S`; `.` stops at a newline
            return None
        tokens = line.split(None, n) if n else [line]
        if len(tokens) <= n:
            return None
        if literal_rows:
            for index, text in literal_rows:
                if tokens.pop(index) != text:
                    return NO_MATCH
        for index, prefix, suffix, lp, ls in trims:
            token = tokens[index]
            if len(token) <= lp + ls or not token.startswith(prefix) or not token.endswith(suffix):
                return NO_MATCH
            tokens[index] = token[lp : len(token) - ls]
        if lead or tail:
            rest = tokens.pop()
            if not rest.startswith(lead):
                return None
            pos = len(lead)
            for literal in tail:
                end = rest.find(literal, pos + 1)
                if end < 0:
                    return None
                tokens.append(rest[pos:end])
                pos = end + len(literal)
            if len(rest[:pos].split(None, 1)) > 1:  # a field of the last word holds whitespace
                return None
            tokens.append(rest[pos:])
        return dict(zip(names, tokens, strict=False))

    return split


def exact_splitter(log_format: str) -> Splitter | None:
    """A function giving the exact (`.*?` fields) regex's fields of a line, or None where unsure.

    Each lazy field ends where the text after it first matches (a leftmost search), taking the
    separator's whitespace greedily: the first path the regex engine tries. Where that path gets
    through to `Content`, it is the regex's match; where it does not, the splitter is unsure (the
    regex would backtrack). Linear time, so it also spares the regex's time limit."""
    pieces = _pieces(log_format)
    if not pieces or pieces[-1] != ("field", "Content"):
        return None
    lead: list[tuple[str, str] | None] = []
    fields: list[tuple[str, list[tuple[str, str] | None]]] = []
    for piece in pieces[:-1]:
        if piece is not _WS and piece[0] == "field":
            if fields and not fields[-1][1]:
                return None  # two fields with nothing between them
            fields.append((piece[1], []))
        else:
            (fields[-1][1] if fields else lead).append(piece)
    if fields and not fields[-1][1]:
        return None
    names = [name for name, _ in fields] + ["Content"]
    if len(set(names)) != len(names):
        return None
    start = re.compile(_regex(lead)) if lead else None
    seps: list[tuple[str | None, re.Pattern[str] | None]] = [
        (sep[0][1], None) if len(sep) == 1 and sep[0] is not _WS else (None, re.compile(_regex(sep)))
        for _, sep in fields
    ]

    def split(line: str) -> dict[str, str] | None:
        if "\n" in line:
            return None
        pos = 0
        if start is not None:
            match = start.match(line)
            if match is None:
                return None
            pos = match.end()
        values = []
        for literal, sep in seps:
            if literal is not None:
                end = line.find(literal, pos)
                if end < 0:
                    return None
                values.append(line[pos:end])
                pos = end + len(literal)
            else:
                found = sep.search(line, pos)  # type: ignore[union-attr]
                if found is None:
                    return None
                values.append(line[pos : found.start()])
                pos = found.end()
        values.append(line[pos:])
        return dict(zip(names, values, strict=False))

    return split


def _regex(pieces: list[tuple[str, str] | None]) -> str:
    return "".join(r"\s+" if p is _WS else re.escape(p[1]) for p in pieces)
