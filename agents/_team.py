"""The team: a router and the four agents in an AutoGen ``Swarm``.

Each user turn starts as a ``HandoffMessage`` to the router (or straight to the agent the user
addressed); agents hand off to each other within the turn (e.g. the ops assistant asks the
evaluator for evidence), and the turn ends at the first plain text answer or after ``MAX_MESSAGES``.
The same structure serves both modes: deterministic agents offline, ``AssistantAgent``s with an LLM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import ChatAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMessageTermination
from autogen_agentchat.teams import Swarm
from autogen_core.models import ChatCompletionClient

from tools import Toolbox

from ._names import AGENTS, DESCRIPTIONS, ROUTER
from ._offline import OfflineAgent, OfflineRouter, Skill
from ._prompts import Prompts

__all__ = ["MAX_MESSAGES", "TOOLS_BY_AGENT", "llm_team", "offline_team"]

MAX_MESSAGES = 16

# Which tools each agent may call: a plugin name (all its functions) or one full tool name.
TOOLS_BY_AGENT: dict[str, tuple[str, ...]] = {
    "log_analyst": ("logs",),
    "report_writer": ("reports",),
    "evaluator": ("evals", "ops-compare_versions", "ops-list_models"),
    "ops_assistant": ("ops",),
}
MAX_TOOL_ITERATIONS = 6


def _termination() -> TextMessageTermination | MaxMessageTermination:
    return TextMessageTermination() | MaxMessageTermination(MAX_MESSAGES)  # type: ignore[return-value]


def _tool_names(toolbox: Toolbox, agent: str) -> list[str]:
    allowed = TOOLS_BY_AGENT[agent]
    return [n for n in toolbox.names() if n in allowed or n.split("-", 1)[0] in allowed]


def offline_team(toolbox: Toolbox, skills: Mapping[str, Skill]) -> Swarm:
    participants: list[ChatAgent] = [OfflineRouter()]
    participants += [OfflineAgent(name, skills[name], toolbox) for name in AGENTS]
    return Swarm(participants, termination_condition=_termination())


def llm_team(toolbox: Toolbox, client_for: Callable[[str], ChatCompletionClient], prompts: Prompts) -> Swarm:
    router = AssistantAgent(
        ROUTER,
        model_client=client_for(ROUTER),
        handoffs=list(AGENTS),
        description="Routes each user message to the agent that should answer it.",
        system_message=prompts.render(ROUTER),
    )
    participants: list[ChatAgent] = [router]
    for name in AGENTS:
        participants.append(
            AssistantAgent(
                name,
                model_client=client_for(name),
                tools=toolbox.autogen_tools(_tool_names(toolbox, name), agent=name) or None,  # type: ignore[arg-type]
                handoffs=[a for a in AGENTS if a != name],
                description=DESCRIPTIONS[name],
                system_message=prompts.render(name),
                max_tool_iterations=MAX_TOOL_ITERATIONS,  # call tools until the model answers or hands off
                model_client_stream=True,
            )
        )
    return Swarm(participants, termination_condition=_termination())
