"""Exceptions of the log triage engine.

One root, so a caller (an agent tool, the HTTP layer) can catch everything this package raises::

    LogError
    ├── LogFormatError            a header format cannot be used
    │   ├── FormatSyntaxError     a user-given `<Field>` format string is invalid (also a ValueError)
    │   └── UnknownFormatError    no preset has that name (also a LookupError)
    ├── LogReadError              the input cannot be read as text log lines
    │   ├── BinaryInputError      the first block looks binary (NUL bytes, control characters)
    │   ├── TruncatedInputError   a compressed stream ended early; raised after the readable records
    │   └── CorruptInputError     a compressed stream is damaged
    └── MinerStateError           a saved miner state cannot be loaded (damaged, other version or config)

Misuse by a developer (a bad format string, an unknown preset) is kept apart from run-time failures
of the input (binary, truncated) so the HTTP layer can map the first to 400/422 and the second to 422
with a message for the uploader.
"""

from __future__ import annotations

__all__ = [
    "BinaryInputError",
    "CorruptInputError",
    "FormatSyntaxError",
    "LogError",
    "LogFormatError",
    "LogReadError",
    "MinerStateError",
    "TruncatedInputError",
    "UnknownFormatError",
]


class LogError(Exception):
    """Root of every exception raised by `tools.logs`."""


class LogFormatError(LogError):
    """A header format cannot be used."""


class FormatSyntaxError(LogFormatError, ValueError):
    """A user-given Loghub-style format string is invalid."""


class UnknownFormatError(LogFormatError, LookupError):
    """No preset has the requested name."""


class LogReadError(LogError):
    """The input cannot be read as text log lines."""


class BinaryInputError(LogReadError):
    """The input looks like binary data, not a text log."""


class TruncatedInputError(LogReadError):
    """A compressed input ended before its end-of-stream marker.

    Raised only after every record that could be read was handed out, so a caller that consumed the
    stream keeps the partial result.
    """

    def __init__(self, message: str, *, lines_read: int) -> None:
        super().__init__(message)
        self.lines_read = lines_read


class CorruptInputError(LogReadError):
    """A compressed input is damaged (bad header, bad CRC, invalid deflate data)."""


class MinerStateError(LogError):
    """A saved miner state cannot be loaded."""
