"""The TAT-QA metric port keeps the official script's semantics (and its quirks)."""

from __future__ import annotations

from typing import Any

import pytest

from evals._tatqa_metric import em_and_f1, get_answer_str, normalize_answer


def qa(answer: Any, answer_type: str, scale: str = "") -> dict[str, Any]:
    return {"answer": answer, "answer_type": answer_type, "scale": scale}


@pytest.mark.parametrize(
    ("gold", "pred", "pred_scale", "em"),
    [
        (qa(-22.22, "arithmetic", "percent"), "-22.22", "percent", 1.0),
        (qa(-22.22, "arithmetic", "percent"), "-22.2222", "percent", 1.0),  # both rounded to 2 places
        (qa(-22.22, "arithmetic", "percent"), "-22.22", "", 0.0),  # the scale must match ...
        (qa(-22.22, "arithmetic", "percent"), "-0.2222", "", 1.0),  # ... or be a plain fraction
        (qa(61.6, "arithmetic", "million"), "61.6", "", 0.0),
        (qa(61.6, "arithmetic", "million"), "61.6", "million", 1.0),
        (qa(14968.5, "arithmetic", "million"), "14968.50", "million", 1.0),
        (qa(["$(9,982)"], "span", "million"), "$(9,982)", "million", 1.0),
        (qa(["$(9,982)"], "span", "million"), "-9982", "million", 0.0),  # upstream: "(9,982)" is not negative
        (qa(["(0.4)"], "span", "million"), "-0.4", "million", 1.0),
        (qa(["−298"], "span", "million"), "−298", "million", 1.0),
        (qa(["2019"], "span"), "2019", "", 1.0),
        (qa(["the Fixed Price"], "span"), "fixed price", "", 1.0),
        (qa(["73,260", "57,768"], "multi-span", "thousand"), ["57,768", "73,260"], "thousand", 1.0),
        (qa(4, "count"), "4", "", 1.0),
        (qa(0, "arithmetic", "percent"), 0, "percent", 0.0),  # upstream treats a bare 0 as "no answer"
        (qa(0, "arithmetic", "percent"), "0", "percent", 1.0),
    ],
)
def test_exact_match(gold: dict[str, Any], pred: Any, pred_scale: str, em: float) -> None:
    assert em_and_f1(gold, pred, pred_scale)[0] == em


def test_f1_is_bag_of_words_for_spans_and_exact_match_for_arithmetic() -> None:
    em, f1 = em_and_f1(qa(["Canada", "United States"], "multi-span"), ["United States"], "")
    assert (em, f1) == (0.0, 0.8)
    em, f1 = em_and_f1(qa(12.5, "arithmetic"), "12.4", "")
    assert (em, f1) == (0.0, 0.0)


def test_empty_prediction_scores_nothing() -> None:
    assert em_and_f1(qa(["x"], "span"), "", "") == (0.0, 0.0)
    assert em_and_f1(qa(["x"], "span"), [], "") == (0.0, 0.0)


def test_answer_strings_and_normalisation() -> None:
    assert get_answer_str(["23.42"], "percent") == ["0.2342"]
    assert get_answer_str(["$1,496.5"], "million") == ["1496500000.0000"]
    assert get_answer_str(["Total sales"], "million") == ["Total sales million"]
    assert normalize_answer("The  Total, sales!") == "total sales"
