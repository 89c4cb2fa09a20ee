"""`MinerConfig`: every tunable of masking and template mining, with the shared defaults.

The defaults are the single configuration used for all eight systems of the Loghub benchmark
(`python -m evals.loghub`); nothing is tuned per system.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ._masking import DEFAULT_RULES, Masker, MaskRule

__all__ = ["MaskRuleSpec", "MinerConfig"]

_RULE_NAMES = frozenset(r.name for r in DEFAULT_RULES)


class MaskRuleSpec(BaseModel):
    """A user-defined mask rule (runs before the built-in ones)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    pattern: str
    token: str = Field(default="VAR", pattern=r"^[A-Z_]+$")


class MinerConfig(BaseModel):
    """Tunables of the template miner. Immutable; `fingerprint()` names the mining-relevant part."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Drain
    sim_th: float = Field(default=0.4, ge=0.0, le=1.0, description="Drain similarity threshold")
    depth: int = Field(default=5, ge=3, le=16, description="Drain prefix-tree depth (3 = token count only)")
    max_children: int = Field(default=100, ge=2, description="Drain max children of an inner tree node")
    extra_delimiters: tuple[str, ...] = Field(default=(), description="characters split like whitespace")
    # masking
    masking: bool = Field(default=True, description="apply mask rules before mining")
    disabled_masks: frozenset[str] = Field(default=frozenset(), description="built-in mask rules to skip")
    extra_masks: tuple[MaskRuleSpec, ...] = ()
    typed_masks: bool = Field(default=False, description="write <IP>, <NUM> ... instead of <*>")
    # post-processing
    constant_values: int = Field(
        default=3,
        ge=0,
        description="a wildcard position whose values are at most this many distinct digit-free words "
        "is kept as constants (one template per value); 0 turns this off",
    )
    collapse_repeats: bool = Field(default=True, description="`blk_<*> blk_<*> blk_<*>` -> `blk_<*>`")
    max_groups_per_cluster: int = Field(default=256, ge=1)
    # bounds and aggregation
    max_templates: int = Field(
        default=20_000, ge=1, description="clusters beyond this go to one overflow template"
    )
    examples: int = Field(default=3, ge=0, description="example lines kept per template")
    example_chars: int = Field(default=2000, ge=16)
    bucket_seconds: int = Field(default=3600, ge=1, description="width of a trend bucket")
    max_buckets: int = Field(default=720, ge=1, description="newest buckets kept per template")
    cache_size: int = Field(default=100_000, ge=0, description="entries of the masked-content caches")

    @field_validator("disabled_masks")
    @classmethod
    def _known_rules(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = value - _RULE_NAMES
        if unknown:
            raise ValueError(f"unknown mask rules {sorted(unknown)}; known: {sorted(_RULE_NAMES)}")
        return value

    def masker(self) -> Masker:
        extra = [MaskRule(m.name, m.pattern, m.token, needs_digit=False) for m in self.extra_masks]
        if not self.masking:
            return Masker((), extra=extra, typed=self.typed_masks)
        return Masker(DEFAULT_RULES, disabled=self.disabled_masks, extra=extra, typed=self.typed_masks)

    def fingerprint(self) -> str:
        """Hash of the settings that change which template a line lands in."""
        mining = self.model_dump(
            mode="json",
            include={
                "sim_th",
                "depth",
                "max_children",
                "extra_delimiters",
                "masking",
                "disabled_masks",
                "extra_masks",
                "typed_masks",
                "constant_values",
                "collapse_repeats",
            },
        )
        mining["disabled_masks"] = sorted(mining["disabled_masks"])
        blob = json.dumps(mining, sort_keys=True).encode()
        return hashlib.blake2b(blob, digest_size=8).hexdigest()
