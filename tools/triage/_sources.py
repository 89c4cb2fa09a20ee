"""Where a log comes from: one `LogSource` interface, files being the embedded default.

* `FileSource`   a file on local disk (an upload staged by the service, or a CLI argument)
* `TextSource`   pasted text
* `PathSource`   a server-side path, only under the configured allow-list (symlinks resolved first)
* `KqlSource`    Azure Monitor Log Analytics: a KQL query over the configured workspace
                 (`azure-monitor-query`'s `LogsQueryClient`, imported on first use)

`fetch()` returns what the engine reads (`tools.logs.triage`): a path (streamed, never loaded whole)
or text. It runs in a worker thread (the Azure SDK call is blocking).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from ._errors import LogAnalyticsError, PathNotAllowed, SourceNotConfigured, SourceNotFound

__all__ = ["FileSource", "KqlSource", "LogSource", "PathSource", "TextSource", "rows_to_lines"]

_TIME_COLUMNS = ("TimeGenerated", "timestamp", "Timestamp", "EventTime", "time", "Time")
_LEVEL_COLUMNS = ("SeverityLevel", "Level", "Severity", "LogLevel", "level", "severity", "SeverityText")
_MESSAGE_COLUMNS = (
    "Message", "message", "RenderedDescription", "SyslogMessage", "ResultDescription", "Description",
    "Text", "msg", "Log_s", "LogEntry", "Body", "OperationName",
)  # fmt: skip
_ORIGIN_COLUMNS = ("AppRoleName", "Computer", "Category", "ServiceName", "Source", "SourceSystem", "Type")
_SEVERITY_NUMBERS = {0: "DEBUG", 1: "INFO", 2: "WARN", 3: "ERROR", 4: "FATAL"}  # App Insights SeverityLevel


class LogSource(Protocol):
    kind: str

    @property
    def name(self) -> str:
        """A label for people (file name, path, the start of the query)."""
        ...

    def fetch(self) -> os.PathLike[str] | str:
        """What the engine reads; raises `SourceError` when the log cannot be obtained."""
        ...


@dataclass
class FileSource:
    path: Path
    label: str = ""
    kind: str = "upload"

    @property
    def name(self) -> str:
        return self.label or self.path.name

    def fetch(self) -> Path:
        if not self.path.is_file():
            raise SourceNotFound(
                f"{self.name}: the file is gone (it may have been cleaned up); upload it again"
            )
        return self.path


@dataclass
class TextSource:
    text: str
    kind: str = "text"

    @property
    def name(self) -> str:
        return "pasted text"

    def fetch(self) -> str:
        return self.text


@dataclass
class PathSource:
    """A file on the server. Allowed only inside one of `allowed` directories, after resolving
    symlinks and `..`, and only a regular file."""

    path: str
    allowed: Sequence[Path]
    kind: str = "path"

    @property
    def name(self) -> str:
        return self.path

    def resolve(self) -> Path:
        if not self.allowed:
            raise PathNotAllowed("server-side paths are not enabled (settings: logs.allowed_paths is empty)")
        candidate = Path(self.path)
        if not candidate.is_absolute():
            raise PathNotAllowed(f"{self.path!r}: give an absolute path under an allowed directory")
        roots = [Path(root).resolve() for root in self.allowed]
        try:
            real = candidate.resolve(strict=True)
        except (FileNotFoundError, NotADirectoryError):
            # say "not found" only inside the allow-list: outside it, existence is not revealed
            if any(candidate.resolve().is_relative_to(root) for root in roots):
                raise SourceNotFound(f"{self.path}: no such file") from None
            raise PathNotAllowed(f"{self.path}: not under an allowed directory") from None
        except (OSError, RuntimeError) as exc:  # loops, permission
            raise PathNotAllowed(f"{self.path}: cannot be resolved ({type(exc).__name__})") from None
        if not any(real.is_relative_to(root) for root in roots):
            raise PathNotAllowed(f"{self.path}: not under an allowed directory")
        if not real.is_file():
            raise SourceNotFound(f"{self.path}: not a regular file")
        return real

    def fetch(self) -> Path:
        return self.resolve()


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return " ".join(str(value).split("\n")) if value is not None else ""


def _logger(value: Any) -> str:
    text = re.sub(r"[^\w.$-]+", "-", str(value)).strip("-")[:60]
    return text or "kql"


def rows_to_lines(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """One log line per row. With a time, level and message column the line reads like log4j
    (`<time> <LEVEL> <origin>: <message>`, origin from a Computer/AppRoleName-like column), so the
    engine parses its timestamp and level; without a level it is `<time> <message>`; without a
    message column, `column=value` pairs. Multi-line messages stay on one line (joined by ` | `)."""
    index = {c: i for i, c in enumerate(columns)}
    time_col = next((index[c] for c in _TIME_COLUMNS if c in index), None)
    level_col = next((index[c] for c in _LEVEL_COLUMNS if c in index), None)
    message_col = next((index[c] for c in _MESSAGE_COLUMNS if c in index), None)
    origin_col = next((index[c] for c in _ORIGIN_COLUMNS if c in index), None)
    lines = []
    for row in rows:
        values = list(row)
        if message_col is None:
            lines.append(" ".join(f"{c}={_cell(v)}" for c, v in zip(columns, values, strict=False)))
            continue
        message = " | ".join(str(values[message_col] or "").splitlines())
        stamp = _cell(values[time_col]) if time_col is not None and values[time_col] is not None else ""
        level = values[level_col] if level_col is not None else None
        if level is not None and level != "":
            name = _SEVERITY_NUMBERS.get(level, str(level)) if isinstance(level, int) else str(level).upper()
            origin = _logger(values[origin_col]) if origin_col is not None and values[origin_col] else "kql"
            lines.append(" ".join(p for p in (stamp, name, f"{origin}: {message}") if p))
        else:
            lines.append(" ".join(p for p in (stamp, message) if p))
    return lines


@dataclass
class KqlSource:
    """A KQL query over a Log Analytics workspace. `client_factory` builds the `LogsQueryClient`
    (default: one with `DefaultAzureCredential`); tests pass a recording stand-in."""

    query: str
    workspace_id: str | None
    timespan: timedelta = timedelta(hours=24)
    server_timeout: int | None = None
    client_factory: Callable[[], Any] | None = None
    kind: str = "kql"
    rows: int = field(default=0, init=False)

    @property
    def name(self) -> str:
        first = " ".join(self.query.split())
        return first if len(first) <= 80 else first[:79] + "…"

    def check(self) -> None:
        if not self.workspace_id:
            raise SourceNotConfigured(
                "KQL sources need a Log Analytics workspace (settings: logs.workspace_id)"
            )
        if not self.query.strip():
            raise SourceNotConfigured("the KQL query is empty")

    def _client(self) -> Any:
        if self.client_factory is not None:
            return self.client_factory()
        try:
            from azure.identity import DefaultAzureCredential
            from azure.monitor.query import LogsQueryClient
        except ImportError:
            raise SourceNotConfigured(
                "KQL sources need the Azure extras: pip install 'opscopilot[azure]' (azure-monitor-query)"
            ) from None
        return LogsQueryClient(DefaultAzureCredential())

    def fetch(self) -> str:
        self.check()
        client = self._client()
        try:
            response = client.query_workspace(
                self.workspace_id, self.query, timespan=self.timespan, server_timeout=self.server_timeout
            )
        except SourceNotConfigured:
            raise
        except Exception as exc:  # HttpResponseError, auth errors: the query failed at Azure
            raise LogAnalyticsError(
                f"the Log Analytics query failed: {type(exc).__name__}: {exc}"[:500]
            ) from None
        finally:
            close = getattr(client, "close", None)
            if callable(close):
                close()
        tables = getattr(response, "tables", None)
        if tables is None:  # LogsQueryPartialResult: keep what came back
            tables = getattr(response, "partial_data", None) or []
            error = getattr(response, "partial_error", None)
            if not tables:
                raise LogAnalyticsError(f"the Log Analytics query failed: {error}")
        lines: list[str] = []
        for table in tables:
            lines += rows_to_lines(list(table.columns), [list(r) for r in table.rows])
        self.rows = len(lines)
        return "\n".join(lines) + ("\n" if lines else "")
