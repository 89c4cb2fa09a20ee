"""docs/configuration.md is generated from the settings model and must stay current."""

from __future__ import annotations

from pathlib import Path

from service.config_doc import render, rows

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_doc_is_current() -> None:
    assert DOC.read_text() == render(), "regenerate: python -m service.config_doc > docs/configuration.md"


def test_every_setting_is_listed_once() -> None:
    names = [env for env, _, _ in rows()]
    assert len(names) == len(set(names))
    assert "OPSCOPILOT_COSMOS__ENDPOINT" in names and "OPSCOPILOT_LLM__DEPLOYMENTS" in names
