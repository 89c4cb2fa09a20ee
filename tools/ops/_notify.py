"""Resuming the conversation that proposed an operation: an assistant message from the ops
assistant, events appended to the proposing run, and the run moved out of ``waiting_approval``."""

from __future__ import annotations

from typing import Any

from store import Cond, Conflict, Message, NotFound, RunEvent, RunState, Store, utcnow

__all__ = ["AGENT", "Notifier"]

AGENT = "ops_assistant"


class Notifier:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def event(self, tenant: str, run_id: str | None, type: str, data: dict[str, Any]) -> None:
        """Append one event to the run, after its last one (the id is the seq: a lost race retries)."""
        if not run_id:
            return
        for _ in range(20):
            last = await self.store.run_events.list(
                tenant, where=[Cond("run_id", "=", run_id)], order_by="seq", descending=True, limit=1
            )
            seq = last.items[0].seq + 1 if last.items else 1
            try:
                await self.store.run_events.create(
                    RunEvent(
                        id=f"{run_id}-{seq:06d}",
                        tenant_id=tenant,
                        run_id=run_id,
                        seq=seq,
                        type=type,
                        agent=AGENT,
                        data=data,
                    )
                )
                return
            except Conflict:
                continue

    async def report(
        self,
        tenant: str,
        conversation_id: str | None,
        run_id: str | None,
        text: str,
        data: dict[str, Any],
        finish: RunState | None = None,
        error: str | None = None,
    ) -> None:
        """Say ``text`` in the conversation as the ops assistant; optionally finish the waiting run."""
        if not conversation_id:
            return
        user_id = "system"
        if run_id:
            try:
                user_id = (await self.store.runs.get(tenant, run_id)).user_id
            except NotFound:
                run_id = None
        await self.store.messages.create(
            Message(
                tenant_id=tenant,
                conversation_id=conversation_id,
                user_id=user_id,
                role="assistant",
                content=text,
                agent=AGENT,
                run_id=run_id,
                metadata={"mode": "offline", "model": "none", "agent": AGENT, "ops": data},
            )
        )
        await self.event(
            tenant, run_id, "message", {"content": text, "final": finish is not None, "ops": data}
        )
        if finish is not None and run_id:
            await self._finish(tenant, run_id, finish, error)

    async def _finish(self, tenant: str, run_id: str, state: RunState, error: str | None) -> None:
        moved = False

        def apply(run: Any) -> None:
            nonlocal moved
            moved = run.state == RunState.waiting_approval
            if moved:
                run.state = state
                run.error = error
                run.updated_at = utcnow()

        await self.store.runs.update(tenant, run_id, apply)
        if moved:
            await self.event(tenant, run_id, "run.completed", {"state": state.value, "resumed": True})
