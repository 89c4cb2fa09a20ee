"""Semantic Kernel plugins and the deterministic engines behind them (logs, reports, registry, safety)."""
