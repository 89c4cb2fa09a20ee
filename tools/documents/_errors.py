"""Exceptions of document ingestion.

Tree::

    DocumentError                 root of everything raised by ``tools.documents`` (``status``: the HTTP status)
    ├── DocumentNotFound          no such document for this tenant (404)
    ├── DocumentTooLarge          the upload is over the configured size (413)
    ├── UnsupportedDocument       not a format we read (415)
    └── UnreadableDocument        a supported format that cannot be read: corrupt, empty, no text (422)
        └── EncryptedDocument     password-protected (PDF, or an encrypted Office file) (422)

Every error is raised before anything is stored: a failed upload leaves no file and no record.
"""

from __future__ import annotations

__all__ = [
    "DocumentError",
    "DocumentNotFound",
    "DocumentTooLarge",
    "EncryptedDocument",
    "UnreadableDocument",
    "UnsupportedDocument",
]


class DocumentError(Exception):
    """Root of every error of ``tools.documents``."""

    status = 400


class DocumentNotFound(DocumentError):
    status = 404


class DocumentTooLarge(DocumentError):
    status = 413


class UnsupportedDocument(DocumentError):
    status = 415


class UnreadableDocument(DocumentError):
    status = 422


class EncryptedDocument(UnreadableDocument):
    pass
