"""The ``evals`` plugin (``EvalsPlugin``): offline grounding checks, text metrics and eval-run
comparisons as agent tools, over ``evals.metrics``."""

from ._plugin import EvalsPlugin, parse_sources

__all__ = ["EvalsPlugin", "parse_sources"]
