"""Drain3's `Drain`, adapted: mask-aware tree routing, pre-split tokens, a cluster cap, JSON state.

* A message whose tokens equal a cluster's current template goes straight to that cluster (a dict
  lookup). Drain scores template wildcards as mismatches, so a message of mostly masked tokens
  (`onExtend:<*> <*> <*> <*>`) would otherwise fail to match its own template and open a new,
  identical cluster every time the miner's route cache has forgotten it.
* Drain routes tokens that contain digits to the `<*>` branch of its prefix tree. After masking no
  digits are left, so `blk_<*>` or `MSRA-SA-<*>.corp` would open one branch per spelling; here a
  token that contains a mask token is routed like a number.
* `add_tokens` takes the tokens the miner already split (no second split) and refuses to open a new
  cluster beyond `max_clusters` (memory stays bounded on hostile input).
* `dump_drain` / `load_drain` write the clusters and the prefix tree as plain JSON-able data
  (Drain3's own snapshots are jsonpickle, which can construct arbitrary objects when loaded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drain3.drain import Drain, LogCluster, Node

__all__ = ["MaskAwareDrain", "dump_drain", "load_drain"]

PARAM = "<*>"


class MaskAwareDrain(Drain):
    """`drain3.drain.Drain` with mask-aware routing and a cap on the number of clusters."""

    def __init__(self, *, is_variable: Callable[[str], bool], max_clusters: int, **kwargs: Any) -> None:
        super().__init__(param_str=PARAM, **kwargs)
        self._is_variable = is_variable
        self.cluster_cap = max_clusters
        self.exact: dict[tuple[str, ...], LogCluster] = {}

    def has_numbers(self, s: str) -> bool:  # type: ignore[override]  # base: staticmethod
        return self._is_variable(s)

    def add_tokens(self, tokens: list[str]) -> LogCluster | None:
        """Drain's `add_log_message` for pre-split tokens; None when a new cluster would pass the cap."""
        exact = self.exact.get(tuple(tokens))
        if exact is not None:
            exact.size += 1
            return exact
        match: LogCluster | None = self.tree_search(self.root_node, tokens, self.sim_th, False)
        if match is None:
            if len(self.id_to_cluster) >= self.cluster_cap:
                return None
            self.clusters_counter += 1
            created = LogCluster(tokens, self.clusters_counter)
            self.id_to_cluster[created.cluster_id] = created
            self.add_seq_to_prefix_tree(self.root_node, created)
            self.exact.setdefault(created.log_template_tokens, created)
            return created
        cluster: LogCluster = match
        template = tuple(self.create_template(tokens, cluster.log_template_tokens))
        if template != cluster.log_template_tokens:
            holder = self.exact.get(cluster.log_template_tokens)
            if holder is not None and holder.cluster_id == cluster.cluster_id:
                del self.exact[cluster.log_template_tokens]
            cluster.log_template_tokens = template
            self.exact.setdefault(template, cluster)
        cluster.size += 1
        return cluster

    def reindex(self) -> None:
        """Rebuild the exact-template index (after clusters were loaded)."""
        self.exact = {}
        for cluster in sorted(self.id_to_cluster.values(), key=lambda c: c.cluster_id):
            self.exact.setdefault(cluster.log_template_tokens, cluster)


def _dump_node(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if node.cluster_ids:
        out["c"] = list(node.cluster_ids)
    if node.key_to_child_node:
        out["k"] = {key: _dump_node(child) for key, child in node.key_to_child_node.items()}
    return out


def _load_node(data: dict[str, Any]) -> Node:
    node = Node()
    node.cluster_ids = [int(i) for i in data.get("c", ())]
    node.key_to_child_node = {str(k): _load_node(v) for k, v in data.get("k", {}).items()}
    return node


def dump_drain(drain: Drain) -> dict[str, Any]:
    """Clusters, counter and prefix tree as JSON-able data."""
    return {
        "counter": drain.clusters_counter,
        "clusters": [[c.cluster_id, list(c.log_template_tokens), c.size] for c in drain.clusters],
        "tree": _dump_node(drain.root_node),
    }


def load_drain(drain: Drain, data: dict[str, Any]) -> None:
    """Restore what `dump_drain` wrote into a freshly built `drain` (same settings)."""
    drain.clusters_counter = int(data["counter"])
    drain.id_to_cluster.clear()
    for cluster_id, tokens, size in data["clusters"]:
        cluster = LogCluster([str(t) for t in tokens], int(cluster_id))
        cluster.size = int(size)
        drain.id_to_cluster[cluster.cluster_id] = cluster
    drain.root_node = _load_node(data["tree"])
    if isinstance(drain, MaskAwareDrain):
        drain.reindex()
