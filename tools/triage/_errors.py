"""Exceptions of the log analyst.

One root, each with the HTTP status the service answers with (``status``), so routes map them in one
line and the job runner can store the message::

    TriageError                      400
    ├── SourceError                  the input cannot be obtained
    │   ├── PathNotAllowed           403  a server-side path outside the configured allow-list
    │   ├── SourceNotFound           404  no such file
    │   ├── SourceNotConfigured      422  e.g. Log Analytics without a workspace id, or its SDK missing
    │   └── LogAnalyticsError        502  the KQL query failed at Azure Monitor
    ├── InputRejected                422  empty, binary, damaged or unreadable input (engine errors)
    ├── UploadRejected               415  not a .log, .txt or .gz file; malformed multipart
    ├── UploadTooLarge               413
    ├── TriageNotFound               404  no triage (or another tenant's)
    ├── CategoryError                422  an invalid category definition or action
    │   ├── CategoryNotFound         404
    │   └── CategoryConflict         409  the name is taken; the suggestion was already decided
    └── LeaseLost                    -    another worker took the job over (control flow, not an input error)
"""

from __future__ import annotations

__all__ = [
    "CategoryConflict",
    "CategoryError",
    "CategoryNotFound",
    "InputRejected",
    "LeaseLost",
    "LogAnalyticsError",
    "PathNotAllowed",
    "SourceError",
    "SourceNotConfigured",
    "SourceNotFound",
    "TemplateNotFound",
    "TriageError",
    "TriageNotFound",
    "UploadRejected",
    "UploadTooLarge",
]


class TriageError(Exception):
    """Root of every exception raised by `tools.triage`."""

    status = 400


class SourceError(TriageError):
    pass


class PathNotAllowed(SourceError):
    status = 403


class SourceNotFound(SourceError):
    status = 404


class SourceNotConfigured(SourceError):
    status = 422


class LogAnalyticsError(SourceError):
    status = 502


class InputRejected(TriageError):
    status = 422


class UploadRejected(TriageError):
    status = 415


class UploadTooLarge(TriageError):
    status = 413


class TriageNotFound(TriageError):
    status = 404


class TemplateNotFound(TriageNotFound):
    pass


class CategoryError(TriageError):
    status = 422


class CategoryNotFound(CategoryError):
    status = 404


class CategoryConflict(CategoryError):
    status = 409


class LeaseLost(TriageError):
    status = 409
