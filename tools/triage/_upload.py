"""Uploaded log files: streamed to disk under the size limit (the multipart parser of
`tools.documents`), then checked before a job is queued: the name, and a first readable line (so
binary junk, a damaged archive or an empty file is refused with a clear message at once)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

from tools.documents import DocumentError, DocumentTooLarge, Upload, receive_multipart
from tools.logs import LogReadError, TextLines

from ._errors import InputRejected, UploadRejected, UploadTooLarge

__all__ = ["check_upload_name", "probe_log", "receive_log"]

_NAME = re.compile(r"\.(?:log|txt|gz)$|\.log\.\d+$", re.I)


def check_upload_name(name: str) -> None:
    if not _NAME.search(name):
        raise UploadRejected(f"{name!r}: upload a .log, .txt or .gz file (a rotated app.log.1 works too)")


async def receive_log(
    chunks: AsyncIterator[bytes], content_type: str, staging: Path, max_bytes: int
) -> Upload:
    """The upload on disk (field ``file``) and the form's other fields; nothing left behind on error."""
    try:
        upload = await receive_multipart(chunks, content_type, staging, max_bytes)
    except DocumentTooLarge as exc:
        raise UploadTooLarge(str(exc)) from None
    except DocumentError as exc:
        raise InputRejected(str(exc)) from None
    try:
        check_upload_name(upload.filename)
        probe_log(upload.path, upload.filename)
    except BaseException:
        upload.discard()
        raise
    return upload


def probe_log(path: Path, name: str = "") -> None:
    """Blocking but cheap: reads at most the first block and line."""
    label = name or path.name
    if path.stat().st_size == 0:
        raise InputRejected(f"{label} is empty")
    try:
        first = next(iter(TextLines(path)), None)
    except LogReadError as exc:
        raise InputRejected(str(exc)) from None
    if first is None:
        raise InputRejected(f"{label} has no lines (an empty compressed file?)")
