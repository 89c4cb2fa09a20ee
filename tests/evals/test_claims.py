"""Claim support: lexical overlap with the best source sentence, polarity and numeric consistency."""

from __future__ import annotations

import pytest

from evals.metrics import MetricInputError, Source, claim_support, split_claims

RUNBOOK = Source(
    "runbook",
    "Before promoting a model to production, the pipeline requires an approval from the model owner. "
    "Deployments to production are blocked on Fridays after 15:00. Rollbacks can be performed without approval.",
)
INCIDENT = Source(
    "incident",
    "The fraud-scoring-prod endpoint returned HTTP 503 errors for 47 minutes. Error rate peaked at 38.5% and p95 "
    "latency rose from 220 ms to 1,840 ms.",
)


def _score(claim: str, *sources: Source) -> float:
    (c,) = claim_support(claim, list(sources)).claims
    return c.score


def test_split_claims_drops_fragments_and_keeps_spans() -> None:
    answer = "Sure. Rollbacks can be performed without approval; deployments are blocked on Fridays."
    claims = split_claims(answer)
    assert [c[2] for c in claims] == [
        "Rollbacks can be performed without approval",
        "deployments are blocked on Fridays.",
    ]
    assert all(answer[s:e] == t for s, e, t in claims)


def test_supported_and_unsupported_claims() -> None:
    report = claim_support(
        "Production deployments are blocked on Fridays after 15:00. The endpoint returned errors for 47 minutes. "
        "The team will migrate the cluster to a new region next quarter.",
        [RUNBOOK, INCIDENT],
    )
    assert [c.supported for c in report.claims] == [True, True, False]
    assert report.claims[0].source_id == "runbook" and "Fridays" in (report.claims[0].evidence or "")
    assert report.supported_fraction == pytest.approx(2 / 3)
    assert 0 < report.score < 1


def test_wrong_number_makes_an_overlapping_claim_unsupported() -> None:
    (c,) = claim_support("The endpoint returned errors for 74 minutes.", [INCIDENT]).claims
    assert c.lexical > 0.6 and c.numeric == 0.0 and not c.supported
    (ok,) = claim_support("p95 latency went up by 1,620 ms.", [INCIDENT]).claims
    assert ok.numeric == 1.0


def test_negation_direction_and_unknown_identifier_lower_the_score() -> None:
    assert (
        _score("p95 latency fell from 1,840 ms to 220 ms.", INCIDENT)
        < _score("p95 latency rose from 220 ms to 1,840 ms.", INCIDENT) / 1.5
    )
    assert _score("Deployments to production are not blocked on Fridays after 15:00.", RUNBOOK) < 0.5
    assert (
        _score("The fraud-scoring-dev endpoint returned HTTP 503 errors.", INCIDENT)
        < _score("The fraud-scoring-prod endpoint returned HTTP 503 errors.", INCIDENT) / 1.5
    )


def test_empty_answer_and_bad_threshold() -> None:
    assert claim_support("", [RUNBOOK]).score == 1.0
    with pytest.raises(MetricInputError):
        claim_support("x", [RUNBOOK], threshold=2.0)
