"""The redacting wrapper the LLM provider layer puts around every request."""

from __future__ import annotations

import dataclasses
from typing import Any

from autogen_core import FunctionCall
from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    SystemMessage,
    UserMessage,
)

from tools.safety import RedactedMessages, RedactionSession, redact_messages, redacting, restore_reply


def test_dict_messages_are_copied_not_mutated() -> None:
    messages = [
        {"role": "system", "content": "You are OpsCopilot."},
        {"role": "user", "content": "why does alice@example.com get 403 from 10.0.0.5?"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "key sk-abcdefghijklmnopqrstuvwx1234"},
                {"type": "image_url"},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "logs", "arguments": '{"ip": "10.0.0.5"}'},
                }
            ],
        },
    ]
    snapshot = repr(messages)
    redacted, session = redact_messages(messages)
    assert repr(messages) == snapshot
    assert redacted[0] is messages[0]  # unchanged messages pass through
    assert redacted[1] == {"role": "user", "content": "why does <EMAIL_1> get 403 from <IP_1>?"}
    assert redacted[2]["content"] == [{"type": "text", "text": "key <SECRET_1>"}, {"type": "image_url"}]
    assert redacted[3]["tool_calls"][0]["function"]["arguments"] == '{"ip": "<IP_1>"}'
    assert session.restore("ask <EMAIL_1> about <IP_1>") == "ask alice@example.com about 10.0.0.5"


def test_autogen_messages() -> None:
    messages = [
        SystemMessage(content="Be brief."),
        UserMessage(content="triage /home/alice/run.log", source="user"),
        AssistantMessage(
            content=[FunctionCall(id="1", name="grep", arguments='{"path": "/home/alice/run.log"}')],
            source="a",
        ),
        FunctionExecutionResultMessage(
            content=[FunctionExecutionResult(call_id="1", name="grep", content="from 10.1.1.1")]
        ),
    ]
    result = redact_messages(messages)
    assert isinstance(result, RedactedMessages)
    out = result.messages
    assert out[0] is messages[0]
    assert isinstance(out[1], UserMessage) and out[1].content == "triage /home/<USER_1>/run.log"
    assert out[1].source == "user"
    call = out[2].content[0]
    assert dataclasses.is_dataclass(call) and call.arguments == '{"path": "/home/<USER_1>/run.log"}'
    assert out[3].content[0].content == "from <IP_1>"
    assert messages[1].content == "triage /home/alice/run.log"


def test_shared_session_keeps_placeholders_stable_across_calls() -> None:
    session = RedactionSession()
    a = redact_messages([{"role": "user", "content": "10.0.0.1 and 10.0.0.2"}], session)
    b = redact_messages([{"role": "user", "content": "only 10.0.0.2"}], session)
    assert a.messages[0]["content"] == "<IP_1> and <IP_2>"
    assert b.messages[0]["content"] == "only <IP_2>"
    assert b.session is session


class _FakeReply:
    def __init__(self, content: str) -> None:
        self.content = content
        self.finish_reason = "stop"


def test_restore_reply_shapes() -> None:
    session = RedactionSession()
    session.redact("bob@x.io")
    assert restore_reply("mail <EMAIL_1>", session) == "mail bob@x.io"
    assert restore_reply({"content": "to <EMAIL_1>", "n": 1}, session) == {"content": "to bob@x.io", "n": 1}
    reply = _FakeReply("hi <EMAIL_1>")
    restored = restore_reply(reply, session)
    assert restored is not reply and restored.content == "hi bob@x.io" and restored.finish_reason == "stop"
    assert reply.content == "hi <EMAIL_1>"
    assert restore_reply(None, session) is None


def test_redacting_sync_wrapper() -> None:
    seen: list[Any] = []

    def send(messages: list[dict[str, str]], *, temperature: float) -> str:
        seen.append((messages, temperature))
        return "Block " + messages[0]["content"].split()[-1]

    wrapped = redacting(send)
    assert (
        wrapped([{"role": "user", "content": "attacker is 203.0.113.9"}], temperature=0)
        == "Block 203.0.113.9"
    )
    assert seen == [([{"role": "user", "content": "attacker is <IP_1>"}], 0)]
    assert wrapped.session.mapping["<IP_1>"] == "203.0.113.9"
    assert wrapped.__wrapped__ is send


async def test_redacting_async_wrapper_and_restore_off() -> None:
    async def send(messages: list[UserMessage]) -> _FakeReply:
        return _FakeReply(f"seen {messages[0].content}")

    session = RedactionSession()
    wrapped = redacting(send, session=session)
    reply = await wrapped([UserMessage(content="token ghp_16C7e42F292c6912E7710c838347Ae178B4a", source="u")])
    assert reply.content == "seen token ghp_16C7e42F292c6912E7710c838347Ae178B4a"
    raw = await redacting(send, session=session, restore=False)(
        [UserMessage(content="ghp_16C7e42F292c6912E7710c838347Ae178B4a", source="u")]
    )
    assert raw.content == "seen <SECRET_1>"
