"""A training job on the embedded default: proposed in the chat, approved, run once as a real
subprocess with MLflow tracking, followed to completion; the new version carries its lineage."""

from __future__ import annotations

import time

import pytest

from tests.ops.conftest import TENANT, TIMINGS, eventually
from tests.ops.test_loop import ask
from tests.ops.test_shadow import approve_latest
from tests.service.conftest import Api

pytestmark = pytest.mark.slow


async def test_training_job_runs_once_and_registers_a_version(ops_api: Api) -> None:
    api = ops_api
    _, result = await ask(api, "retrain model churn")
    assert result["state"] == "waiting_approval", result
    done = await approve_latest(api)
    assert done["risk"] == "low" and done["operation"] == "ops-propose_training_job"
    job = done["execution"]["result"]["job"]
    assert job["id"] == f"job-{done['id']}" and job["state"] == "running"
    ops = api.app.state.ops
    again = await ops.jobs.submit(TENANT, job["id"], {"model": "churn"}, "x")  # a retry: no second process
    assert again["progress"]["pid"] == job["progress"]["pid"]

    started = time.perf_counter()

    async def finished() -> dict | None:
        status = await ops.jobs.status(TENANT, job["id"])
        return status if status["state"] != "running" else None

    status = await eventually(finished, within=120, every=0.5)
    TIMINGS["training_job_subprocess_s"] = round(time.perf_counter() - started, 2)
    assert status["state"] == "succeeded", status
    assert status["result"]["version"] == 4 and status["result"]["metrics"]["accuracy"] > 0.9
    _, answer = await ask(api, f"what is the status of job {job['id']}", agent="ops_assistant")
    assert '"succeeded"' in answer["answer"]
    models = (await api.client.get("/v1/models", headers=api.auth("user"))).json()
    latest = models[0]["versions"][-1]
    assert latest["version"] == 4 and latest["lineage"]["trained_by"] == job["id"]
