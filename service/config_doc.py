"""The configuration reference, generated from the one ``Settings`` model so it cannot drift:
``python -m service.config_doc > docs/configuration.md`` (a test checks the file is current)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from .settings import Settings

__all__ = ["render", "rows"]

PREFIX = "OPSCOPILOT_"

INTRO = """# Configuration

Every setting is an environment variable with the prefix `OPSCOPILOT_`; nested settings use `__`
(`OPSCOPILOT_COSMOS__ENDPOINT`), and lists or maps are JSON
(`OPSCOPILOT_LLM__DEPLOYMENTS='[{...}]'`). `service/settings.py` is the only place that reads the
environment. With nothing set, the service runs on the embedded default: SQLite and files under
`./var`, no LLM, no Azure. Secrets (`SecretStr`) are never printed, logged or returned.

Generated from the settings model by `python -m service.config_doc`.
"""


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        try:
            value = field.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "(built)"
    else:
        value = field.default
    if value is None or value == "" or value == {} or value == []:
        return "–"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, BaseModel):
        return "(see nested)"
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def rows(model: type[BaseModel] = Settings, prefix: str = PREFIX) -> Iterator[tuple[str, str, str]]:
    """(variable, default, description) for every leaf setting, nested models expanded."""
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        nested = _model_of(field.annotation)
        if nested is not None and getattr(field.annotation, "__origin__", None) not in (list, dict):
            yield from rows(nested, env + "__")
        else:
            yield env, _default(field), (field.description or "").replace("|", "\\|")


def render() -> str:
    lines = [INTRO, "| variable | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{env}` | `{default}` | {description} |" for env, default, description in rows()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
