"""`MinerState`: a miner's state as plain JSON, for the caller to store per tenant and source.

The state holds the Drain clusters and prefix tree, the constant-recovery groups with their ids and
aggregates, and the config it was mined with. It is plain data (no pickles): loading it never
constructs arbitrary objects. `to_bytes` is the zlib-compressed JSON.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._config import MinerConfig
from ._drain import dump_drain, load_drain
from ._errors import MinerStateError
from ._groups import ClusterGroups, Group
from ._stats import TemplateStats

if TYPE_CHECKING:
    from ._miner import LogMiner

__all__ = ["MinerState"]

STATE_VERSION = 1


@dataclass(frozen=True)
class MinerState:
    """A snapshot of a `LogMiner`; `LogMiner.from_state(state)` continues from it."""

    data: dict[str, Any]

    @property
    def config(self) -> MinerConfig:
        return MinerConfig.model_validate(self.data["config"])

    @property
    def template_count(self) -> int:
        return sum(len(c["groups"]) for c in self.data["clusters"].values())

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))

    def to_bytes(self) -> bytes:
        return zlib.compress(self.to_json().encode("utf-8"), 6)

    def dump(self) -> bytes:
        """Same as `to_bytes`: what a caller stores per tenant and source."""
        return self.to_bytes()

    @classmethod
    def load(cls, blob: bytes | str) -> MinerState:
        """Inverse of `dump`; also accepts what `to_json` wrote."""
        if isinstance(blob, str) or blob[:1] == b"{":
            return cls.from_json(blob)
        return cls.from_bytes(blob)

    @classmethod
    def from_json(cls, text: str | bytes) -> MinerState:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise MinerStateError(f"miner state is not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            version = data.get("version") if isinstance(data, dict) else None
            raise MinerStateError(f"unsupported miner state version {version!r} (expected {STATE_VERSION})")
        return cls(data)

    @classmethod
    def from_bytes(cls, blob: bytes) -> MinerState:
        try:
            text = zlib.decompress(blob)
        except zlib.error as exc:
            raise MinerStateError(f"miner state bytes are damaged: {exc}") from exc
        return cls.from_json(text)


def export_state(miner: LogMiner) -> MinerState:
    return MinerState(
        {
            "version": STATE_VERSION,
            "config": miner.config.model_dump(mode="json"),
            "fingerprint": miner.config.fingerprint(),
            "drain": dump_drain(miner.drain),
            "clusters": {str(cid): cg.to_dict() for cid, cg in miner.clusters.items()},
            "overflow": miner.overflow.stats.to_dict(),
            "aliases": miner.aliases,
            "issued": sorted(miner.issued),
            "batch": miner.batch,
            "records": miner.records,
            "seq": miner._seq,
        }
    )


def import_state(cls: type[LogMiner], state: MinerState) -> LogMiner:
    data = state.data
    try:
        config = state.config
        if config.fingerprint() != data["fingerprint"]:
            raise MinerStateError("miner state was saved with different mining settings")
        miner = cls(config)
        load_drain(miner.drain, data["drain"])
        for cid_text, cg_data in data["clusters"].items():
            cid = int(cid_text)
            cluster = miner.drain.id_to_cluster.get(cid)
            if cluster is None:
                raise MinerStateError(f"miner state names cluster {cid} that its Drain tree lacks")
            miner.clusters[cid] = ClusterGroups.from_dict(cg_data, cluster.log_template_tokens)
        miner.overflow = Group(miner.overflow.id, -1, TemplateStats.from_dict(data["overflow"]))
        miner.aliases = {str(k): str(v) for k, v in data["aliases"].items()}
        miner.issued = {str(i) for i in data["issued"]}
        miner.batch = int(data["batch"])
        miner.records = int(data["records"])
        miner._seq = int(data["seq"])
    except MinerStateError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise MinerStateError(f"miner state is incomplete or damaged: {exc!r}") from exc
    return miner
