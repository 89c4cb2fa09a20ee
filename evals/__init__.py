"""Evaluators, datasets, the eval runner, the quality gate and benchmark scripts."""
