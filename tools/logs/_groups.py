"""Constant recovery: split a Drain cluster by the few words its wildcards take.

Drain merges lines whose tokens mostly agree, so `Transitioned from NEW to RUNNING` and `... from
RUNNING to DONE`, or `stored as bytes` and `stored as values`, end up as one template with `<*>`
where an enumeration was. Log parsing benchmarks (and people) count those as different events. For
each wildcard position of a cluster we therefore keep the distinct values seen there, as long as
they are few (at most `constant_values`) and all digit-free words without masks. Such positions are
treated as constants and the cluster is split into one *group* per combination of their values.
A position that shows a masked token, a digit, or one word too many becomes a true variable for
good, and the groups that differed only there are merged back.

Memory per cluster is bounded: at most `constant_values` words per position and
`max_groups_per_cluster` groups (beyond that the cluster gives up splitting).

Lines seen before a position became a wildcard carried the cluster's first token there (Drain
only ever turns a template token into `<*>`), which is what `project` relies on to move a line's
group key from an older set of constant positions to the current one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._drain import PARAM
from ._stats import TemplateStats

__all__ = ["ClusterGroups", "Group"]


class Group:
    """One template: a cluster plus fixed values at its constant positions."""

    __slots__ = ("id", "seq", "stats")

    def __init__(self, template_id: str, seq: int, stats: TemplateStats | None = None) -> None:
        self.id = template_id
        self.seq = seq
        self.stats = stats if stats is not None else TemplateStats()


class ClusterGroups:
    """The groups of one Drain cluster and the value sets of its wildcard positions."""

    __slots__ = ("cand", "groups", "initial", "template", "values")

    def __init__(self, initial: tuple[str, ...]) -> None:
        self.initial = initial
        self.template = initial
        # wildcard position -> distinct words seen there, or None once it is a true variable
        self.values: dict[int, set[str] | None] = {p: None for p, t in enumerate(initial) if t == PARAM}
        self.cand: tuple[int, ...] = ()
        self.groups: dict[tuple[str, ...], Group] = {}

    def observe(
        self,
        template: tuple[str, ...],
        tokens: list[str] | tuple[str, ...],
        limit: int,
        is_variable: Callable[[str], bool],
    ) -> bool:
        """Update value sets with one line; True when the constant positions changed."""
        changed = False
        values = self.values
        if template is not self.template:
            for p, token in enumerate(template):
                if token == PARAM and p not in values:
                    first = self.initial[p]
                    values[p] = {first} if limit and not is_variable(first) else None
                    changed = True
            self.template = template
            if changed:
                self.cand = tuple(p for p in sorted(values) if values[p] is not None)
        dropped = False
        for p in self.cand:
            seen = values[p]
            value = tokens[p]
            if seen is not None and value not in seen:
                if len(seen) >= limit or is_variable(value):
                    values[p] = None
                    dropped = True
                else:
                    seen.add(value)
        if dropped:
            self.cand = tuple(p for p in self.cand if values[p] is not None)
        return changed or dropped

    def give_up(self) -> None:
        """Too many groups: every wildcard becomes a true variable."""
        for p in self.cand:
            self.values[p] = None
        self.cand = ()

    def project(self, cand: tuple[int, ...], key: tuple[str, ...]) -> tuple[str, ...]:
        """Move a key recorded under the constant positions `cand` to the current ones."""
        if cand == self.cand:
            return key
        index = {p: i for i, p in enumerate(cand)}
        return tuple(key[index[p]] if p in index else self.initial[p] for p in self.cand)

    def regroup(self, old_cand: tuple[int, ...], merge: Callable[[Group, Group], None]) -> None:
        """Re-key the groups after the constant positions changed; `merge(kept, dropped)`."""
        regrouped: dict[tuple[str, ...], Group] = {}
        for key, group in sorted(self.groups.items(), key=lambda kv: kv[1].seq):
            new_key = self.project(old_cand, key)
            kept = regrouped.get(new_key)
            if kept is None:
                regrouped[new_key] = group
            else:
                merge(kept, group)
        self.groups = regrouped

    def render(self, key: tuple[str, ...]) -> str:
        """Template text of the group with `key` (constants filled in, other wildcards `<*>`)."""
        tokens = list(self.template)
        for p, value in zip(self.cand, key, strict=True):
            tokens[p] = value
        return " ".join(tokens)

    def to_dict(self) -> dict[str, Any]:
        return {
            "initial": list(self.initial),
            "values": [[p, None if v is None else sorted(v)] for p, v in sorted(self.values.items())],
            "cand": list(self.cand),
            "groups": [[list(k), g.id, g.seq, g.stats.to_dict()] for k, g in self.groups.items()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], template: tuple[str, ...]) -> ClusterGroups:
        new = cls(tuple(str(t) for t in data["initial"]))
        new.template = template
        new.values = {int(p): None if v is None else {str(x) for x in v} for p, v in data["values"]}
        new.cand = tuple(int(p) for p in data["cand"])
        new.groups = {
            tuple(str(x) for x in key): Group(str(gid), int(seq), TemplateStats.from_dict(stats))
            for key, gid, seq, stats in data["groups"]
        }
        return new
