"""Sources: the server-path allow-list, and Log Analytics through a recording stand-in for the SDK."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from azure.monitor.query import LogsQueryResult, LogsQueryStatus, LogsTable

from store import Store
from tools.triage import (
    KqlSource,
    LogAnalyticsError,
    LogsConfig,
    PathNotAllowed,
    PathSource,
    SourceNotConfigured,
    SourceNotFound,
    TriageJobs,
    Triager,
    rows_to_lines,
)


@pytest.fixture
def allowed(tmp_path: Path) -> Path:
    root = tmp_path / "logs"
    root.mkdir()
    (root / "app.log").write_text("2024-06-12 02:14:01 ERROR db Connection refused to 10.0.0.5:5432\n")
    (tmp_path / "secret.txt").write_text("root:x:0:0\n")
    return root


def test_paths_inside_the_allow_list_only(allowed: Path, tmp_path: Path) -> None:
    assert PathSource(str(allowed / "app.log"), [allowed]).resolve() == (allowed / "app.log").resolve()
    with pytest.raises(PathNotAllowed, match="not enabled"):
        PathSource(str(allowed / "app.log"), []).resolve()
    for escape in (str(tmp_path / "secret.txt"), f"{allowed}/../secret.txt", "/etc/passwd", "app.log"):
        with pytest.raises(PathNotAllowed):
            PathSource(escape, [allowed]).resolve()
    os.symlink(tmp_path / "secret.txt", allowed / "link.log")  # a symlink out of the allowed directory
    with pytest.raises(PathNotAllowed):
        PathSource(str(allowed / "link.log"), [allowed]).resolve()
    with pytest.raises(SourceNotFound):
        PathSource(str(allowed / "missing.log"), [allowed]).resolve()
    with pytest.raises(SourceNotFound, match="regular file"):
        PathSource(str(allowed), [allowed]).resolve()
    # outside the allow-list, whether a file exists is not revealed
    with pytest.raises(PathNotAllowed):
        PathSource(str(tmp_path / "nope.log"), [allowed]).resolve()


class RecordingLogsClient:
    """Stands in for `azure.monitor.query.LogsQueryClient`: records the call, answers a real
    `LogsQueryResult` built from `tables` (or raises `error`)."""

    calls: list[dict[str, Any]] = []

    def __init__(self, tables: list[LogsTable], error: Exception | None = None) -> None:
        self.tables, self.error, self.closed = tables, error, False

    def query_workspace(self, workspace_id: str, query: str, **kwargs: Any) -> Any:
        self.calls.append({"workspace_id": workspace_id, "query": query, **kwargs})
        if self.error is not None:
            raise self.error
        return LogsQueryResult(tables=self.tables, status=LogsQueryStatus.SUCCESS)

    def close(self) -> None:
        self.closed = True


QUERY = "AppTraces | where SeverityLevel >= 3 | project TimeGenerated, SeverityLevel, Message"
STAMP = datetime(2024, 6, 12, 2, 14, 1, tzinfo=UTC)
TABLE = LogsTable(
    name="PrimaryResult",
    columns=["TimeGenerated", "SeverityLevel", "Message"],
    columns_types=["datetime", "int", "string"],
    rows=[
        [STAMP, 3, "Connection refused to feature-store:6379"],
        [STAMP + timedelta(seconds=2), 3, "Connection refused to feature-store:6380"],
        [STAMP + timedelta(seconds=3), 2, "retrying in 2s\nattempt 3"],
    ],
)


def test_kql_source_asks_the_sdk_for_exactly_the_query_and_timespan() -> None:
    RecordingLogsClient.calls = []
    client = RecordingLogsClient([TABLE])
    source = KqlSource(QUERY, "ws-123", timedelta(hours=6), server_timeout=120, client_factory=lambda: client)
    text = source.fetch()
    assert RecordingLogsClient.calls == [
        {"workspace_id": "ws-123", "query": QUERY, "timespan": timedelta(hours=6), "server_timeout": 120}
    ]
    assert client.closed
    assert text.splitlines() == [
        "2024-06-12T02:14:01+00:00 ERROR kql: Connection refused to feature-store:6379",
        "2024-06-12T02:14:03+00:00 ERROR kql: Connection refused to feature-store:6380",
        "2024-06-12T02:14:04+00:00 WARN kql: retrying in 2s | attempt 3",
    ]
    assert source.rows == 3


def test_kql_failures_and_missing_configuration_are_clear() -> None:
    with pytest.raises(SourceNotConfigured, match="workspace"):
        KqlSource(QUERY, None).fetch()
    failing = KqlSource(
        QUERY, "ws", client_factory=lambda: RecordingLogsClient([], RuntimeError("Forbidden"))
    )
    with pytest.raises(LogAnalyticsError, match="Forbidden"):
        failing.fetch()


def test_rows_become_lines_the_engine_parses() -> None:
    assert rows_to_lines(["Computer", "Count"], [["web-1", 3]]) == ["Computer=web-1 Count=3"]
    lines = rows_to_lines(
        ["TimeGenerated", "Computer", "Level", "Message"], [[STAMP, "web 1", "error", "disk full"]]
    )
    assert lines == ["2024-06-12T02:14:01+00:00 ERROR web-1: disk full"]
    assert rows_to_lines(["TimeGenerated", "Message"], [[STAMP, "up"]]) == ["2024-06-12T02:14:01+00:00 up"]


async def test_a_kql_triage_job_uses_the_configured_workspace_and_default_timespan(
    db: Store, tmp_path: Path
) -> None:
    RecordingLogsClient.calls = []
    config = LogsConfig(workspace_id="ws-42", kql_timespan_hours=12)
    jobs = TriageJobs(
        db, Triager(db, config), tmp_path, kql_client_factory=lambda: RecordingLogsClient([TABLE])
    )
    job = await jobs.submit("contoso", "tom", jobs.kql_spec(QUERY), source_key="apptraces")
    done = await jobs.run_now("contoso", job.id)
    assert done.state.value == "succeeded", done.error
    assert RecordingLogsClient.calls[0]["workspace_id"] == "ws-42"
    assert RecordingLogsClient.calls[0]["timespan"] == timedelta(hours=12)
    result = done.result or {}
    assert result["format"] == "log4j" and result["levels"] == {"ERROR": 2, "WARN": 1}
    top = result["templates"][0]
    assert top["count"] == 2 and top["category"]["id"] == "infrastructure"
    assert top["first_seen"]["timestamp"].startswith("2024-06-12T02:14:01")
