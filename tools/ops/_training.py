"""Training a small scikit-learn model on a dataset bundled with scikit-learn (no download).

``good`` trains on breast cancer (30 features); ``broken`` trains on wine (13 features), so it
fails on every real request: a bad candidate for rollback drills and tests.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

__all__ = ["TrainResult", "sample_inputs", "train_model"]

DATASETS = {"good": "breast_cancer", "broken": "wine"}


@dataclass
class TrainResult:
    model: Any
    metrics: dict[str, float]
    params: dict[str, str]
    dataset: str
    features: int


def _load(dataset: str) -> tuple[Any, Any]:
    from sklearn import datasets

    loader = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}[dataset]
    x, y = loader(return_X_y=True)
    return x, y


def train_model(variant: str = "good", c: float = 1.0, seed: int = 0) -> TrainResult:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    dataset = DATASETS[variant]
    x, y = _load(dataset)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=1000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    metrics = {
        "accuracy": round(float(accuracy_score(y_test, predicted)), 4),
        "f1": round(float(f1_score(y_test, predicted, average="macro")), 4),
    }
    params = {"algorithm": "logistic_regression", "C": str(c), "seed": str(seed), "dataset": dataset}
    return TrainResult(model, metrics, params, dataset, x.shape[1])


def sample_inputs(n: int = 5, offset: int = 0) -> list[list[float]]:
    """Real rows of the serving dataset (breast cancer), as JSON-ready lists."""
    x, _ = _load("breast_cancer")
    rows = [x[(offset + i) % len(x)] for i in range(n)]
    return [[float(v) for v in row] for row in rows]
