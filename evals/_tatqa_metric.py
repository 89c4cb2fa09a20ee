"""TAT-QA exact match and F1, ported from the official evaluation script.

Source: https://github.com/NExTplusplus/TAT-QA — ``tatqa_metric.py`` (``get_metrics``,
``get_answer_str``, ``add_percent_pred``, ``TaTQAEmAndF1.__call__``) and ``tatqa_utils.py``
(``normalize_answer``, ``to_number``, ``is_number``, ...). Re-implemented here without numpy,
pandas or scipy; behaviour (including its quirks) is kept:

* answers are sorted and joined into one string, numbers normalised to ``'%.4f'`` of the value
  rounded to 2 decimals times the scale factor (so "23.42" + "percent" == "0.2342");
* a non-numeric answer gets its scale word appended, so the scale must match for exact match;
* a scale-less numeric prediction is also tried as a plain number (``add_percent_pred``);
* F1 is the bag-of-words F1 over the optimal one-to-one alignment of answer bags, rounded to 2
  decimals; for arithmetic and count questions F1 is set to the exact match.
"""

from __future__ import annotations

import itertools
import math
import re
import string
from typing import Any

__all__ = ["em_and_f1", "get_answer_str", "get_metrics", "normalize_answer"]


def scale_to_num(scale: str) -> float:
    scale = scale.lower()
    if "hundred" in scale:
        return 100
    if "thousand" in scale:
        return 1000
    if "million" in scale:
        return 1000000
    if "billion" in scale:
        return 1000000000
    if "percent" in scale:
        return 0.01
    return 1


_EXCLUDE_IN_NUM = "'\"\\$€£¥%(),[]"


def _clean_num(text: str) -> str:
    return "".join(ch for ch in str(text) if ch not in _EXCLUDE_IN_NUM)


def extract_one_num_from_str(s: str) -> int | float | None:
    s = _clean_num(s)
    groups = re.findall(r"([+-]?\d+(\.\d+)?)|([+-]?\.\d+)", s)
    if not groups:
        return None
    num = groups[0][0]
    if num == "":
        return None
    return float(num) if "." in num else int(num)


def is_number(text: str) -> bool:
    try:
        words = " ".join(_clean_num(w) for w in text.split()).split()
        if not words:
            return False
        num = float(words[0])
        if math.isnan(num):
            return False
        return not (len(words) >= 2 and scale_to_num(words[1]) == 1)
    except ValueError:
        return False


def _negative_factor(x: str) -> int:
    return -1 if re.findall(r"(\([\d.\s]+\))", x.strip()) else 1


def _percent_factor(x: str) -> float:
    return 0.01 if re.findall(r"([\d.\s]+%)", x.strip()) else 1


def _word_scale_factor(x: str) -> float:
    for one in re.finditer(r"([\d.]+\s?[a-zA-Z]+)", x):
        return scale_to_num(one.group(0).lower())
    return 1


def to_number(text: str) -> float | None:
    num = extract_one_num_from_str(text)
    if num is None:
        return None
    return round(num * _word_scale_factor(text) * _negative_factor(text) * _percent_factor(text), 4)


_EXCLUDE = set(string.punctuation)


def _remove_punc(text: str) -> str:
    return text if is_number(text) else "".join(ch for ch in text if ch not in _EXCLUDE)


def _normalize_number(text: str) -> str:
    return str(to_number(text)) if is_number(text) else text


def normalize_answer(text: str) -> str:
    """Lower-case, drop punctuation and articles, normalise numbers, squeeze whitespace."""
    parts = []
    for token in re.split(" ", text):
        t = _normalize_number(_remove_punc(token.lower()))
        t = " ".join(re.sub(r"\b(a|an|the)\b", " ", t, flags=re.UNICODE).split())
        if t.strip():
            parts.append(t)
    return " ".join(parts).strip()


def _answer_to_bags(answer: str | list[str]) -> tuple[list[str], list[set[str]]]:
    raw = answer if isinstance(answer, list | tuple) else [answer]
    spans = [normalize_answer(s) for s in raw]
    return spans, [set(s.split()) for s in spans]


def _compute_f1(predicted: set[str], gold: set[str]) -> float:
    inter = len(gold & predicted)
    precision = 1.0 if not predicted else inter / len(predicted)
    recall = 1.0 if not gold else inter / len(gold)
    if precision == 0.0 and recall == 0.0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _align_bags(predicted: list[set[str]], gold: list[set[str]]) -> list[float]:
    """Optimal one-to-one alignment (what ``scipy.optimize.linear_sum_assignment`` computes)."""
    scores = [[_compute_f1(p, g) for p in predicted] for g in gold]
    n_g, n_p = len(gold), len(predicted)
    best: tuple[float, tuple[tuple[int, int], ...]] = (-1.0, ())
    if n_g <= n_p:
        for perm in itertools.permutations(range(n_p), n_g):
            pairs = tuple(zip(range(n_g), perm, strict=True))
            total = sum(scores[g][p] for g, p in pairs)
            if total > best[0]:
                best = (total, pairs)
    else:
        for perm in itertools.permutations(range(n_g), n_p):
            pairs = tuple(zip(perm, range(n_p), strict=True))
            total = sum(scores[g][p] for g, p in pairs)
            if total > best[0]:
                best = (total, pairs)
    out = [0.0] * max(n_g, n_p)
    for g, p in best[1]:
        out[g] = max(out[g], scores[g][p])
    return out


def get_metrics(predicted: str | list[str], gold: str | list[str]) -> tuple[float, float]:
    """Exact match and bag-of-words F1 of one prediction string against one gold string."""
    p_spans, p_bags = _answer_to_bags(predicted)
    g_spans, g_bags = _answer_to_bags(gold)
    em = 1.0 if set(p_spans) == set(g_spans) and len(p_spans) == len(g_spans) else 0.0
    per_bag = _align_bags(p_bags, g_bags)
    f1 = round(sum(per_bag) / len(per_bag), 2) if per_bag else 0.0
    return em, f1


def get_answer_str(answers: list[Any], scale: str) -> list[str]:
    ans_temp = []
    for ans in sorted(answers, key=str):
        ans_str = str(ans)
        if is_number(ans_str):
            ans_num = to_number(ans_str)
            if ans_num is None:
                if scale:
                    ans_str = f"{ans_str} {scale}"
            elif "%" in ans_str:
                ans_str = f"{ans_num:.4f}"
            else:
                ans_str = f"{round(ans_num, 2) * scale_to_num(scale):.4f}"
        elif scale:
            ans_str = f"{ans_str} {scale}"
        ans_temp.append(ans_str)
    return [" ".join(ans_temp)]


def _add_percent_pred(prediction_strings: list[str], pred_scale: str, pred: list[Any]) -> list[str]:
    if len(pred) > 1:
        return prediction_strings
    pred_str = str(pred[0])
    if not pred_scale and "%" not in pred_str and is_number(pred_str):
        num = to_number(pred_str)
        if num is not None:
            prediction_strings.append(f"{num:.4f}")
    return prediction_strings


def _gold_answers(qa: dict[str, Any]) -> list[str]:
    answer_type, content = qa["answer_type"], qa["answer"]
    if answer_type in ("multi-span", "span"):
        return list(content)
    if answer_type == "count":
        return [str(int(content))]
    return [str(content)]


def em_and_f1(qa: dict[str, Any], prediction: Any, pred_scale: str) -> tuple[float, float]:
    """Score one prediction against a TAT-QA question record (``answer``, ``answer_type``, ``scale``)."""
    if not prediction:  # as upstream: an empty prediction (or a bare numeric 0) scores nothing
        return 0.0, 0.0
    gold = _gold_answers(qa)
    if not gold:
        return 0.0, 0.0
    gold_strings = get_answer_str(gold, qa["scale"])
    pred_list = prediction if isinstance(prediction, list) else [prediction]
    pred_strings = _add_percent_pred(get_answer_str(pred_list, pred_scale), pred_scale, pred_list)
    best = max((get_metrics(p, g) for p in pred_strings for g in gold_strings), default=(0.0, 0.0))
    em, f1 = best
    if qa["answer_type"] in ("arithmetic", "count"):
        f1 = em
    return em, f1
