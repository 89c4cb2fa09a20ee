"""A loopback OpenAI-compatible server that plays the triage model and records every request body
exactly as it arrived (what left the service for the LLM).

It answers a triage batch by reading the template refs and category ids from the request's JSON
schema and prompt: a template mentioning ``refused`` goes to ``infrastructure``, ``denied`` to
``security-access``, anything else to ``none`` (proposed together as a new category). ``mode``
switches to broken answers: ``garbage`` (not JSON), ``error`` (HTTP 500 every time).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from tests.support.loopback import serve_app

_BLOCK = re.compile(r"^\[(t\d+)\][^\n]*explain=(yes|no)\ntemplate: ([^\n]*)", re.M)


class FakeTriageModel:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.mode = "ok"
        self.usage = (100, 20)
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def sent_text(self) -> str:
        """Every message text that reached the server, joined."""
        return "\n".join(
            m["content"] for b in self.bodies for m in b["messages"] if isinstance(m.get("content"), str)
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner, self.port = await serve_app(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
        items = []
        orphans = []
        for ref, explain, template in _BLOCK.findall(user):
            low = template.lower()
            category = (
                "infrastructure" if "refused" in low else "security-access" if "denied" in low else "none"
            )
            if category == "none":
                orphans.append(ref)
            text = {
                "what_happened": f"The model explains {ref}.",
                "impact": "Some users may see errors.",
                "check": "Check the service named in the message.",
            }
            items.append(
                {"ref": ref, "category": category, "confidence": 0.9}
                | (text if explain == "yes" else dict.fromkeys(text))
            )
        new = (
            {"name": "queueing", "description": "Message queue problems.", "refs": orphans}
            if orphans
            else None
        )
        return {"templates": items, "new_category": new}

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        if self.mode == "error":
            return web.json_response({"error": {"message": "scripted 500", "type": "scripted"}}, status=500)
        content = "this is not JSON" if self.mode == "garbage" else json.dumps(self.answer(body))
        prompt, completion = self.usage
        return web.json_response(
            {
                "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
            }
        )  # fmt: skip
