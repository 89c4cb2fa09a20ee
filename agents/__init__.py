"""AutoGen AgentChat agents, the team that routes between them, model providers and prompts."""
