"""Text and classification metrics against hand-computed values."""

from __future__ import annotations

import pytest

from evals.metrics import (
    MetricInputError,
    accuracy,
    bleu,
    exact_match,
    macro_f1,
    normalize_answer,
    pass_at_k,
    pass_hat_k,
    rouge_l,
    sentence_bleu,
    token_f1,
)


def test_squad_normalisation_and_exact_match() -> None:
    assert normalize_answer("The  Cat, sat!") == "cat sat"
    assert exact_match("the Eiffel Tower.", "Eiffel tower") == 1.0
    assert exact_match("Eiffel", ["Louvre", "eiffel"]) == 1.0
    assert exact_match("Paris", "London") == 0.0


def test_token_f1() -> None:
    # pred {cat, sat, on, mat} vs gold {cat, sat, on, red, mat}: p = 4/4, r = 4/5
    assert token_f1("the cat sat on the mat", "a cat sat on a red mat") == pytest.approx(2 * 1 * 0.8 / 1.8)
    assert token_f1("", "") == 1.0 and token_f1("x", "") == 0.0
    assert token_f1("cat", ["dog", "cat"]) == 1.0
    with pytest.raises(MetricInputError):
        token_f1("x", [])


def test_rouge_l_known_value() -> None:
    # LCS("the cat sat on the mat", "the cat on the mat") = 5 tokens
    s = rouge_l("the cat on the mat", "the cat sat on the mat")
    assert s.precision == pytest.approx(1.0) and s.recall == pytest.approx(5 / 6)
    assert s.fmeasure == pytest.approx(2 * (5 / 6) / (1 + 5 / 6))
    assert rouge_l("rolled back", ["deployed", "rolled back"]).fmeasure == pytest.approx(1.0)


def test_bleu_known_values() -> None:
    assert bleu(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(100.0)
    assert bleu(["the cat sat on a mat"], ["the cat sat on the mat"]) == pytest.approx(53.7284965911771)
    assert bleu(["a b c d"], [["x y z w", "a b c d"]]) == pytest.approx(100.0)
    assert 0.0 < sentence_bleu("the cat sat on a mat", "the cat sat on the mat") < 100.0
    with pytest.raises(MetricInputError):
        bleu(["a"], [])


def test_accuracy_and_macro_f1_hand_computed() -> None:
    y_true = ["oom", "oom", "timeout", "auth", "auth", "auth"]
    y_pred = ["oom", "timeout", "timeout", "auth", "oom", "auth"]
    assert accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    # oom: tp1 fp1 fn1 -> 0.5; timeout: tp1 fp1 fn0 -> 2/3; auth: tp2 fp0 fn1 -> 0.8
    assert macro_f1(y_true, y_pred) == pytest.approx((0.5 + 2 / 3 + 0.8) / 3)
    # an extra label nobody used scores 0 and pulls the mean down
    assert macro_f1(y_true, y_pred, labels=["oom", "timeout", "auth", "disk"]) == pytest.approx(
        (0.5 + 2 / 3 + 0.8) / 4
    )
    with pytest.raises(MetricInputError):
        accuracy(["a"], ["a", "b"])


def test_pass_at_k_and_pass_hat_k() -> None:
    runs = [True, True, False, True]
    assert pass_at_k(runs, 1) == pytest.approx(0.75)
    assert pass_hat_k(runs, 1) == pytest.approx(0.75)
    assert pass_at_k(runs, 4) == 1.0 and pass_hat_k(runs, 4) == 0.0
    assert pass_hat_k([True] * 3, 3) == 1.0
    assert pass_hat_k(runs, 2) == pytest.approx(3 / 6)  # C(3,2)/C(4,2)
    assert pass_at_k(runs, 2) == pytest.approx(1.0)  # C(1,2) = 0
    with pytest.raises(MetricInputError):
        pass_at_k(runs, 5)
