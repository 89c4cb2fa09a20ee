"""End to end in headless Chromium against a real service process with the demo seeded: sign in,
chat with a streamed answer and a clickable citation, approvals by two operators and a canary
followed live, log triage, dashboards, and Entra ID sign-in (PKCE against a mocked login host).
Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import ENTRA_CLIENT, TIMINGS, Jwks, Service

pytestmark = pytest.mark.slow

DOC = {
    "filename": "contoso-2019.md",
    "company": "Contoso",
    "content": "# Contoso annual report 2019\n\n| (USD in millions) | 2019 | 2018 |\n|---|---|---|\n"
    "| Revenue | 120.0 | 100.0 |\n| Net income | 12.0 | 9.0 |\n",
}
# Records, for the last assistant turn, each state the DOM goes through while the answer arrives.
TIMELINE = """() => {
  window.__timeline = [];
  new MutationObserver(() => {
    const turn = [...document.querySelectorAll("li.turn.assistant")].at(-1);
    if (!turn) return;
    window.__timeline.push({steps: turn.querySelectorAll(".steps > li").length, done: turn.hasAttribute("data-state"),
      busy: document.getElementById("messages")?.getAttribute("aria-busy") === "true"});
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => !el.closest("[hidden]") && !el.labels?.length && !el.getAttribute("aria-label") && !el.textContent.trim())
  .map((el) => el.outerHTML.slice(0, 120))"""


@contextmanager
def timed(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    TIMINGS[name] = round(time.perf_counter() - started, 1)


def assert_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED) == []


def ask(page: Page, text: str) -> Any:
    page.get_by_role("textbox", name="Message").fill(text)
    page.keyboard.press("Enter")
    return page.locator("li.turn.assistant").last


def other_version(service: Service) -> int:
    """The churn version that is not taking churn-prod's traffic now (tests may run in any order)."""
    ep = httpx.get(f"{service.url}/v1/endpoints/churn-prod", headers=service.headers("alice")).json()
    live = max(ep["traffic"], key=ep["traffic"].get)
    return 1 if live == "churn-v2" else 2


def test_sign_in_and_chat_with_a_streamed_answer_and_a_clickable_citation(
    session: Any, service: Service
) -> None:
    with timed("chat_s"):
        httpx.post(
            f"{service.url}/v1/documents", json=DOC, headers=service.headers("alice")
        ).raise_for_status()
        alice = session("alice")
        page = alice.page
        page.goto(service.url + "/")
        assert_labelled(page)
        expect(page.get_by_label("API key")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        assert page.url == service.url + "/"  # skipping moves focus, not the route
        page.get_by_label("API key").fill("ocp_not-a-real-key")
        page.get_by_role("button", name="Sign in with key").click()
        expect(page.get_by_role("alert")).to_contain_text("Sign-in refused")
        alice.sign_in("alice")
        expect(page.locator("#who")).to_contain_text("API key ocp_")
        assert_labelled(page)

        page.evaluate(TIMELINE)
        turn = ask(page, "What is the revenue of Contoso in 2019?")
        expect(turn).to_have_attribute("data-state", "succeeded")
        expect(turn.locator(".steps")).to_contain_text("router hands off to report_writer")
        expect(turn.locator(".steps")).to_contain_text("reports-answer_question")
        expect(turn.locator(".answer")).to_contain_text("120.0")
        # the activity showed up while the run was still going, with the log marked busy
        timeline = page.evaluate("window.__timeline")
        assert any(r["steps"] >= 2 and not r["done"] and r["busy"] for r in timeline), timeline
        expect(page.locator("#messages")).to_have_attribute("aria-busy", "false")
        expect(page.get_by_role("textbox", name="Message")).to_be_focused()
        alice.shot("chat-answer")

        turn.locator(".citations").get_by_role("link", name=re.compile(r"contoso-2019\.md")).click()
        expect(page.get_by_role("heading", name="Cited cell")).to_be_visible()
        expect(page.locator("#cited-cell")).to_contain_text("120.0")
        expect(page.locator("tr.cited")).to_have_count(1)
        alice.shot("chat-citation")


def test_two_operators_approve_a_deployment_and_see_it_complete(session: Any, service: Service) -> None:
    with timed("approve_two_operators_s"):
        version = other_version(service)
        alice = session("alice")
        alice.sign_in("alice")
        turn = ask(alice.page, f"deploy model churn version {version} to endpoint churn-prod at 100%")
        expect(turn).to_have_attribute("data-state", "waiting_approval")
        expect(turn.locator(".steps")).to_contain_text("ops_assistant hands off to evaluator")
        link = turn.locator(".steps li.approval a")
        expect(link).to_be_visible()
        alice.shot("approval-proposed-in-chat")
        approval_id = link.get_attribute("href").rsplit("/", 1)[1]
        # the requester sees the proposal but may not decide it
        link.click()
        alice.page.get_by_role("button", name="Approve").click()
        expect(alice.page.get_by_role("alert")).to_contain_text("not allowed for your role")
        alice.page.go_back()  # back to the conversation, which waits for the outcome
        expect(alice.page.locator("li.turn.assistant").last).to_have_attribute(
            "data-state", "waiting_approval"
        )

        olga = session("olga")
        olga.sign_in("olga", "#/approvals")
        olga.page.get_by_role(
            "link", name=re.compile(f"Deploy churn v{version} to churn-prod at 100%")
        ).first.click()
        detail = olga.page.locator("#approval-detail")
        expect(detail).to_contain_text("high risk")
        expect(detail).to_contain_text("0 of 2 approvals")
        expect(detail.get_by_role("heading", name="Plan")).to_be_visible()
        expect(detail.get_by_role("heading", name="Evidence")).to_be_visible()
        expect(detail).to_contain_text("Verdict: candidate is not worse")
        expect(detail).to_contain_text("Rollback plan:")
        assert_labelled(olga.page)
        olga.shot("approval-pending")
        olga.page.get_by_label("Comment").fill("Offline metrics match; go.")
        olga.page.get_by_role("button", name="Approve").click()
        expect(detail).to_contain_text("1 of 2 approvals")
        expect(detail).to_contain_text("olga approved")

        omar = session("omar")
        omar.sign_in("omar", f"#/approvals/{approval_id}")
        omar.page.get_by_label("Comment").fill("Second pair of eyes: approved.")
        omar.page.get_by_role("button", name="Approve").click()
        detail = omar.page.locator("#approval-detail")
        expect(detail.locator(".execution .badge")).to_have_text("succeeded")
        expect(detail.locator(".exec-steps")).to_contain_text(f"deployment churn-v{version} created")
        expect(detail).to_contain_text("2 of 2 approvals")
        omar.shot("approval-succeeded")
        # the requester's open conversation gets the outcome without a reload
        outcome = alice.page.locator("li.turn.assistant").nth(1)
        expect(outcome).to_contain_text(f"Deployed churn-v{version} (churn v{version}) to churn-prod at 100%")
        alice.shot("approval-outcome-in-chat")


@contextmanager
def traffic(service: Service, deployment: str) -> Iterator[None]:
    """Requests to the canary candidate (forced) until the block ends, so its gates can pass. Only
    to the candidate: its first request loads the model (seconds), which a p95 gate compared with
    a warm live deployment would count against it."""
    stop = threading.Event()

    def send() -> None:
        with httpx.Client(base_url=service.url, headers=service.headers("alice"), timeout=60) as client:
            while not stop.is_set():
                client.post(
                    "/v1/endpoints/churn-prod/score", json={"inputs": [[0.5] * 30], "deployment": deployment}
                )
                stop.wait(0.05)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def test_canary_steps_are_followed_live_until_the_rollout_completes(session: Any, service: Service) -> None:
    with timed("canary_s"):
        version = other_version(service)
        alice = session("alice")
        alice.sign_in("alice")
        turn = ask(alice.page, f"deploy model churn version {version} to endpoint churn-prod at 10%")
        expect(turn).to_have_attribute("data-state", "waiting_approval")
        approval_id = turn.locator(".steps li.approval a").get_attribute("href").rsplit("/", 1)[1]

        olga = session("olga")
        olga.sign_in("olga", f"#/approvals/{approval_id}")
        detail = olga.page.locator("#approval-detail")
        expect(detail).to_contain_text("medium risk")
        olga.page.get_by_role("button", name="Approve").click()
        canary = detail.get_by_role("list", name="Canary steps")
        expect(canary.locator("li")).to_have_text(
            [re.compile("^10%"), re.compile("^50%"), re.compile("^100%")]
        )
        expect(canary.locator("li.current")).to_contain_text("10%")
        olga.shot("canary-running")
        with traffic(service, f"churn-v{version}"):
            expect(detail.locator(".rollout .badge")).to_have_text("succeeded", timeout=30_000)
        expect(canary.locator("li.done")).to_have_count(3)
        olga.shot("canary-succeeded")


def _has_route(service: Service, path: str) -> bool:
    return path in httpx.get(f"{service.url}/openapi.json").json()["paths"]


def test_log_triage_upload_shows_progress_and_templates(
    session: Any, service: Service, tmp_path: Any
) -> None:
    with timed("triage_s"):
        tom = session("tom")
        tom.sign_in("tom", "#/triage")
        page = tom.page
        assert_labelled(page)
        if not _has_route(service, "/v1/logs/triage"):
            expect(page.locator("#triage-unavailable")).to_contain_text("not available")
            tom.shot("triage-not-available")
            pytest.xfail(
                "the log triage API (POST /v1/logs/triage) is not in this build yet; the page degrades to 'not available'"
            )
        log = tmp_path / "app.log"
        lines = [
            f"2024-05-0{1 + i % 9} 10:00:{i % 60:02d} INFO dfs.DataNode: Received block blk_{1000 + i} of size {i * 7} from /10.0.0.{i % 250}"
            for i in range(3000)
        ]
        lines += [
            f"2024-05-02 11:00:{i % 60:02d} ERROR dfs.DataNode: Exception writing block blk_{i} to mirror 10.0.1.{i % 250}"
            for i in range(300)
        ]
        lines += [  # fits no default category: the analyst suggests one
            f"2024-05-02 11:02:{i % 60:02d} ERROR replication: mirror lag {i} seconds exceeds budget on shard s{i}"
            for i in range(30)
        ]
        log.write_text("\n".join(lines) + "\n")
        page.get_by_label("Log file (plain or compressed)").set_input_files(str(log))
        page.get_by_role("button", name="Upload and triage").click()
        expect(page.locator("#triage-status")).to_contain_text("Triage done", timeout=60_000)
        expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
        expect(page.locator("#job-progress")).to_have_attribute("value", "100")
        rows = page.locator("#templates tbody tr")
        expect(rows).to_have_count(3)
        expect(
            page.locator("#categories-chart").get_by_role("img", name="Lines per category")
        ).to_be_visible()
        page.get_by_label("Level").select_option("ERROR")
        expect(rows).to_have_count(2)
        page.get_by_label("Text", exact=True).fill("exception writing")
        expect(rows).to_have_count(1)
        row = rows.first
        row.get_by_text("Explain").click()
        expect(row).to_contain_text("Exception writing block blk_0 to mirror")  # an example, redacted IP
        # a triager corrects the template's category, and decides the suggested one
        row.get_by_role("combobox").select_option("infrastructure")
        expect(row.get_by_role("status")).to_have_text(" saved")
        assert_labelled(page)
        tom.shot("triage-templates")
        suggestion = page.locator("#suggestions li.card").first
        expect(suggestion).to_contain_text("mirror lag")
        name = suggestion.locator("h3").inner_text()
        suggestion.get_by_role("button", name=f"Accept category {name}").click()
        expect(page.get_by_text("No suggested categories to review.")).to_be_visible()
        expect(page.locator("#categories-chart")).to_contain_text(name)
        tom.shot("triage-suggestion-accepted")


def test_log_triage_page_falls_back_to_polling_and_lenient_fields(session: Any, service: Service) -> None:
    """The triage page's fallbacks, against a fake API served by the browser's router: no SSE route
    (404: poll instead), progress as bytes, the category as a plain name, categories as {items}."""
    with timed("triage_contract_s"):
        tom = session("tom")
        polls: list[int] = []
        decided: list[str] = []
        job = {
            "id": "job-1",
            "state": "running",
            "progress": {"bytes_read": 50, "total_bytes": 100, "lines": 1000},
        }
        templates = [
            {"id": "t1", "text": "Received block <*> of size <*>", "count": 3000, "levels": {"INFO": 3000},
             "is_new": False, "category": "infrastructure", "first_seen": {"timestamp": "2024-05-01T10:00:00+00:00"}},
            {"id": "t2", "text": "Exception writing block <*> to mirror <*>", "count": 300, "levels": {"ERROR": 300},
             "is_new": True, "category": "application", "first_seen": {"timestamp": "2024-05-02T11:00:00+00:00"}},
        ]  # fmt: skip
        categories = [
            {"id": "infrastructure", "name": "infrastructure", "state": "active"},
            {
                "id": "replication",
                "name": "replication",
                "state": "suggested",
                "description": "Block copies to mirrors.",
            },
        ]

        def openapi(route: Any) -> None:
            spec = route.fetch().json()
            spec["paths"] |= {"/v1/logs/triage": {}, "/v1/logs/triage/{id}": {}, "/v1/logs/categories": {}}
            route.fulfill(json=spec)

        def logs(route: Any) -> None:
            path, method = httpx.URL(route.request.url).path, route.request.method
            if method == "POST" and path == "/v1/logs/triage":
                assert b'name="file"; filename="app.log"' in (route.request.post_data_buffer or b"")
                route.fulfill(status=202, json={"id": "job-1", "state": "queued"})
            elif path == "/v1/logs/triage/job-1/events":
                route.fulfill(status=404, json={"status": 404, "detail": "Not Found"})
            elif path == "/v1/logs/triage/job-1":
                polls.append(1)
                done = {
                    "state": "succeeded",
                    "progress": {"fraction": 1.0},
                    "result": {"templates": templates, "lines": 3300},
                }
                route.fulfill(json=job if len(polls) < 2 else job | done)
            elif path == "/v1/logs/categories":
                route.fulfill(json={"items": categories})
            elif method == "POST" and path.startswith("/v1/logs/categories/"):
                decided.append(path.rsplit("/", 2)[-2] + ":" + path.rsplit("/", 1)[-1])
                categories[1]["state"] = "active"
                route.fulfill(json=categories[1])
            else:
                route.fulfill(status=404, json={"status": 404, "detail": "Not Found"})

        tom.context.route("**/openapi.json", openapi)
        tom.context.route("**/v1/logs/**", logs)
        tom.sign_in("tom", "#/triage")
        page = tom.page
        expect(page.locator("#triage-unavailable")).to_be_hidden()
        expect(page.get_by_role("heading", name="replication")).to_be_visible()
        page.get_by_label("Log file (plain or compressed)").set_input_files(
            files=[{"name": "app.log", "mimeType": "text/plain", "buffer": b"2024-05-01 INFO hello\n" * 500}]
        )
        page.get_by_role("button", name="Upload and triage").click()
        expect(page.locator("#triage-status")).to_contain_text("Triage done")
        assert page.locator("#job-progress").get_attribute("value") == "100" and len(polls) >= 2
        rows = page.locator("#templates tbody tr")
        expect(rows).to_have_count(2)
        expect(
            page.locator("#categories-chart").get_by_role("img", name="Lines per category")
        ).to_be_visible()
        page.get_by_label("Level").select_option("ERROR")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Exception writing block")
        page.get_by_label("Level").select_option("")
        page.get_by_label("New only").check()
        expect(rows).to_have_count(1)
        assert_labelled(page)
        tom.shot("triage-contract")
        page.get_by_role("button", name="Accept category replication").click()
        expect(page.get_by_text("No suggested categories to review.")).to_be_visible()
        assert decided == ["replication:accept"]


def test_dashboards_chart_usage_latency_errors_drift_and_evaluations(session: Any, service: Service) -> None:
    with timed("dashboards_s"):
        with httpx.Client(base_url=service.url, headers=service.headers("alice")) as client:
            for _ in range(5):
                client.post(
                    "/v1/endpoints/churn-prod/score", json={"inputs": [[0.5] * 30]}
                ).raise_for_status()
        olga = session("olga")
        olga.sign_in("olga", "#/dashboards")
        page = olga.page
        latency = page.locator("#p-latency")
        expect(latency.get_by_role("img", name=re.compile("p95 latency"))).to_be_visible()
        expect(latency).to_contain_text("churn-prod/churn-v")
        expect(page.locator("#p-errors").get_by_role("img", name=re.compile("Error rate"))).to_be_visible()
        expect(
            page.locator("#p-agents").get_by_role("img", name=re.compile("Agent runs by day"))
        ).to_be_visible()
        for panel in ("usage", "budget", "evals", "agents", "drift", "alerts"):
            body = page.locator(f"#p-{panel} .panel-body")
            expect(body).to_have_attribute("aria-busy", "false")
            expect(body.locator(".error")).to_have_count(0)
        assert_labelled(page)
        olga.shot("dashboards")
        # a user may not read cost: those panels say so, the others still chart
        alice = session("alice")
        alice.sign_in("alice", "#/dashboards")
        expect(alice.page.locator("#p-usage .panel-body")).to_contain_text("not allowed for your role")
        expect(
            alice.page.locator("#p-latency").get_by_role("img", name=re.compile("p95 latency"))
        ).to_be_visible()
        alice.shot("dashboards-user")


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_entra_id_sign_in_by_redirect_with_pkce(session: Any, service: Service, jwks: Jwks) -> None:
    with timed("entra_s"):
        erin = session("erin")
        seen: dict[str, Any] = {}

        def login(route: Any) -> None:
            url = httpx.URL(route.request.url)
            if url.path.endswith("/oauth2/v2.0/authorize"):
                seen["authorize"] = q = dict(url.params)
                back = f"{q['redirect_uri']}?code=the-code&state={q['state']}"
                route.fulfill(status=302, headers={"location": back})
            elif url.path.endswith("/oauth2/v2.0/token"):
                seen["token"] = form = dict(parse_qsl(route.request.post_data or ""))
                ok = _challenge(form.get("code_verifier", "")) == seen["authorize"]["code_challenge"]
                token = jwks.token(oid="erin-oid", name="Erin Entra", roles=["OpsCopilot.User"])
                body = (
                    {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
                    if ok
                    else {"error": "invalid_grant"}
                )
                route.fulfill(
                    status=200 if ok else 400,
                    content_type="application/json",
                    body=json.dumps(body),
                    headers={"access-control-allow-origin": service.url},
                )
            else:
                route.abort()

        erin.context.route("https://login.microsoftonline.com/**", login)
        page = erin.page
        page.goto(service.url + "/#/chat")
        page.get_by_role("button", name="Sign in with Microsoft").click()
        expect(page.locator("#who")).to_contain_text("Erin Entra (Entra ID)")
        expect(page.locator("#conv-list")).to_contain_text("No conversations yet")
        authorize = seen["authorize"]
        assert authorize["client_id"] == ENTRA_CLIENT
        assert authorize["redirect_uri"] == service.url + "/"
        assert authorize["code_challenge_method"] == "S256" and authorize["response_type"] == "code"
        assert "api://" + ENTRA_CLIENT + "/.default" in authorize["scope"]
        assert seen["token"]["grant_type"] == "authorization_code" and seen["token"]["code"] == "the-code"
        assert page.url == service.url + "/#/chat"  # the code is gone from the address bar
        erin.shot("entra-signed-in")
