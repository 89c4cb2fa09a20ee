"""The case schema, the bundled run datasets and uploads."""

from __future__ import annotations

import json

import pytest

from evals import DatasetError
from evals.datasets import BUNDLED, load_cases, parse_cases


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_datasets_load(name: str) -> None:
    cases = load_cases(name)
    assert len(cases) >= 14 and len({c.id for c in cases}) == len(cases)
    assert all(c.dataset == name for c in cases)


def test_each_kind_has_what_its_metrics_need() -> None:
    assert all(c.reference and c.sources for c in load_cases("chat_qa"))
    assert all(c.reference and c.agent == "report_writer" for c in load_cases("report_cases"))
    logs = load_cases("log_triage")
    assert {c.label for c in logs} == {"network", "timeout", "memory", "auth", "storage", "config"}
    checks = load_cases("grounding_checks")
    assert {c.label for c in checks} == {"grounded", "ungrounded"} and all(
        c.agent == "evaluator" for c in checks
    )


def test_message_fences_the_sources_unless_told_not_to() -> None:
    case = load_cases("report_cases")[0]
    assert case.message().startswith(case.input) and "```\n| (USD millions)" in case.message()
    check = load_cases("grounding_checks")[0]
    assert check.message() == check.input and "Sources:" in check.input


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": "a", "input": "q"}', "not json"], "line 2: not JSON"),
        (['{"id": "a", "input": "q", "answer": "x"}'], "line 1: answer: Extra inputs are not permitted"),
        (['{"id": "a", "input": ""}'], "line 1: input"),
        (['{"id": "a", "input": "q"}', '{"id": "a", "input": "r"}'], "line 2: duplicate id 'a'"),
        (['{"id": "a", "input": "q", "kind": "poem"}'], "line 1: kind"),
        (["[1, 2]"], "line 1: a case is a JSON object"),
        ([""], "no cases"),
    ],
)
def test_bad_uploads_name_the_line(lines: list[str], message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        parse_cases(lines, "mine")


def test_upload_with_one_reference_string(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mine.jsonl"
    path.write_text(
        json.dumps({"id": "x", "input": "q", "reference": "r", "sources": [{"id": "s", "text": "t"}]})
    )
    (case,) = load_cases(path)
    assert case.reference == ("r",) and case.dataset == "mine" and case.kind == "chat_qa"


def test_unknown_dataset() -> None:
    with pytest.raises(DatasetError, match="no dataset 'nope'"):
        load_cases("nope")
