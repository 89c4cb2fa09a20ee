"""Header splitting without the regex engine: a format's token-field regex as `str.split` calls.

The token-field regex of a Loghub-style format (`format_regex(fmt, token_fields=True)`) reads a
line word by word: `<Date> <Time> \\[<Process>\\] <Component>: <Content>` becomes
`^(?P<Date>\\S+?)\\s+(?P<Time>\\S+?)\\s+\\[(?P<Process>\\S+?)\\]\\s+(?P<Component>\\S+?):\\s+(?P<Content>.*)$`.
Every header word (fields and literal text between two whitespace separators) can only match one
whole whitespace-separated token of the line: its fields cannot hold whitespace and its literals
have none, and `\\s+` takes a whole run. So the fields are the first tokens of `line.split(None, n)`
with the word's literal prefix and suffix cut off, and `Content` is the rest of the line. A header
word may also be Linux's `<Component>(\\[<PID>\\])?:`: the lazy field then ends at the first `[` the
group can follow, else before the `:`. The last word may hold fields before `Content`
(`<Time>|<Component>|<Pid>|<Content>`); each lazy field then ends at the first occurrence of the
literal after it, which `str.find` gives.

`token_splitter` returns None for formats it cannot read this way (other regex syntax, two fields
without a literal between them, two fields in one header word, ...). A `Splitter` gives the
regex's fields, in its order, or False where the regex certainly does not match (a header word that
does not fit its token), or None where it is not sure (an empty field, whitespace inside a field of
the last word, a newline): the regexes then decide as before. `exact_splitter` does the same for
the exact regex (`.*?` fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

__all__ = ["Splitter", "exact_splitter", "token_splitter"]

_FIELD = re.compile(r"(<[^<>]+>)")
_OPTIONAL = re.compile(r"\((?!\?)((?:\\.|[^()\\])*)\)\?")  # `(...)?` without groups inside
_PIECE = re.compile(r"\\s\+| +|\\(.)|(.)", re.DOTALL)
_META = frozenset(".^$*+?{}[]()|\\")
_WS = None  # marks a whitespace separator among a format's pieces

Values = list[str] | Literal[False] | None


class Splitter:
    """Splits lines like one regex: `values(line)` in the order of `names`, or False (the regex does
    not match) or None (not sure); `fields(values)` or calling it gives a dict like the regex's
    fields (`groupdict()` without the optional fields that did not take part, which are None)."""

    __slots__ = ("names", "optional", "values")

    def __init__(
        self, names: Sequence[str], values: Callable[[str], Values], optional: frozenset[str] = frozenset()
    ) -> None:
        self.names = tuple(names)
        self.values = values
        self.optional = optional
        """Names whose value can be None (a group that did not take part)."""

    def fields(self, values: list[str]) -> dict[str, str]:
        if self.optional and None in values:
            return {n: v for n, v in zip(self.names, values, strict=True) if v is not None}
        return dict(zip(self.names, values, strict=True))

    def __call__(self, line: str) -> dict[str, str] | Literal[False] | None:
        values = self.values(line)
        if values:
            return self.fields(values)
        return False if values is False else None


Piece = tuple[str, ...] | None  # ("lit", text), ("field", name), ("opt", name, before, after), _WS


def _pieces(log_format: str) -> list[Piece] | None:
    """The format as pieces (see `Piece`); None when it is not simple."""
    out: list[Piece] = []
    pos = 0
    for match in _OPTIONAL.finditer(log_format):  # `(\[<PID>\])?`: literal, field, literal
        inner = _plain_pieces(match.group(1))
        if inner is None or len(inner) != 3 or [p and p[0] for p in inner] != ["lit", "field", "lit"]:
            return None
        head = _plain_pieces(log_format[pos : match.start()])
        if head is None:
            return None
        out += head
        out.append(("opt", inner[1][1], inner[0][1], inner[2][1]))  # type: ignore[index]
        pos = match.end()
    tail = _plain_pieces(log_format[pos:])
    return None if tail is None or (out and tail and (out[-1] is _WS) and tail[0] is _WS) else out + tail


def _plain_pieces(log_format: str) -> list[Piece] | None:
    out: list[Piece] = []
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
                out[-1] = ("lit", out[-1][1] + char)  # type: ignore[index]
            else:
                out.append(("lit", char))
    return out


def _words(pieces: list[Piece]) -> list[list[tuple[str, ...]]] | None:
    words: list[list[tuple[str, ...]]] = [[]]
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
    """A `Splitter` for the token-field regex of `log_format`, or None when the format is not of the
    simple kind this reads (see the module docstring)."""
    pieces = _pieces(log_format)
    words = _words(pieces) if pieces else None
    if not words or words[-1][-1:] != [("field", "Content")]:
        return None
    header, last = words[:-1], words[-1][:-1]
    n = len(header)
    names: list[str] = []
    trims: list[tuple[int, str, str, int, int, int | None]] = []  # index, prefix, suffix, length, slice
    literals: list[tuple[int, str]] = []  # words without a field: the token must equal the text
    opts: list[tuple[int, str, str, str]] = []  # `<F>(\[<G>\])?:`: index, `[`, `]:`, `:`
    for index, word in enumerate(header):
        kinds = [p[0] for p in word]
        if "opt" in kinds:
            if kinds != ["field", "opt", "lit"]:
                return None
            (_, name), (_, optional, before, after), (_, suffix) = word
            names += [name, optional]
            opts.append((index - len(literals), before, after + suffix, suffix))
            continue
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
            end = -len(suffix) or None
            trims.append((index - len(literals), prefix, suffix, len(prefix) + len(suffix), len(prefix), end))
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
    last_word = bool(lead or tail)
    opts.reverse()  # inserting a value shifts the tokens after it

    def values(line: str) -> Values:
        if not line or line[0].isspace() or "\n" in line:  # `^\S`; `.` stops at a newline
            return None
        tokens = line.split(None, n) if n else [line]
        if len(tokens) <= n:
            return None
        if literal_rows:
            for index, text in literal_rows:
                if tokens.pop(index) != text:
                    return False
        for index, prefix, suffix, shortest, start, stop in trims:
            token = tokens[index]
            if len(token) <= shortest or not token.startswith(prefix) or not token.endswith(suffix):
                return False
            tokens[index] = token[start:stop]
        for index, before, closing, suffix in opts:
            # the lazy field ends at the first `before` the group can follow, else before `suffix`
            token = tokens[index]
            if token.endswith(closing):
                at = token.find(before, 1)
                if at > 0 and len(token) - at > len(before) + len(closing):
                    tokens[index : index + 1] = [
                        token[:at],
                        token[at + len(before) : len(token) - len(closing)],
                    ]
                    continue
            if len(token) <= len(suffix) or not token.endswith(suffix):
                return False
            tokens[index : index + 1] = [token[: len(token) - len(suffix)], None]  # type: ignore[list-item]
        if last_word:
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
        return tokens

    return Splitter(names, values, optional=frozenset(p[1] for w in header for p in w if p[0] == "opt"))


def exact_splitter(log_format: str) -> Splitter | None:
    """A `Splitter` for the exact (`.*?` fields) regex of `log_format` (it never says False).

    Each lazy field ends where the text after it first matches (a leftmost search), taking the
    separator's whitespace greedily: the first path the regex engine tries. Where that path gets
    through to `Content`, it is the regex's match; where it does not, the splitter is unsure (the
    regex would backtrack). Linear time, so it also spares the regex's time limit."""
    pieces = _pieces(log_format)
    if not pieces or pieces[-1] != ("field", "Content") or any(p and p[0] == "opt" for p in pieces):
        return None
    lead: list[Piece] = []
    fields: list[tuple[str, list[Piece]]] = []
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
    start = re.compile(_regex(lead)) if lead and (len(lead) > 1 or lead[0] is _WS) else None
    prefix = lead[0][1] if lead and start is None else ""  # type: ignore[index]
    seps: list[tuple[str | None, re.Pattern[str] | None]] = [
        (sep[0][1], None) if len(sep) == 1 and sep[0] is not _WS else (None, re.compile(_regex(sep)))
        for _, sep in fields
    ]

    def values(line: str) -> Values:
        if "\n" in line:
            return None
        pos = 0
        if start is not None:
            match = start.match(line)
            if match is None:
                return None
            pos = match.end()
        elif prefix:
            if not line.startswith(prefix):
                return None
            pos = len(prefix)
        out = []
        for literal, sep in seps:
            if literal is not None:
                end = line.find(literal, pos)
                if end < 0:
                    return None
                out.append(line[pos:end])
                pos = end + len(literal)
            else:
                found = sep.search(line, pos)  # type: ignore[union-attr]
                if found is None:
                    return None
                out.append(line[pos : found.start()])
                pos = found.end()
        out.append(line[pos:])
        return out

    return Splitter(names, values)


def _regex(pieces: list[Piece]) -> str:
    return "".join(r"\s+" if p is _WS else re.escape(p[1]) for p in pieces)
