"""Conversations and their messages, scoped to the calling user; every change is audited."""

from __future__ import annotations

from agents import AgentRuntime, RunConflict
from store import Cond, Conversation, Message, NotFound, Page, Run, Store, utcnow

from .auth import Principal
from .errors import ConflictError, NotFoundError

__all__ = [
    "create_conversation",
    "delete_conversation",
    "get_conversation",
    "list_conversations",
    "list_messages",
    "post_message",
]


async def create_conversation(db: Store, who: Principal, title: str) -> Conversation:
    conv = await db.conversations.create(
        Conversation(tenant_id=who.tenant_id, user_id=who.user_id, title=title)
    )
    await db.audit.append(who.tenant_id, who.user_id, "conversation.create", conv.id, {"title": title})
    return conv


async def get_conversation(db: Store, who: Principal, conversation_id: str) -> Conversation:
    """The caller's own conversation; another user's or tenant's answers 404, never 403."""
    try:
        conv = await db.conversations.get(who.tenant_id, conversation_id)
    except NotFound:
        raise NotFoundError("conversation not found") from None
    if conv.user_id != who.user_id:
        raise NotFoundError("conversation not found")
    return conv


async def list_conversations(
    db: Store, who: Principal, limit: int, continuation: str | None
) -> Page[Conversation]:
    return await db.conversations.list(
        who.tenant_id,
        where=[Cond("user_id", "=", who.user_id)],
        descending=True,
        limit=limit,
        continuation=continuation,
    )


async def delete_conversation(db: Store, who: Principal, conversation_id: str) -> None:
    conv = await get_conversation(db, who, conversation_id)
    for message in await db.messages.all(who.tenant_id, where=[Cond("conversation_id", "=", conv.id)]):
        await db.messages.delete(who.tenant_id, message.id)
    await db.conversations.delete(who.tenant_id, conv.id)
    await db.audit.append(who.tenant_id, who.user_id, "conversation.delete", conv.id)


async def list_messages(
    db: Store, who: Principal, conversation_id: str, limit: int, continuation: str | None
) -> Page[Message]:
    conv = await get_conversation(db, who, conversation_id)
    return await db.messages.list(
        who.tenant_id, where=[Cond("conversation_id", "=", conv.id)], limit=limit, continuation=continuation
    )


async def post_message(
    db: Store, runtime: AgentRuntime, who: Principal, conversation_id: str, content: str, agent: str | None
) -> tuple[Message, Run]:
    """Store the user's message and start a run for it (one run at a time per conversation)."""
    conv = await get_conversation(db, who, conversation_id)
    try:
        run = await runtime.start(who.tenant_id, who.user_id, conv.id, agent)
    except RunConflict as exc:
        raise ConflictError(str(exc)) from None
    message = await db.messages.create(
        Message(
            tenant_id=who.tenant_id,
            conversation_id=conv.id,
            user_id=who.user_id,
            role="user",
            content=content,
            run_id=run.id,
            metadata={"agent": agent} if agent else {},
        )
    )

    def touch(c: Conversation) -> None:
        c.updated_at = utcnow()

    await db.conversations.update(who.tenant_id, conv.id, touch)
    await db.audit.append(who.tenant_id, who.user_id, "message.create", message.id, {"content": content})
    return message, run


async def get_run(db: Store, who: Principal, run_id: str) -> Run:
    """The caller's own run; anyone else's answers 404."""
    try:
        run = await db.runs.get(who.tenant_id, run_id)
    except NotFound:
        raise NotFoundError("run not found") from None
    if run.user_id != who.user_id:
        raise NotFoundError("run not found")
    return run


async def run_result(db: Store, run: Run) -> dict[str, object]:
    """The run with its final answer (the assistant message it produced), for plain JSON clients."""
    answers = await db.messages.all(
        run.tenant_id, where=[Cond("run_id", "=", run.id), Cond("role", "=", "assistant")]
    )
    answer = answers[-1] if answers else None
    return {
        "run_id": run.id,
        "conversation_id": run.conversation_id,
        "state": run.state.value,
        "agent": run.agent,
        "answer": answer.content if answer else None,
        "metadata": answer.metadata if answer else {},
        "error": run.error,
    }
