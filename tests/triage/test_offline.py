"""The offline parts: knowledge base, rewrite with variables explained, classifier, proposer, labels."""

from __future__ import annotations

import pytest

from tools.triage import (
    DEFAULT_CATEGORIES,
    Category,
    OfflineClassifier,
    find_family,
    propose,
    rewrite_offline,
)
from tools.triage._plugin import choose_label, parse_labels
from tools.triage._rewrite import align_variables, value_kind


def defaults() -> list[Category]:
    return [Category(tenant_id="t", **spec) for spec in DEFAULT_CATEGORIES]


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("connect() failed (111: Connection refused) while connecting to upstream", "connection"),
        ("read ECONNRESET from <*>", "connection"),
        ("getaddrinfo ENOTFOUND registry.internal", "dns"),
        ("Lock wait timeout exceeded; try restarting transaction", "db_lock"),
        ("canceling statement due to statement timeout", "timeout"),
        ("java.lang.OutOfMemoryError: Java heap space", "oom"),
        ("OSError: [Errno <*>] No space left on device: <*>", "disk_full"),
        ("open /etc/app.conf: permission denied", "permission"),
        ("401 Unauthorized: token expired", "auth"),
        ("x509: certificate has expired or is not yet valid", "tls"),
        ("upstream answered 502 Bad Gateway", "http_5xx"),
        ("429 Too Many Requests: rate limit exceeded", "quota"),
        ("Back-off restarting failed container scorer", "crash"),
        ("environment variable DATABASE_URL is not set", "config"),
        ("BlobNotFound: The specified blob does not exist.", "not_found"),
        ("NullPointerException at com.contoso.Orders.total(Orders.java:<*>)", "exception"),
        ("Receiving block blk_<*> src: /<*> dest: /<*>", None),
    ],
)
def test_knowledge_base_families(text: str, family: str | None) -> None:
    found = find_family(text)
    assert (found.name if found else None) == family


def test_rewrite_explains_the_family_and_the_variables() -> None:
    template = "<*> ERROR db Connection refused to <*>"
    rewrite = rewrite_offline(
        template, "ERROR", ["2024-06-12 02:14:01 ERROR db Connection refused to 10.0.0.5:5432"], 3
    )
    assert rewrite["family"] == "connection" and rewrite["source"] == "knowledge_base"
    assert all(rewrite[k] for k in ("what_happened", "impact", "check"))
    kinds = [v["kind"] for v in rewrite["variables"]]
    assert kinds == ["a date/time", "an IP address"]
    assert "10.0.0.5:5432" in rewrite["template_explained"]


def test_rewrite_without_a_family_is_generic_and_says_so() -> None:
    rewrite = rewrite_offline("widget <*> wobbled", "ERROR", ["widget 7 wobbled"], 4)
    assert rewrite["family"] is None and rewrite["source"] == "generic"
    assert "4 time(s)" in rewrite["what_happened"]
    assert rewrite["variables"] == [{"position": 1, "kind": "a number", "examples": ["7"]}]


def test_variable_alignment_is_linear_and_tolerant() -> None:
    assert align_variables("a <*> b <*>", "a   1  b 2") == ["1", "2"]
    assert align_variables("x <*> y", "nothing alike") is None
    # a pathological line cannot make the alignment backtrack
    assert align_variables("<*> <*> <*> <*> <*> <*> z", "a " * 5000) is None
    assert value_kind("alice@contoso.com") == "an email address" and value_kind("250ms") == "a duration"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("<*> ERROR feature-client Connection refused to feature-store:<*>", "infrastructure"),
        ("Failed password for invalid user <*> from <*> port <*> ssh2", "security-access"),
        ("java.lang.NullPointerException at com.foo.Bar.baz(<*>)", "application"),
        ("OSError: [Errno <*>] No space left on device: <*>", "infrastructure"),
        ("Deadlock found when trying to get lock", "application"),
        ("Receiving block blk_<*> src: /<*> dest: /<*>", None),
    ],
)
def test_offline_classifier(text: str, category: str | None) -> None:
    verdict = OfflineClassifier(defaults()).classify(text)
    assert verdict.category_id == category
    assert (verdict.confidence >= 0.35) == (category is not None)


def test_custom_categories_and_corrections_are_examples() -> None:
    custom = Category(
        tenant_id="t",
        id="messaging",
        name="messaging",
        description="Kafka brokers, consumer groups and topics.",
    )
    classifier = OfflineClassifier([*defaults(), custom])
    assert classifier.classify("consumer group rebalance stalled for topic <*>").category_id == "messaging"
    odd = "widget spline reticulation stalled on <*>"
    assert OfflineClassifier(defaults()).classify(odd).category_id is None
    corrected = OfflineClassifier(defaults(), {"application": ["widget spline reticulation stalled on <*>"]})
    verdict = corrected.classify(odd)
    assert verdict.category_id == "application" and verdict.confidence > 0.5


def test_proposer_groups_by_shared_word_and_skips_taken_names() -> None:
    unmatched = [
        {"id": "a", "hash": "h1", "text": "queue broker rebalance stalled for topic <*>", "count": 3},
        {"id": "b", "hash": "h2", "text": "queue broker offset commit lost", "count": 1},
        {"id": "c", "hash": "h3", "text": "widget wobbled", "count": 1},  # one line: not worth a category
    ]
    proposals = propose(unmatched, ["infrastructure"])
    assert [p.name for p in proposals] == ["queue"]
    assert [m["id"] for m in proposals[0].members] == ["a", "b"]
    assert propose(unmatched, ["Queue"]) == []  # the name is taken (or was rejected)


def test_labels_name_the_family_in_the_users_words() -> None:
    labels = parse_labels("network, timeout, memory, auth, storage, config")
    assert labels == ["network", "timeout", "memory", "auth", "storage", "config"]
    assert choose_label("dns", "getaddrinfo ENOTFOUND <*>", labels) == "network"
    assert choose_label("db_lock", "Lock wait timeout exceeded", labels) == "timeout"  # by shared words
    assert choose_label(None, "nothing in common", labels) is None
