"""An aiohttp app served on a free loopback port, for the fake servers of the tests."""

from __future__ import annotations

from aiohttp import web

__all__ = ["serve_app"]


async def serve_app(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start `app` on 127.0.0.1 (a port the OS picks); the runner (`await runner.cleanup()` to
    stop) and the port."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, runner.addresses[0][1]
