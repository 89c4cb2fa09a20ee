"""Conversations and their messages, scoped to the calling user; every change is audited."""

from __future__ import annotations

from store import Cond, Conversation, Message, NotFound, Page, Store, utcnow

from .auth import Principal
from .errors import NotFoundError

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
    db: Store, who: Principal, conversation_id: str, content: str, agent: str | None
) -> Message:
    conv = await get_conversation(db, who, conversation_id)
    message = await db.messages.create(
        Message(
            tenant_id=who.tenant_id,
            conversation_id=conv.id,
            user_id=who.user_id,
            role="user",
            content=content,
            metadata={"agent": agent} if agent else {},
        )
    )

    def touch(c: Conversation) -> None:
        c.updated_at = utcnow()

    await db.conversations.update(who.tenant_id, conv.id, touch)
    await db.audit.append(who.tenant_id, who.user_id, "message.create", message.id, {"content": content})
    return message
