"""Fixtures of the log-triage tests: the small Loghub samples under tests/fixtures/loghub."""

from __future__ import annotations

from pathlib import Path

import pytest

LOGHUB = Path(__file__).resolve().parent.parent / "fixtures" / "loghub"


@pytest.fixture
def loghub() -> Path:
    """Root of the Loghub fixtures (first 200 lines of three systems, five lines of five more)."""
    return LOGHUB


def sample_lines(name: str) -> list[str]:
    """The fixture lines for a Loghub preset (`hdfs`, `openssh`, `healthapp`, `hadoop`, ...)."""
    full = {"hdfs": "HDFS", "openssh": "OpenSSH", "healthapp": "HealthApp"}
    if name in full:
        path = LOGHUB / full[name] / f"{full[name]}_2k.log"
    else:
        path = LOGHUB / "samples" / f"{name}.log"
    return path.read_text(encoding="utf-8").splitlines()
