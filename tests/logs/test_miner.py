"""Template mining: constant recovery, stable ids, state round trips, bounds."""

from __future__ import annotations

import json
import zlib

import pytest

from tests.logs.conftest import sample_lines
from tools.logs import OVERFLOW_ID, LogMiner, MinerConfig, MinerState, MinerStateError, read_records, triage

USERS = ["root", "admin", "bob", "carl", "dave", "erin"]


def _failed(i: int, user: str | None = None) -> str:
    return f"Failed password for {user or USERS[i % len(USERS)]} from 10.0.{i % 7}.{i % 250} port {1000 + i} ssh2"


def test_templates_carry_counts_levels_examples_and_trend() -> None:
    miner = LogMiner()
    for i in range(30):
        miner.add(
            _failed(i), line_no=i + 1, level="ERROR", epoch=1_699_999_200 + 600 * i, example=f"line {i}"
        )
    miner.add("disk full on /dev/sda1", line_no=31, level="WARN")
    first, second = miner.templates()
    assert (first.text, first.count) == ("Failed password for <*> from <*> port <*> ssh<*>", 30)
    assert first.levels == {"ERROR": 30}
    assert first.examples == ("line 0", "line 1", "line 2")
    assert (first.first_seen and first.first_seen.line_no, first.last_seen and first.last_seen.line_no) == (
        1,
        30,
    )
    assert sum(n for _, n in first.trend) == 30 and len(first.trend) == 5  # 5 hours of 10-minute steps
    assert first.worst_level == "ERROR"
    assert (second.text, second.count, second.levels) == ("disk full on <*>", 1, {"WARN": 1})


def test_constant_recovery_keeps_enumerations_apart() -> None:
    lines = [
        f"Block rdd_{i} stored as {'bytes' if i % 3 else 'values'} in memory (size {i} KB)" for i in range(40)
    ]
    lines += [
        f"Task {i} moved from {a} to {b}"
        for i, (a, b) in enumerate([("NEW", "RUNNING"), ("RUNNING", "DONE")] * 5)
    ]
    texts = {t.text: t.count for t in _mine(lines).templates()}
    assert texts == {
        "Block rdd_<*> stored as bytes in memory (size <*>)": 26,
        "Block rdd_<*> stored as values in memory (size <*>)": 14,
        "Task <*> moved from NEW to RUNNING": 5,
        "Task <*> moved from RUNNING to DONE": 5,
    }
    # six different user names are a variable, not an enumeration; and the feature can be turned off
    assert [t.text for t in _mine([_failed(i) for i in range(60)]).templates()] == [
        "Failed password for <*> from <*> port <*> ssh<*>"
    ]
    assert len(_mine(lines, MinerConfig(constant_values=0)).templates()) == 2


def _mine(lines: list[str], config: MinerConfig | None = None) -> LogMiner:
    miner = LogMiner(config)
    miner.add_all(lines)
    return miner


def test_ids_are_deterministic_and_survive_generalisation() -> None:
    a, b = _mine([_failed(0, "root")]), _mine([_failed(5, "root")])
    (ta,), (tb,) = a.templates(), b.templates()
    assert ta.id == tb.id and ta.id.startswith("t") and len(ta.id) == 13
    a.add_all(_failed(i) for i in range(1, 40))  # 'root' becomes <*> once a 4th user shows up
    (after,) = a.templates()
    assert after.text == "Failed password for <*> from <*> port <*> ssh<*>"
    assert after.id == ta.id and after.merged_ids  # the per-user templates folded into the oldest id
    assert all(a.resolve_id(old) == ta.id for old in after.merged_ids)
    assert a.resolve_id("tnope") is None


def test_state_keeps_template_ids_stable_across_uploads() -> None:
    upload_1 = sample_lines("openssh")[:120]
    upload_2 = sample_lines("openssh")[120:] + [
        "Dec 10 11:00:00 LabSZ sshd[1]: Server listening on 0.0.0.0 port 22."
    ]
    first = triage(upload_1, log_format="openssh")
    saved = first.miner.export_state().to_bytes()
    second = triage(upload_2, log_format="openssh", miner=LogMiner.from_state(MinerState.from_bytes(saved)))
    # the same run in one go gives the same ids and counts
    both = triage(upload_1 + upload_2, log_format="openssh")
    assert {(t.id, t.text, t.count) for t in second.templates} == {
        (t.id, t.text, t.count) for t in both.templates
    }
    before = {t.id: t for t in first.templates}
    after = {t.id: t for t in second.templates}
    carried = [i for i in before if i in after]
    assert len(carried) >= len(before) - 2  # a template may fold into an older one ...
    for old in before:
        assert second.miner.resolve_id(old) in after  # ... but every old id still resolves
    assert sum(t.count for t in second.templates) == len(upload_1) + len(upload_2)
    assert sum(t.count_in_batch for t in second.templates) == len(upload_2)
    new = [t for t in second.templates if t.is_new]
    assert any(t.text == "Server listening on <*> port <*>." for t in new)
    assert not any(after[i].is_new for i in carried)


def test_state_round_trips_through_json_and_bytes() -> None:
    miner = _mine([_failed(i) for i in range(10)])
    state = miner.export_state()
    assert MinerState.from_json(state.to_json()).data == state.data
    assert MinerState.from_bytes(state.to_bytes()).data == state.data
    assert MinerState.load(state.dump()).data == MinerState.load(state.to_json()).data == state.data
    assert state.template_count == 1 and state.config == miner.config
    restored = LogMiner.from_state(state)
    assert [t.to_dict() for t in restored.templates()] == [t.to_dict() for t in miner.templates()]


def test_bad_states_raise_miner_state_error() -> None:
    state = _mine([_failed(1)]).export_state()
    with pytest.raises(MinerStateError, match="damaged"):
        MinerState.from_bytes(b"not zlib")
    with pytest.raises(MinerStateError, match="not valid JSON"):
        MinerState.from_bytes(zlib.compress(b"{nope"))
    with pytest.raises(MinerStateError, match="version"):
        MinerState.from_json(json.dumps({**state.data, "version": 99}))
    other = {**state.data, "config": {**state.data["config"], "sim_th": 0.9}}
    with pytest.raises(MinerStateError, match="different mining settings"):
        LogMiner.from_state(MinerState(other))
    broken = {**state.data, "drain": {"counter": 1, "clusters": [], "tree": {}}}
    with pytest.raises(MinerStateError, match="lacks"):
        LogMiner.from_state(MinerState(broken))
    with pytest.raises(MinerStateError, match="incomplete"):
        LogMiner.from_state(MinerState({k: v for k, v in state.data.items() if k != "aliases"}))


def test_template_cap_sends_the_rest_to_an_overflow_template() -> None:
    miner = LogMiner(MinerConfig(max_templates=3))
    assignments = miner.add_all(f"event{c} happened in zone {c}{c}" for c in "abcdefgh")
    templates = miner.templates()
    assert len(templates) == 4
    assert templates[0].id == OVERFLOW_ID and templates[0].count == 5
    assert [miner.resolve(a) for a in assignments].count(OVERFLOW_ID) == 5


def test_caches_do_not_change_the_result() -> None:
    contents = [r.content for r in read_records(sample_lines("healthapp"), log_format="healthapp")] * 2
    cached, uncached = _mine(contents), _mine(contents, MinerConfig(cache_size=0))
    assert [(t.id, t.text, t.count) for t in cached.templates()] == [
        (t.id, t.text, t.count) for t in uncached.templates()
    ]


def test_repeated_masked_messages_reuse_their_cluster_without_the_cache() -> None:
    miner = LogMiner(MinerConfig(cache_size=0))  # Drain alone would open a cluster per line here
    for i in range(2000):
        miner.add(f"onExtend:{i * 7919} {i % 13} {i % 5} {i % 3}")
        miner.add(f"REPORT : {i} {i * 3} {i * 5} {i * 7}")
    assert len(miner.drain.clusters) == 2
    assert sorted((t.text, t.count) for t in miner.templates()) == [
        ("REPORT : <*>", 2000),
        ("onExtend:<*> <*>", 2000),
    ]


def test_drain3_template_miner_is_usable_for_parameters() -> None:
    miner = _mine([_failed(i) for i in range(10)])
    (template,) = miner.templates()
    params = miner.template_miner.extract_parameters(template.text, _failed(99, "eve"))
    assert params is not None and params[0].value == "eve"


def test_memory_is_bounded_by_templates_not_lines() -> None:
    def generated(n: int):  # a generator: the input itself is never held in memory
        for i in range(n):
            kind = i % 4
            if kind == 0:
                yield f"Mar  1 10:{i // 6000 % 60:02d}:{i // 100 % 60:02d} h app[{i}]: {_failed(i // 4)}"
            elif kind == 1:
                yield f"Mar  1 10:{i // 6000 % 60:02d}:{i // 100 % 60:02d} h app[{i}]: job {i} took {i % 977}ms"
            elif kind == 2:
                yield f"Mar  1 10:{i // 6000 % 60:02d}:{i // 100 % 60:02d} h kernel: oom killed pid {i}"
            else:
                yield f"Mar  1 10:{i // 6000 % 60:02d}:{i // 100 % 60:02d} h app[{i}]: GET /api/v1/item/{i} 200"

    config = MinerConfig(cache_size=1000)
    result = triage(generated(200_000), log_format="syslog", config=config)
    assert result.records == 200_000
    assert len(result.templates) == 4
    assert sum(t.count for t in result.templates) == 200_000
    assert all(len(t.examples) <= config.examples for t in result.templates)
    miner = result.miner
    assert len(miner._masked) <= 1000 and len(miner._route) <= 1000
    state = miner.export_state().to_json()
    assert len(state) < 20_000  # the whole state: templates, tree, aggregates — no lines
