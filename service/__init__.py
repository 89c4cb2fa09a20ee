"""HTTP + SSE API, auth, CLI entry, settings and background workers."""
