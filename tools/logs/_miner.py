"""`LogMiner`: masking + Drain3 + constant recovery + per-template aggregates, in bounded memory.

Per message: mask (cached by the message's *shape*: every digit read as 0, see `_masking`), split
into tokens, find the Drain cluster (cached by masked text, so repeated shapes skip the tree
search), pick the cluster's group by its constant positions (`_groups`), update that group's
aggregates. The route cache means a message whose masked text was seen before is counted in the
cluster it went to then; Drain itself could, rarely, prefer a cluster created in between.

Logs repeat their shapes heavily, so a memo (shape -> cluster and group) skips all of that for a
shape seen before, as long as nothing it depended on has changed since: the route cache was not
cleared, and the cluster's template, constant positions and groups are the same objects. The memo
only skips work; the result is the same with it and without it.

Template ids are stable. A group gets its id when it is created: `t` + 12 hex digits of the BLAKE2b
hash of its template text at that moment; the id is stored with the group in `MinerState`, so it
survives restarts and later generalisation of the text (`Failed password for <*> ...` keeps the id
it got as `Failed password for root ...`). When groups merge, the oldest id wins and the others stay
resolvable through `resolve_id`. Two fresh miners fed the same first line of a template give it the
same id. Drain's integer cluster ids are internal and never shown.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from drain3 import TemplateMiner
from drain3.drain import LogCluster
from drain3.template_miner_config import TemplateMinerConfig

from ._config import MinerConfig
from ._drain import PARAM, MaskAwareDrain
from ._groups import ClusterGroups, Group
from ._state import MinerState, export_state, import_state
from ._stats import TemplateStats
from ._template import Template

if TYPE_CHECKING:
    from ._records import LogRecord

__all__ = ["OVERFLOW_ID", "Assignment", "LogMiner"]

#: Where a line went: (cluster id, constant positions at that time, their values). None = overflow.
Assignment = tuple[int, tuple[int, ...], tuple[str, ...]] | None
OVERFLOW_ID = "t-overflow"
_OVERFLOW_TEXT = "<too many templates: lines beyond the template cap>"
# bytes.translate is ~10x faster than str.translate for this
_SHAPE = bytes.maketrans(b"123456789", b"000000000")
_SHAPE_FINE = bytes.maketrans(b"23456789", b"11111111")


class LogMiner:
    """Mine templates from messages; keep only per-template aggregates."""

    def __init__(self, config: MinerConfig | None = None) -> None:
        self.config = cfg = config or MinerConfig()
        self.masker = cfg.masker()
        drain3_config = TemplateMinerConfig()
        drain3_config.drain_sim_th = cfg.sim_th
        drain3_config.drain_depth = cfg.depth
        drain3_config.drain_max_children = cfg.max_children
        drain3_config.drain_extra_delimiters = list(cfg.extra_delimiters)
        drain3_config.masking_instructions = self.masker.to_drain3()
        drain3_config.mask_prefix, drain3_config.mask_suffix = "<", ">"
        drain3_config.parametrize_numeric_tokens = True
        #: The Drain3 miner; its `drain` is our mask-aware subclass, its masker has our rules (so
        #: `template_miner.extract_parameters(...)` works), but `add` masks with its own cache.
        self.template_miner = TemplateMiner(config=drain3_config)
        self.drain = MaskAwareDrain(
            is_variable=self.is_variable,
            max_clusters=cfg.max_templates,
            depth=cfg.depth,
            sim_th=cfg.sim_th,
            max_children=cfg.max_children,
            parametrize_numeric_tokens=True,
        )
        self.template_miner.drain = self.drain
        self.clusters: dict[int, ClusterGroups] = {}
        self.overflow = Group(OVERFLOW_ID, -1)
        self.aliases: dict[str, str] = {}
        self.issued: set[str] = {OVERFLOW_ID}
        self.batch = 0
        self.records = 0
        self._seq = 0
        self._var_cache: dict[str, bool] = {}
        self._masked: dict[str | bytes, tuple[str, tuple[str, ...]]] = {}
        self._route: dict[str, LogCluster] = {}
        self._route_generation = 0  # counts clears of `_route`
        #: shape -> where its last line went, with what that depended on (see `_place`)
        self._memo: dict[str | bytes, tuple[Any, ...]] = {}
        self._memo_size = cfg.cache_size
        self._view: tuple[int, int, list[Template], dict[str, str]] | None = None  # records, batch
        self._shape = self.masker.shape_safe and cfg.masking
        self._cache_size = cfg.cache_size
        self._limits = (cfg.examples, cfg.example_chars, cfg.bucket_seconds, cfg.max_buckets)

    # -- per message ---------------------------------------------------------------------------
    def is_variable(self, token: str) -> bool:
        """Whether a token is a variable: it has a digit or a mask token in it."""
        hit = self._var_cache.get(token)
        if hit is None:
            hit = token == PARAM or any(c.isdigit() for c in token) or self.masker.has_mask(token)
            if len(self._var_cache) >= 200_000:
                self._var_cache.clear()
            self._var_cache[token] = hit
        return hit

    def tokens(self, content: str) -> tuple[str, ...]:
        """The masked tokens Drain sees for `content`."""
        return self._mask(content, self._key(content))[1]

    def _key(self, content: str) -> str | bytes:
        if not self._shape:
            return content
        encoded = content.encode("utf-8", "surrogatepass")
        key = encoded.translate(_SHAPE)
        if b"0x" in key or b"0X" in key:  # the hex rule tells `0x1f` from `1x1f`
            key = encoded.translate(_SHAPE_FINE)
        return key

    def _mask(self, content: str, key: str | bytes) -> tuple[str, tuple[str, ...]]:
        hit = self._masked.get(key)
        if hit is not None:
            return hit
        text = self.masker.mask(content)
        for delimiter in self.config.extra_delimiters:
            text = text.replace(delimiter, " ")
        tokens = [sys.intern(t) for t in text.split()]  # words repeat across cache entries
        if self.config.collapse_repeats and len(tokens) > 1:
            kept = [tokens[0]]
            for token in tokens[1:]:
                if token != kept[-1] or not self.is_variable(token):
                    kept.append(token)
            tokens = kept
        hit = (" ".join(tokens), tuple(tokens))
        if len(self._masked) >= self._cache_size:
            self._masked.clear()
        self._masked[key] = hit
        return hit

    def add(
        self,
        content: str,
        line_no: int = 0,
        level: str | None = None,
        epoch: int | None = None,
        timestamp_raw: str | None = None,
        example: str | LogRecord | None = None,
    ) -> Assignment:
        """Add one message; returns where it went (see `resolve`). `example` is the text kept as an
        example line (default: `content`); a `LogRecord` is only turned into text when needed."""
        return self._add(content, None, line_no, level, epoch, timestamp_raw, example)

    def _add(
        self,
        content: str,
        shape: bytes | None,
        line_no: int,
        level: str | None,
        epoch: int | None,
        timestamp_raw: str | None,
        example: str | LogRecord | None,
    ) -> Assignment:
        """`add`, given `shape` = `content` encoded with every digit read as 0 if it is at hand
        (`triage` has it when the level came from the message)."""
        self.records += 1
        if self._shape:  # `_key`, inline: this runs for every line
            key: str | bytes = (
                content.encode("utf-8", "surrogatepass").translate(_SHAPE) if shape is None else shape
            )
            if b"0x" in key or b"0X" in key:
                key = content.encode("utf-8", "surrogatepass").translate(_SHAPE_FINE)
        else:
            key = content
        memo = self._memo.get(key)
        if memo is not None:
            generation, cluster, template, cg, cand, groups, group, assignment = memo
            if (
                generation == self._route_generation
                and cluster.log_template_tokens is template
                and cg.cand is cand
                and cg.groups is groups
            ):
                cluster.size += 1
            else:
                group, assignment = self._place(content, key)
        else:
            group, assignment = self._place(content, key)
        stats = group.stats
        raw = None
        if len(stats.examples) < self._limits[0]:
            raw = content if example is None else example if isinstance(example, str) else example.raw
        stats.add(self.batch, line_no, level, epoch, timestamp_raw, raw, self._limits)
        return assignment

    def add_record(self, record: LogRecord) -> Assignment:
        return self.add(
            record.content,
            line_no=record.line_no,
            level=record.level,
            epoch=record.epoch,
            timestamp_raw=record.timestamp_raw,
            example=record,
        )

    def _place(self, content: str, key: str | bytes) -> tuple[Group, Assignment]:
        """Mask, route and group one message (what `add` does for a shape not in `_memo`)."""
        masked, tokens = self._mask(content, key)
        cluster = self._route.get(masked)
        if cluster is None:
            cluster = self.drain.add_tokens(list(tokens))
            if cluster is None:
                return self.overflow, None
            if len(self._route) >= self._cache_size:
                self._route.clear()
                self._route_generation += 1
            self._route[masked] = cluster
        else:
            cluster.size += 1
        group, assignment = self._group(cluster, tokens)
        if self._memo_size:
            # Valid while the route cache and the cluster's template, constant positions and
            # groups stay the same objects: the next line of this shape would then go the same
            # way, and `observe` would find its words already seen (value sets only grow).
            cg = self.clusters[cluster.cluster_id]
            if len(self._memo) >= self._memo_size:
                self._memo.clear()
            template = cluster.log_template_tokens
            self._memo[key] = (
                self._route_generation,
                cluster,
                template,
                cg,
                cg.cand,
                cg.groups,
                group,
                assignment,
            )
        return group, assignment

    def _group(self, cluster: LogCluster, tokens: tuple[str, ...]) -> tuple[Group, Assignment]:
        cid: int = cluster.cluster_id
        template: tuple[str, ...] = cluster.log_template_tokens
        cg = self.clusters.get(cid)
        if cg is None:
            cg = self.clusters[cid] = ClusterGroups(template)
        if template is not cg.template or cg.cand:
            old = cg.cand
            if cg.observe(template, tokens, self.config.constant_values, self.is_variable):
                cg.regroup(old, self._merge)
        key = tuple([tokens[p] for p in cg.cand]) if cg.cand else ()
        group = cg.groups.get(key)
        if group is None:
            if len(cg.groups) >= self.config.max_groups_per_cluster:
                old = cg.cand
                cg.give_up()
                cg.regroup(old, self._merge)
                key = ()
                group = cg.groups.get(key)
            if group is None:
                group = cg.groups[key] = Group(self._new_id(cg.render(key)), self._seq)
                self._seq += 1
        return group, (cid, cg.cand, key)

    def _new_id(self, text: str) -> str:
        base = "t" + hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=6).hexdigest()
        candidate, n = base, 1
        while candidate in self.issued:
            n += 1
            candidate = f"{base}-{n}"
        self.issued.add(candidate)
        return candidate

    def _merge(self, kept: Group, dropped: Group) -> None:
        kept.stats.merge(dropped.stats, examples=self.config.examples, max_buckets=self.config.max_buckets)
        self.aliases[dropped.id] = kept.id

    # -- results -------------------------------------------------------------------------------
    def templates(self) -> list[Template]:
        """Templates sorted by count (desc). Groups of different clusters whose texts end up equal
        are shown as one template (the oldest id wins)."""
        return self._snapshot()[0]

    def resolve(self, assignment: Assignment) -> str:
        """The current template id of a line, from what `add` returned for it."""
        index = self._snapshot()[1]
        if assignment is None:
            return OVERFLOW_ID
        cid, cand, key = assignment
        cg = self.clusters[cid]
        return index[cg.groups[cg.project(cand, key)].id]

    def resolve_id(self, template_id: str) -> str | None:
        """The current id of a template id handed out earlier (ids of merged templates follow)."""
        return self._snapshot()[1].get(template_id)

    def _follow(self, template_id: str) -> str:
        seen = set()
        while template_id in self.aliases and template_id not in seen:
            seen.add(template_id)
            template_id = self.aliases[template_id]
        return template_id

    def _snapshot(self) -> tuple[list[Template], dict[str, str]]:
        view = self._view
        if view is not None and view[0] == self.records and view[1] == self.batch:
            return view[2], view[3]
        cfg = self.config
        by_text: dict[str, tuple[Group, TemplateStats, list[str]]] = {}
        merged_by_id: dict[str, list[str]] = {}
        groups = [(cg.render(k), g) for cg in self.clusters.values() for k, g in cg.groups.items()]
        for text, group in sorted(groups, key=lambda tg: tg[1].seq):
            entry = by_text.get(text)
            if entry is None:
                by_text[text] = (group, group.stats.copy(), [])
            else:
                entry[1].merge(group.stats, examples=cfg.examples, max_buckets=cfg.max_buckets)
                entry[2].append(group.id)
        index: dict[str, str] = {}
        for group, _, merged in by_text.values():
            index[group.id] = group.id
            index.update((m, group.id) for m in merged)
        for old in self.aliases:  # ids of groups merged away earlier follow their survivor
            target = self._follow(old)
            if target in index:
                index[old] = index[target]
                merged_by_id.setdefault(index[target], []).append(old)
        out = []
        for text, (group, stats, merged) in by_text.items():
            folded = tuple(sorted({*merged, *merged_by_id.get(group.id, ())}))
            out.append(Template.build(group.id, text, stats, cfg.bucket_seconds, folded, self.batch))
        if self.overflow.stats.count:
            index[OVERFLOW_ID] = OVERFLOW_ID
            out.append(
                Template.build(
                    OVERFLOW_ID, _OVERFLOW_TEXT, self.overflow.stats, cfg.bucket_seconds, (), self.batch
                )
            )
        out.sort(key=lambda t: (-t.count, t.id))
        self._view = (self.records, self.batch, out, index)
        return out, index

    # -- state ---------------------------------------------------------------------------------
    def export_state(self) -> MinerState:
        """Everything needed to continue mining later with stable ids (see `MinerState`)."""
        return export_state(self)

    @classmethod
    def from_state(cls, state: MinerState) -> LogMiner:
        """A miner that continues where the exported one stopped."""
        return import_state(cls, state)

    def add_all(self, contents: Iterable[str]) -> list[Assignment]:
        """Add plain messages (tests, benchmarks); returns their assignments."""
        return [self.add(c) for c in contents]
