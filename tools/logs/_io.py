"""Physical lines from a file (plain, gzip, bzip2, xz) or from pasted text, in constant memory.

Lines are read in blocks (256 KiB, decoded and split at once) and never kept whole beyond
`max_line_bytes`: bytes past it are skipped up to the next newline and the line is flagged as
truncated. Invalid UTF-8 is decoded with replacement characters. The first block is checked for binary content before
any line is handed out. A compressed stream that ends early raises `TruncatedInputError` after the
last complete line was yielded.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from ._errors import BinaryInputError, CorruptInputError, TruncatedInputError

__all__ = ["DEFAULT_MAX_LINE_BYTES", "Line", "TextLines", "looks_binary"]

DEFAULT_MAX_LINE_BYTES = 64 * 1024
_CHECK_BYTES = 8192
_BLOCK_BYTES = 1 << 18
_BLOCK_LINES = 1024
_NONE: frozenset[int] = frozenset()
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B} | {0x7F}
_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}
_ARCHIVES = {b"PK\x03\x04": "zip archive", b"7z\xbc\xaf": "7z archive", b"\x28\xb5\x2f\xfd": "zstd stream"}


def _decompressed(
    kind: str | None, raw: io.BufferedReader[io.FileIO]
) -> contextlib.AbstractContextManager[BinaryIO]:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    return contextlib.nullcontext(raw)


class Line(NamedTuple):
    """One physical line: 1-based number, text without the line break, whether it was cut."""

    number: int
    text: str
    truncated: bool


def looks_binary(block: bytes | str) -> str | None:
    """Why `block` (the start of an input) looks binary, or None when it looks like text."""
    if not block:
        return None
    data = block.encode("utf-8", "replace") if isinstance(block, str) else block
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it looks like UTF-16 text; convert it to UTF-8"
    if b"\x00" in data:
        return "it contains NUL bytes"
    control = sum(1 for byte in data if byte in _CONTROL)
    if control > max(8, len(data) // 10):
        return f"{control} of its first {len(data)} bytes are control characters"
    return None


class TextLines:
    """Iterate the `Line`s of `source`: a `Path` (or `os.PathLike`), a `str` of pasted text, or an
    iterable of `str`/`bytes` lines.

    Progress counters (`lines_read`, `bytes_read`, `total_bytes`) are updated as lines are handed
    out; for compressed files `bytes_read` counts compressed bytes so it reaches `total_bytes`.
    """

    def __init__(
        self,
        source: os.PathLike[str] | str | Iterable[str] | Iterable[bytes],
        *,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    ) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self.source = source
        self.max_line_bytes = max_line_bytes
        self.lines_read = 0
        self.bytes_read = 0
        self.truncated_lines = 0
        self.compression: str | None = None
        self.total_bytes: int | None = None
        if isinstance(source, os.PathLike):
            self.total_bytes = os.stat(source).st_size
        elif isinstance(source, str):
            self.total_bytes = len(source)

    def __iter__(self) -> Iterator[Line]:
        number = 0
        for texts, cut in self.blocks():
            if cut:
                for index, text in enumerate(texts, number + 1):
                    yield Line(index, text, index - number - 1 in cut)
            else:
                for index, text in enumerate(texts, number + 1):
                    yield Line(index, text, False)
            number += len(texts)

    def blocks(self) -> Iterator[tuple[list[str], frozenset[int]]]:
        """The lines in blocks: (texts, indices of the truncated ones). Lines are numbered on from
        1 across blocks; the counters cover a block when it is handed out. Cheaper than `Line`s."""
        if isinstance(self.source, os.PathLike):
            return self._from_path(Path(self.source))
        if isinstance(self.source, str):
            return self._from_strings(io.StringIO(self.source))
        return self._from_strings(self.source)

    # -- files ---------------------------------------------------------------------------------
    def _from_path(self, path: Path) -> Iterator[tuple[list[str], frozenset[int]]]:
        with io.BufferedReader(io.FileIO(path, "rb"), buffer_size=1 << 16) as raw:
            head = raw.peek(8)[:8]  # a BufferedReader: peek does not consume
            for magic, name in _ARCHIVES.items():
                if head.startswith(magic):
                    raise BinaryInputError(f"{path.name}: a {name} is not supported; upload the log itself")
            kind = next((k for m, k in _MAGIC.items() if head.startswith(m)), None)
            self.compression = kind
            with _decompressed(kind, raw) as stream:
                try:
                    yield from self._read_binary(stream, raw, path.name)
                except EOFError as exc:
                    raise TruncatedInputError(
                        f"{path.name}: the {kind} stream ended early after {self.lines_read} lines ({exc})",
                        lines_read=self.lines_read,
                    ) from exc
                except (gzip.BadGzipFile, zlib.error, lzma.LZMAError, OSError) as exc:
                    if kind is None:
                        raise
                    raise CorruptInputError(
                        f"{path.name}: damaged {kind} data after {self.lines_read} lines: {exc}"
                    ) from exc

    def _read_binary(
        self, stream: BinaryIO, raw: io.BufferedReader[io.FileIO], name: str
    ) -> Iterator[tuple[list[str], frozenset[int]]]:
        peek = getattr(stream, "peek", None)
        head = peek(_CHECK_BYTES)[:_CHECK_BYTES] if peek else b""
        reason = looks_binary(head)
        if reason:
            raise BinaryInputError(f"{name} does not look like a text log: {reason}")
        limit = self.max_line_bytes
        # a decompressing stream's read1 returns what one step gave, so data decoded before a
        # truncated end is handed out; its read(n) would drop it with the EOFError
        read = getattr(stream, "read1", stream.read)
        tell = raw.tell
        pending = b""  # the start of a line whose end has not been read yet (at most `limit` bytes)
        skipping = False  # in the rest of an over-long line
        first = True
        number = 0
        try:
            while True:
                data = read(_BLOCK_BYTES)
                if not data:
                    break
                if skipping:
                    newline = data.find(b"\n")
                    if newline < 0:
                        continue
                    data, skipping = data[newline + 1 :], False
                if pending:
                    data, pending = pending + data, b""
                end = data.rfind(b"\n")
                body, pending = (data[:end], data[end + 1 :]) if end >= 0 else (b"", data)
                texts, cut = self._decode(body, end >= 0, first)
                if len(pending) > limit:  # an over-long line without its end yet: cut it here
                    cut = cut | {len(texts)}
                    texts.append(self._text(pending[:limit], first and not texts))
                    pending, skipping = b"", True
                    self.truncated_lines += 1
                if texts:
                    first = False
                    number += len(texts)
                    self.lines_read, self.bytes_read = number, tell()
                    yield texts, cut
            if pending:
                texts, cut = self._decode(pending, True, first)
                number += len(texts)
                self.lines_read, self.bytes_read = number, tell()
                yield texts, cut
        finally:
            self.lines_read, self.bytes_read = number, tell()

    def _decode(self, body: bytes, complete: bool, first: bool) -> tuple[list[str], frozenset[int]]:
        """Complete lines (`body` without its last newline) decoded; over-long ones cut."""
        if not complete:
            return [], _NONE
        texts = body.decode("utf-8", "replace").split("\n")
        limit = self.max_line_bytes
        cut = _NONE
        if len(body) > limit and max(map(len, texts)) * 4 > limit:  # UTF-8: at most 4 bytes a char
            pieces = body.split(b"\n")
            long = {i for i, piece in enumerate(pieces) if len(piece) > limit}
            if long:
                texts = [p[:limit].decode("utf-8", "replace") if i in long else t
                         for i, (p, t) in enumerate(zip(pieces, texts, strict=True))]  # fmt: skip
                cut = frozenset(long)
                self.truncated_lines += len(long)
        if b"\r" in body:
            texts = [t.rstrip("\r") for t in texts]
        if first:
            texts[0] = texts[0].removeprefix("\ufeff")
        return texts, cut

    def _text(self, data: bytes, first: bool) -> str:
        text = data.decode("utf-8", "replace").rstrip("\r")
        return text.removeprefix("\ufeff") if first else text

    # -- pasted text -----------------------------------------------------------------------------
    def _from_strings(
        self, items: Iterable[str] | Iterable[bytes]
    ) -> Iterator[tuple[list[str], frozenset[int]]]:
        texts: list[str] = []
        cut: set[int] = set()
        for line in self._string_lines(items):
            if line.truncated:
                cut.add(len(texts))
            texts.append(line.text)
            if len(texts) >= _BLOCK_LINES:
                yield texts, frozenset(cut)
                texts, cut = [], set()
        if texts:
            yield texts, frozenset(cut)

    def _string_lines(self, items: Iterable[str] | Iterable[bytes]) -> Iterator[Line]:
        limit = self.max_line_bytes
        number = 0
        checked = 0
        for item in items:
            text = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
            pieces = text.split("\n")
            if len(pieces) > 1 and pieces[-1] == "":
                pieces.pop()
            for piece in pieces:
                if checked < _CHECK_BYTES:
                    reason = looks_binary(piece[: _CHECK_BYTES - checked])
                    checked += len(piece) + 1
                    if reason:
                        raise BinaryInputError(f"the pasted text does not look like a log: {reason}")
                self.bytes_read += len(piece) + 1
                piece = piece.rstrip("\r")
                if number == 0:
                    piece = piece.removeprefix("\ufeff")
                truncated = len(piece) > limit
                if truncated:
                    piece = piece[:limit]
                    self.truncated_lines += 1
                number += 1
                self.lines_read = number
                yield Line(number, piece, truncated)
