"""A ``multipart/form-data`` upload streamed to disk with a size limit (no FastAPI here: the route
hands over the request's byte chunks). The file part goes to a temporary file chunk by chunk; a
body over the limit stops the parse and removes the partial file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

from ._errors import DocumentError, DocumentTooLarge, UnreadableDocument

__all__ = ["Upload", "receive_multipart"]

MAX_FIELD = 4096


@dataclass
class Upload:
    filename: str
    path: Path
    size: int
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class _Receiver:
    def __init__(self, staging: Path, max_bytes: int) -> None:
        self.staging = staging
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.filename = ""
        self.path: Path | None = None
        self.size = 0
        self._file: IO[bytes] | None = None
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._name = ""
        self._buf = bytearray()

    # python-multipart callbacks
    def on_part_begin(self) -> None:
        self._headers, self._name, self._buf = {}, "", bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if filename is not None and self._file is None:
            self.filename = os.path.basename(filename.decode("utf-8", "replace").replace("\\", "/"))
            fd, name = tempfile.mkstemp(prefix="upload-", dir=self.staging)
            self.path = Path(name)
            self._file = os.fdopen(fd, "wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is not None and not self._file.closed:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise DocumentTooLarge(f"the file is larger than {self.max_bytes} bytes")
            self._file.write(chunk)
        else:
            self._buf += chunk
            if len(self._buf) > MAX_FIELD:
                raise UnreadableDocument(f"form field {self._name!r} is longer than {MAX_FIELD} bytes")

    def on_part_end(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        elif self._name:
            self.fields[self._name] = self._buf.decode("utf-8", "replace").strip()

    def cleanup(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


async def receive_multipart(
    chunks: AsyncIterator[bytes], content_type: str, staging: Path, max_bytes: int
) -> Upload:
    """Parse the body, keeping the (first) file part on disk in ``staging`` (which must exist);
    raises, leaving nothing behind, on a body over the limit or a malformed one."""
    ctype, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UnreadableDocument("expected multipart/form-data with a boundary")
    rec = _Receiver(staging, max_bytes)
    callbacks = {name: getattr(rec, name) for name in dir(rec) if name.startswith("on_")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    total = 0
    try:
        async for chunk in chunks:
            total += len(chunk)
            if total > max_bytes + 64 * 1024:
                raise DocumentTooLarge(f"the file is larger than {max_bytes} bytes")
            parser.write(chunk)
        parser.finalize()
    except DocumentError:
        rec.cleanup()
        raise
    except Exception as exc:  # a malformed body
        rec.cleanup()
        raise UnreadableDocument(f"the multipart body is malformed ({type(exc).__name__})") from exc
    except BaseException:
        rec.cleanup()
        raise
    if rec.path is None or not rec._file or not rec._file.closed:
        rec.cleanup()
        raise UnreadableDocument("the form has no complete file part (field 'file')")
    return Upload(rec.filename or "document", rec.path, rec.size, rec.fields)
