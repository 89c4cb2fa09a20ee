"""Training baselines of model versions, as per-feature bin profiles (see :mod:`._drift`).

A baseline is stored once per model version (``<model>@<version>``). It is built on first use from
the version's lineage when the training data can be rebuilt here: the demo models record the
scikit-learn dataset and seed they were trained with (``tools.ops._training``), so the baseline is
exactly their training split, with the model's own predictions on it. Any other model gets one
through :meth:`Baselines.save` (rows of the training data and, optionally, predictions).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from store import Conflict, NotFound, Store

from ._drift import (
    FeatureDrift,
    bin_counts,
    categorical_bins,
    categorical_counts,
    js_distance,
    proportions,
    psi,
    quantile_cuts,
)
from ._records import DriftBaseline, FeatureProfile, MonitoringRecords

__all__ = ["Baselines", "compare", "profile", "training_split"]

log = logging.getLogger("opscopilot.monitoring")


def profile(name: str, values: Sequence[Any], bins: int = 10) -> FeatureProfile:
    """The baseline profile of one feature: quantile bins for numbers, categories otherwise."""
    categories = categorical_bins(values)
    if categories is not None:
        counts = categorical_counts(values, categories)
        return FeatureProfile(
            name=name, kind="categorical", categories=categories, expected=proportions(counts), n=len(values)
        )
    numbers = [float(v) for v in values]
    cuts = quantile_cuts(numbers, bins)
    return FeatureProfile(
        name=name, cuts=cuts, expected=proportions(bin_counts(numbers, cuts)), n=len(numbers)
    )


def compare(base: FeatureProfile, values: Sequence[Any]) -> FeatureDrift:
    """Drift of ``values`` against the baseline profile, over the baseline's bins."""
    if base.kind == "categorical":
        counts = categorical_counts(values, base.categories)
    else:
        counts = bin_counts([float(v) for v in values], base.cuts)
    actual = proportions(counts)
    return FeatureDrift(
        feature=base.name,
        psi=psi(base.expected, actual),
        js_distance=js_distance(base.expected, actual),
        baseline_n=base.n,
        current_n=len(values),
        bins=base.labels,
        expected=list(base.expected),
        actual=actual,
    )


def training_split(dataset: str, seed: int) -> tuple[list[str], list[list[float]]]:
    """Feature names and rows of the training split of a demo model: the same split as
    ``tools.ops._training.train_model`` (scikit-learn bundled dataset, 25% test, stratified)."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    loaders = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}
    if dataset not in loaders:
        raise KeyError(dataset)
    bunch = loaders[dataset]()
    x_train, _, _, _ = train_test_split(
        bunch.data, bunch.target, test_size=0.25, random_state=seed, stratify=bunch.target
    )
    return [str(n) for n in bunch.feature_names], [[float(v) for v in row] for row in x_train]


class Baselines:
    def __init__(self, store: Store, registry: Any = None, bins: int = 10) -> None:
        self.records = MonitoringRecords(store)
        self.registry = registry
        self.bins = bins

    @staticmethod
    def key(model: str, version: int) -> str:
        return f"{model}@{version}"

    async def save(
        self,
        tenant: str,
        model: str,
        version: int,
        rows: Sequence[Sequence[float]],
        predictions: Sequence[Any] | None = None,
        feature_names: Sequence[str] | None = None,
        source: str = "uploaded",
    ) -> DriftBaseline:
        """Store (or replace) the baseline of a model version from its training rows."""
        width = len(rows[0]) if rows else 0
        names = list(feature_names or [f"f{i}" for i in range(width)])
        if len(names) != width or any(len(r) != width for r in rows):
            raise ValueError("every row needs one value per feature")
        baseline = DriftBaseline(
            id=self.key(model, version),
            tenant_id=tenant,
            model=model,
            version=version,
            source=source,
            rows=len(rows),
            features=[profile(n, [r[i] for r in rows], self.bins) for i, n in enumerate(names)],
            prediction=profile("prediction", list(predictions), self.bins) if predictions else None,
        )
        try:
            return await self.records.baselines.create(baseline)
        except Conflict:
            old = await self.records.baselines.get(tenant, baseline.id)
            baseline.etag = old.etag
            return await self.records.baselines.replace(baseline)

    async def get(self, tenant: str, model: str, version: int) -> DriftBaseline | None:
        """The stored baseline, else one built from the version's training data, else ``None``."""
        try:
            return await self.records.baselines.get(tenant, self.key(model, version))
        except NotFound:
            pass
        built = await self._from_lineage(tenant, model, version)
        if built is None:
            return None
        names, rows, predictions, source = built
        return await self.save(tenant, model, version, rows, predictions, names, source=source)

    async def _from_lineage(
        self, tenant: str, model: str, version: int
    ) -> tuple[list[str], list[list[float]], list[Any] | None, str] | None:
        if self.registry is None:
            return None
        try:
            info = await self.registry.get_version(tenant, model, version)
            params = (info.lineage or {}).get("params") or {}
            dataset, seed = str(params.get("dataset", "")), int(params.get("seed", 0) or 0)
            names, rows = await asyncio.to_thread(training_split, dataset, seed)
        except Exception as exc:  # no lineage, unknown dataset, registry down: no baseline
            log.info("no training baseline for %s v%s: %s", model, version, exc)
            return None
        predictions = None
        try:
            predictor = await self.registry.load(tenant, model, version)
            predictions = await asyncio.to_thread(_predict, predictor, rows)
        except Exception as exc:
            log.info("no baseline predictions for %s v%s: %s", model, version, exc)
        return names, rows, predictions, f"training split of {dataset} (seed {seed})"


def _predict(model: Any, rows: list[list[float]]) -> list[Any]:
    import numpy as np

    out = model.predict(np.asarray(rows, dtype=float))
    values = out.tolist() if hasattr(out, "tolist") else list(out)
    return [v.item() if hasattr(v, "item") else v for v in values]
