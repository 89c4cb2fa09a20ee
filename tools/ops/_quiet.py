"""Silencing the deprecation chatter of heavy third-party SDKs (MLflow, SQLAlchemy, azure-ai-ml,
marshmallow) so it neither floods logs nor trips warnings-as-errors in tests.

Idempotent and insert-only (no save/restore), so it is safe from worker threads; called before SDK
calls because test harnesses reset the warning filters between tests."""

from __future__ import annotations

import warnings

__all__ = ["quiet_third_party"]

_NOISY = r"(mlflow|sqlalchemy|alembic|sklearn|pydantic|azure|marshmallow|tools\.ops\._\w+)(\..*)?$"


def quiet_third_party() -> None:
    for category in (DeprecationWarning, FutureWarning, UserWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=_NOISY)
    try:
        from sqlalchemy.exc import SADeprecationWarning
    except ImportError:  # pragma: no cover
        return
    warnings.filterwarnings("ignore", category=SADeprecationWarning)
