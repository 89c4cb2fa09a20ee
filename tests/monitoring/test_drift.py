"""Drift: PSI and Jensen-Shannon distance against hand computations and numpy/scipy on the same
bins, then a planted shift through the API (scoring captures the inputs; drift is computed on
demand and on the worker's schedule)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from tests.monitoring.conftest import Stub, score, serve
from tests.service.conftest import Api
from tools.monitoring import (
    Baselines,
    bin_counts,
    compare,
    js_distance,
    profile,
    proportions,
    psi,
    quantile_cuts,
    training_split,
)
from tools.ops import ModelVersion


def test_psi_and_js_by_hand() -> None:
    # PSI = sum (a - e) ln(a / e): 0.15 ln 2.5 + 0.05 ln 1.25 + 0.05 ln 1.2 + 0.15 ln 1.6
    #     = 0.137444 + 0.011157 + 0.009116 + 0.070501 = 0.228218
    assert psi([0.25] * 4, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(0.228218, abs=1e-6)
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0
    # identical -> 0; disjoint -> 1 (base 2); [.5,.5] vs [1,0]: M=[.75,.25],
    # JSD = (0.5 log2(2/3) + 0.5 log2 2 + log2(4/3)) / 2 = 0.311278, distance = 0.557923
    assert js_distance([0.3, 0.7], [0.3, 0.7]) == 0.0
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    assert js_distance([0.5, 0.5], [1.0, 0.0]) == pytest.approx(0.557923, abs=1e-6)
    # an empty bin stays finite: floored at 1e-6
    assert math.isfinite(psi([0.5, 0.5], [1.0, 0.0]))


def test_bins_match_numpy_and_scipy() -> None:
    rng = random.Random(7)
    base = [rng.gauss(0, 1) for _ in range(2000)]
    now = [rng.gauss(0.4, 1.2) for _ in range(500)]
    cuts = quantile_cuts(base, 10)
    assert cuts == pytest.approx(list(np.quantile(base, np.arange(1, 10) / 10)))
    np_counts = np.bincount(np.searchsorted(cuts, now, side="left"), minlength=len(cuts) + 1)
    assert bin_counts(now, cuts) == np_counts.tolist()
    e, a = proportions(bin_counts(base, cuts)), proportions(bin_counts(now, cuts))
    e_np, a_np = np.clip(e, 1e-6, None), np.clip(a, 1e-6, None)
    assert psi(e, a) == pytest.approx(float(np.sum((a_np - e_np) * np.log(a_np / e_np))), rel=1e-12)
    assert js_distance(e, a) == pytest.approx(float(jensenshannon(e, a, base=2)), rel=1e-9)
    drift = compare(profile("x", base), now)
    assert drift.psi == pytest.approx(psi(e, a)) and drift.psi > 0.1


def test_categorical_predictions() -> None:
    p = profile("prediction", [0, 1, 1, 0, 1, 0, 0, 0])  # classes: categorical bins + "other"
    assert p.kind == "categorical" and p.categories == ["0", "1"] and p.expected == [0.625, 0.375, 0.0]
    d = compare(p, [1.0, 1, 1, 0, 2])  # 1.0 is class "1"; 2 was never seen -> "other"
    assert d.actual == [0.2, 0.6, 0.2]
    assert d.js_distance == pytest.approx(float(jensenshannon([0.625, 0.375, 0], [0.2, 0.6, 0.2], base=2)))


def test_training_split_is_the_demo_training_data() -> None:
    names, rows = training_split("breast_cancer", 0)
    assert len(names) == 30 and len(rows) == 426 and len(rows[0]) == 30  # 569 rows, 25% held out


async def test_baseline_built_from_lineage(mon: Api) -> None:
    class Registry:
        async def get_version(self, tenant: str, name: str, version: int) -> ModelVersion:
            return ModelVersion(name, version, lineage={"params": {"dataset": "wine", "seed": "0"}})

        async def load(self, tenant: str, name: str, version: int) -> Stub:
            return Stub(lambda row: int(row[0] > 13))

    baselines = Baselines(mon.store, Registry())
    made = await baselines.get("contoso", "vino", 3)
    assert made is not None and made.rows == 133 and len(made.features) == 13
    assert made.source == "training split of wine (seed 0)" and made.prediction is not None
    assert made.prediction.kind == "categorical"
    assert (await baselines.get("contoso", "vino", 3)).id == "vino@3"  # stored once
    assert await baselines.get("fabrikam", "vino", 9) is not None  # built per tenant


def expected_drift(base: list[float], now: list[float]) -> tuple[float, float]:
    cuts = np.unique(np.quantile(base, np.arange(1, 10) / 10))
    e = np.bincount(np.searchsorted(cuts, base, side="left"), minlength=len(cuts) + 1) / len(base)
    a = np.bincount(np.searchsorted(cuts, now, side="left"), minlength=len(cuts) + 1) / len(now)
    ec, ac = np.clip(e, 1e-6, None), np.clip(a, 1e-6, None)
    return float(np.sum((ac - ec) * np.log(ac / ec))), float(jensenshannon(e, a, base=2))


async def test_planted_shift_through_the_api(mon: Api) -> None:
    rng = random.Random(42)
    model = Stub(lambda row: int(row[0] > 0))
    base = [[rng.gauss(0, 1), rng.random()] for _ in range(1000)]
    now = [[rng.gauss(0.8, 1), rng.random()] for _ in range(300)]  # feature 0 shifted, 1 not
    await serve(mon, "drifty", {"drifty": model}, {"drifty": 100})
    await mon.app.state.monitoring.baselines.save(
        "contoso", "drifty", 1, base, model.predict(base), ["shifted", "stable"]
    )
    for start in range(0, len(now), 20):  # capture keeps 20 rows per request
        assert (await score(mon, "drifty", now[start : start + 20])).status_code == 200

    r = await mon.client.get("/v1/monitoring/drift?endpoint=drifty", headers=mon.auth("user"))
    assert r.status_code == 200, r.text
    (report,) = r.json()["reports"]
    assert report["deployment"] == "drifty" and report["samples"] == 300 and report["requests"] == 15
    features = {f["feature"]: f for f in report["features"]}
    for i, name in enumerate(["shifted", "stable"]):
        want_psi, want_js = expected_drift([row[i] for row in base], [row[i] for row in now])
        assert features[name]["psi"] == pytest.approx(want_psi, abs=1e-6)
        assert features[name]["js_distance"] == pytest.approx(want_js, abs=1e-6)
    assert features["shifted"]["status"] == "drift" and features["stable"]["psi"] < 0.1
    assert report["max_psi"] == features["shifted"]["psi"] and report["status"] == "drift"
    # prediction drift: the share of class 1 moved from ~50% to ~79%
    e = np.bincount(model.predict(base), minlength=2) / len(base)
    a = np.bincount(model.predict(now), minlength=2) / len(now)
    assert report["prediction"]["bins"] == ["0", "1", "other"]
    assert report["prediction"]["js_distance"] == pytest.approx(
        float(jensenshannon([*e, 0], [*a, 0], base=2)), abs=1e-6
    )

    # the scheduled pass computes (and stores) it too, once per due endpoint
    worker = mon.app.state.monitoring.worker
    assert (await worker.run_once())["drift"] == 1
    assert (await worker.run_once())["drift"] == 0  # not due again yet
    history = await mon.client.get(
        "/v1/monitoring/drift/history?endpoint=drifty", headers=mon.auth("operator")
    )
    points = history.json()["points"]
    assert [p["trigger"] for p in points] == ["on_demand", "schedule"]
    assert points[1]["max_psi"] == pytest.approx(report["max_psi"])


async def test_drift_without_data_or_baseline(mon: Api) -> None:
    await serve(mon, "quiet", {"quiet": Stub(lambda row: 0)}, {"quiet": 100})
    r = await mon.client.get("/v1/monitoring/drift?endpoint=quiet", headers=mon.auth("user"))
    assert r.json()["reports"][0]["status"] == "insufficient_data"
    for i in range(2):
        await score(mon, "quiet", [[float(i), 1.0]] * 20)
    mon.app.state.monitoring.baselines.registry = None  # no registry lineage to build one from
    r = await mon.client.get("/v1/monitoring/drift?endpoint=quiet", headers=mon.auth("user"))
    assert r.json()["reports"][0]["status"] == "no_baseline"
    missing = await mon.client.get("/v1/monitoring/drift?endpoint=nope", headers=mon.auth("user"))
    assert missing.status_code == 404
