"""The embedded model registry: MLflow with a SQLite backend (``<data_dir>/mlflow.db``) and
artifacts under ``<data_dir>/mlartifacts``. Registered names are ``<tenant>.<model>``, tagged with
the tenant. MLflow is imported on first use; every call runs in a worker thread."""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

from ._errors import BackendFailure, OpsNotFound
from ._quiet import quiet_third_party
from ._registry import ModelInfo, ModelVersion, Predictor
from ._training import TrainResult

__all__ = ["MlflowRegistry", "import_mlflow", "quiet_third_party"]

TENANT_TAG = "opscopilot.tenant"
_import_lock = threading.Lock()


def import_mlflow() -> Any:
    """Import MLflow (telemetry off; its import-time warnings silenced) with a clear message if absent."""
    quiet_third_party()
    with _import_lock:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import mlflow
                import mlflow.pyfunc
                import mlflow.sklearn
                from mlflow.tracking import MlflowClient  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise BackendFailure("the embedded registry needs mlflow: pip install mlflow") from exc
        return mlflow


class MlflowRegistry:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.db_path = self.data_dir / "mlflow.db"
        self.artifacts = self.data_dir / "mlartifacts"
        self.uri = f"sqlite:///{self.db_path}"
        self._client: Any = None
        self._lock = threading.Lock()
        self._models: dict[tuple[str, str, int], Predictor] = {}

    # -- plumbing ---------------------------------------------------------------------------
    def client(self) -> Any:
        quiet_third_party()
        with self._lock:
            if self._client is None:
                import_mlflow()
                from mlflow.tracking import MlflowClient

                self.data_dir.mkdir(parents=True, exist_ok=True)
                self.artifacts.mkdir(parents=True, exist_ok=True)
                self._client = MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)
            return self._client

    @staticmethod
    def full_name(tenant: str, name: str) -> str:
        return f"{tenant}.{name}"

    async def _call(self, fn: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args)
        except (OpsNotFound, BackendFailure):
            raise
        except Exception as exc:
            from mlflow.exceptions import MlflowException

            if isinstance(exc, MlflowException):
                if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                    raise OpsNotFound(str(exc.message)) from exc
                raise BackendFailure(f"mlflow: {exc.message}") from exc
            raise

    # -- reads ------------------------------------------------------------------------------
    async def list_models(self, tenant: str) -> list[ModelInfo]:
        return await self._call(self._list_models, tenant)  # type: ignore[no-any-return]

    def _list_models(self, tenant: str) -> list[ModelInfo]:
        client = self.client()
        prefix = f"{tenant}."
        models = []
        for rm in client.search_registered_models(filter_string=f"name LIKE '{prefix}%'"):
            if rm.tags.get(TENANT_TAG) != tenant:
                continue
            versions = client.search_model_versions(f"name='{rm.name}'")
            infos = sorted((self._version(client, mv) for mv in versions), key=lambda v: v.version)
            models.append(ModelInfo(rm.name[len(prefix) :], infos, dict(rm.tags)))
        return sorted(models, key=lambda m: m.name)

    def _version(self, client: Any, mv: Any) -> ModelVersion:
        tenant, _, name = mv.name.partition(".")
        metrics: dict[str, float] = {}
        lineage: dict[str, Any] = {"source": mv.source, "run_id": mv.run_id}
        if mv.run_id:
            run = client.get_run(mv.run_id)
            metrics = {k: float(v) for k, v in run.data.metrics.items()}
            lineage.update(
                experiment_id=run.info.experiment_id,
                params=dict(run.data.params),
                dataset=run.data.params.get("dataset"),
                trained_by=run.data.tags.get("opscopilot.job_id")
                or run.data.tags.get("opscopilot.trained_by"),
            )
        created = mv.creation_timestamp or 0
        return ModelVersion(name, int(mv.version), metrics, dict(mv.tags), lineage, str(created))

    async def get_version(self, tenant: str, name: str, version: int | None = None) -> ModelVersion:
        return await self._call(self._get_version, tenant, name, version)  # type: ignore[no-any-return]

    def _get_version(self, tenant: str, name: str, version: int | None) -> ModelVersion:
        client = self.client()
        full = self.full_name(tenant, name)
        if version is None or version <= 0:
            versions = client.search_model_versions(f"name='{full}'")
            if not versions:
                raise OpsNotFound(f"model {name!r} has no versions")
            mv = max(versions, key=lambda v: int(v.version))
        else:
            mv = client.get_model_version(full, str(version))
        return self._version(client, mv)

    async def load(self, tenant: str, name: str, version: int) -> Predictor:
        key = (tenant, name, version)
        if key not in self._models:
            self._models[key] = await self._call(self._load, tenant, name, version)
        return self._models[key]

    def _load(self, tenant: str, name: str, version: int) -> Predictor:
        uri = self.client().get_model_version_download_uri(self.full_name(tenant, name), str(version))
        mlflow = import_mlflow()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mlflow.pyfunc.load_model(uri)  # type: ignore[no-any-return]

    # -- writes -----------------------------------------------------------------------------
    def register_trained(
        self, tenant: str, name: str, result: TrainResult, tags: dict[str, str] | None = None
    ) -> ModelVersion:
        """Log a trained model as an MLflow run and register it as the next version (synchronous)."""
        mlflow = import_mlflow()
        from mlflow.exceptions import MlflowException

        client = self.client()
        full = self.full_name(tenant, name)
        experiment_id = self._experiment(client, f"{tenant}/{name}")
        run_tags = {"mlflow.runName": f"train-{name}", **(tags or {})}
        run = client.create_run(experiment_id, tags=run_tags)
        run_id = run.info.run_id
        for key, value in result.params.items():
            client.log_param(run_id, key, value)
        for metric, number in result.metrics.items():
            client.log_metric(run_id, metric, number)
        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import sklearn

            path = Path(tmp) / "model"
            mlflow.sklearn.save_model(
                result.model, str(path), pip_requirements=[f"scikit-learn=={sklearn.__version__}"]
            )
            client.log_artifacts(run_id, str(path), "model")
        client.set_terminated(run_id)
        try:
            client.create_registered_model(full, tags={TENANT_TAG: tenant})
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        mv = client.create_model_version(
            full, source=f"{run.info.artifact_uri}/model", run_id=run_id, tags={"dataset": result.dataset}
        )
        return self._version(client, mv)

    def _experiment(self, client: Any, name: str) -> str:
        from mlflow.exceptions import MlflowException

        found = client.get_experiment_by_name(name)
        if found is not None:
            return str(found.experiment_id)
        location = (self.artifacts / name.replace("/", "_")).as_uri()
        try:
            return str(client.create_experiment(name, artifact_location=location))
        except MlflowException:
            found = client.get_experiment_by_name(name)  # another process created it meanwhile
            if found is None:
                raise
            return str(found.experiment_id)
