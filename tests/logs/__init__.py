"""Tests of the deterministic log triage engine (`tools.logs`) and its benchmarks."""
