"""Schemathesis against the OpenAPI schema: generated input never causes a 5xx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from service.app import create_app
from service.auth import Role, issue_key
from service.settings import Settings
from store import SqliteBackend, Store

KEYS: dict[str, str] = {}


@pytest.fixture(scope="module")
def fuzz_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    path: Path = tmp_path_factory.mktemp("fuzz")
    db = Store(SqliteBackend(path / "fuzz.db"))

    async def seed() -> None:
        await db.open()
        KEYS["key"], _ = await issue_key(db, "contoso", "fuzzer", list(Role))

    asyncio.run(seed())
    app = create_app(Settings(data_dir=path, max_body_bytes=65536), store=db)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    asyncio.run(db.close())


# schemathesis' own strategies use `random`, which hypothesis deprecates; not our code.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_no_server_errors(fuzz_schema: schemathesis.BaseSchema) -> None:
    headers = {"Authorization": f"Bearer {KEYS['key']}"}
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        check()
