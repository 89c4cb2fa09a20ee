"""Versioned system prompts: Semantic Kernel prompt templates under ``agents/prompts/``.

Each ``<agent>.yaml`` has a ``version``, a default ``template`` and optional named ``variants``
(for A/B and eval runs). Rendering goes through SK's ``KernelPromptTemplate``; the version and
variant used are recorded with every answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from semantic_kernel import Kernel
from semantic_kernel.functions import KernelArguments
from semantic_kernel.prompt_template import KernelPromptTemplate, PromptTemplateConfig

__all__ = ["PROMPT_DIR", "Prompt", "Prompts"]

PROMPT_DIR = Path(__file__).parent / "prompts"


@dataclass(frozen=True)
class Prompt:
    agent: str
    version: str
    variant: str
    text: str


class Prompts:
    def __init__(self, directory: Path = PROMPT_DIR, variants: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.variants = variants or {}
        self._specs: dict[str, dict[str, Any]] = {}
        self._rendered: dict[str, Prompt] = {}

    def spec(self, agent: str) -> dict[str, Any]:
        if agent not in self._specs:
            self._specs[agent] = yaml.safe_load((self.directory / f"{agent}.yaml").read_text())
        return self._specs[agent]

    def available_variants(self, agent: str) -> list[str]:
        return ["default", *sorted(self.spec(agent).get("variants", {}))]

    async def load(self, agents: list[str], **variables: str) -> None:
        """Render every agent's prompt once (with its chosen variant) before the team is built."""
        for agent in agents:
            spec = self.spec(agent)
            variant = self.variants.get(agent, "default")
            template = spec["template"] if variant == "default" else spec["variants"][variant]
            config = PromptTemplateConfig(name=agent, template=template, template_format="semantic-kernel")
            text = await KernelPromptTemplate(prompt_template_config=config).render(
                Kernel(), KernelArguments(**variables)  # type: ignore[arg-type]  # SK types kwargs loosely
            )
            self._rendered[agent] = Prompt(agent, str(spec["version"]), variant, text)

    def get(self, agent: str) -> Prompt:
        return self._rendered[agent]

    def render(self, agent: str) -> str:
        return self._rendered[agent].text
