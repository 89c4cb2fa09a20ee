"""The ``opscopilot`` command line."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from store import Store

from .auth import Role, issue_key
from .settings import Settings
from .storage import build_store

__all__ = ["app", "main"]

app = typer.Typer(help="OpsCopilot: multi-agent copilot for ML/LLM operations.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of the embedded default.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
console = Console()

T = TypeVar("T")

DEMO_TENANT = "demo"
DEMO_USERS = [
    ("alice", [Role.user]),
    ("tom", [Role.triager, Role.user]),
    ("olga", [Role.operator]),
    ("omar", [Role.operator]),
    ("adam", [Role.admin]),
]


def _with_store(work: Callable[[Store], Awaitable[T]]) -> T:
    async def run() -> T:
        db = build_store(Settings())
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default from settings: 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings: 8000).")] = None,
) -> None:
    """Start the service."""
    import uvicorn

    from .app import create_app

    settings = Settings()
    host = host or settings.host
    port = port or settings.port
    console.print(f"OpsCopilot on http://{host}:{port}  (store: {settings.store_backend}, docs: /docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@keys_app.command("create")
def keys_create(
    user: Annotated[str, typer.Option(help="User the key belongs to.")],
    tenant: Annotated[str, typer.Option(help="Tenant of the user.")],
    role: Annotated[list[Role], typer.Option(help="Role (repeatable): user, triager, operator, admin.")],
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
) -> None:
    """Create an API key; the key is the last word of the output."""

    async def create(db: Store) -> str:
        key, record = await issue_key(db, tenant, user, role, name)
        await db.audit.append(
            tenant, "cli", "key.create", record.prefix, {"user": user, "roles": [r.value for r in role]}
        )
        return key

    key = _with_store(create)
    typer.echo(f"Created key for {user}@{tenant} ({', '.join(r.value for r in role)}): {key}")


@keys_app.command("list")
def keys_list(tenant: Annotated[str, typer.Option(help="Tenant.")]) -> None:
    """List a tenant's keys (prefixes only)."""
    keys = _with_store(lambda db: db.api_keys.all(tenant))
    table = Table("id", "prefix", "user", "roles", "revoked")
    for k in keys:
        table.add_row(k.id[:12], k.prefix, k.user_id, ",".join(k.roles), str(k.revoked))
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, tenant: Annotated[str, typer.Option(help="Tenant.")]) -> None:
    """Revoke a key by its id (see `keys list`)."""

    async def revoke(db: Store) -> None:
        for key in await db.api_keys.all(tenant):
            if key.id.startswith(key_id):
                key.revoked = True
                await db.api_keys.replace(key)
                await db.audit.append(tenant, "cli", "key.revoke", key.prefix)
                typer.echo(f"revoked {key.prefix}")
                return
        raise typer.BadParameter("no such key")

    _with_store(revoke)


@audit_app.command("verify")
def audit_verify(tenant: Annotated[str, typer.Option(help="Tenant whose chain to check.")]) -> None:
    """Check a tenant's hash chain; exit 1 and name the first broken link if it was tampered with."""
    report = _with_store(lambda db: db.audit.verify(tenant))
    if report.ok:
        typer.echo(f"audit chain of {tenant}: OK ({report.checked} events)")
        return
    typer.echo(f"audit chain of {tenant}: BROKEN at event {report.broken_seq}: {report.reason}")
    raise typer.Exit(1)


@app.command()
def demo() -> None:
    """Create the demo tenant's users and keys (once) and print a key per role."""
    settings = Settings()
    path = settings.data_dir / "demo-keys.json"

    async def seed(db: Store) -> dict[str, dict[str, str]]:
        keys: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        for user, roles in DEMO_USERS:
            if user not in keys:
                key, _ = await issue_key(db, DEMO_TENANT, user, roles, "demo")
                keys[user] = {"key": key, "roles": ",".join(r.value for r in roles)}
        from tools.ops import seed_demo

        ops = await seed_demo(settings.data_dir, db, DEMO_TENANT)
        console.print(
            f"demo model {ops['model']} versions {ops['versions']}; endpoint {ops['endpoint']['name']}: "
            f"{ops['endpoint']['traffic']}"
        )
        return keys

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys = _with_store(seed)
    path.write_text(json.dumps(keys, indent=2))
    os.chmod(path, 0o600)
    table = Table("user", "roles", "API key (tenant: demo)", title="Demo keys")
    for user, entry in keys.items():
        table.add_row(user, entry["roles"], entry["key"])
    console.print(table)


@app.command()
def triage(
    file: Annotated[
        Path, typer.Argument(help="A log file: plain, .gz, .bz2 or .xz.", exists=True, dir_okay=False)
    ],
    log_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="A preset (hdfs, syslog, log4j, jsonl, ...) or a <Field> format; default: detected.",
        ),
    ] = None,
    source: Annotated[
        str, typer.Option(help="Mining-state key: template ids stay stable per source.")
    ] = "default",
    tenant: Annotated[str, typer.Option(help="Tenant whose categories, cache and state are used.")] = "local",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON (no progress bar).")
    ] = False,
    top: Annotated[int, typer.Option(help="Templates shown in the table.")] = 30,
) -> None:
    """Triage a log file: templates with counts, categories and plain-language explanations."""
    import contextlib

    from tools.triage import FileSource, TriageError, render_triage, triage_progress

    from .bootstrap import build_triage

    settings = Settings()

    async def work(db: Store) -> dict[str, Any]:
        jobs = build_triage(settings, db)
        try:
            with contextlib.nullcontext(None) if as_json else triage_progress(console, file.name) as progress:
                outcome = await jobs.triager.run(
                    tenant,
                    FileSource(file, kind="file"),
                    source_key=source,
                    log_format=log_format,
                    on_progress=progress,
                )
            return outcome.result
        finally:
            await jobs.aclose()

    try:
        result = _with_store(work)
    except TriageError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
    else:
        render_triage(console, result, top=top)


# --- eval: run, compare, gate (the logic is in evals; this wires settings, store and plugins) ----
eval_app = typer.Typer(
    help="Evaluate agents, prompts and endpoints; compare runs; gate regressions.", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")
JsonOut = Annotated[Path | None, typer.Option("--json", dir_okay=False, help="Write the run as JSON.")]
MarkdownOut = Annotated[
    Path | None, typer.Option("--markdown", dir_okay=False, help="Write a Markdown table.")
]
HtmlOut = Annotated[
    Path | None, typer.Option("--html", dir_okay=False, help="Write an HTML page (SVG charts).")
]


def _judge(settings: Settings, base_url: str | None, model: str | None, api_key: str | None) -> Any:
    """An LLM judge over --base-url/--model (any OpenAI-compatible server), else the configured LLM."""
    from pydantic import SecretStr

    from agents._providers import ProviderConfig, build_client
    from evals import LLMJudge

    if base_url:
        cfg = ProviderConfig(name="judge", kind="openai_compatible", model=model or "judge", base_url=base_url,
                             api_key=SecretStr(api_key) if api_key else None, create_args={"temperature": 0.0})  # fmt: skip
        return LLMJudge(build_client(cfg))
    llm = getattr(settings, "llm", None)
    if llm is not None and llm.enabled:
        from agents._providers import LLMProviders

        return LLMJudge(LLMProviders(llm).client("evaluator"))
    raise typer.BadParameter(
        "--judges needs an LLM: pass --base-url (and --model) or configure OPSCOPILOT_LLM__*"
    )


@eval_app.command("run")
def eval_run(
    dataset: Annotated[
        list[str],
        typer.Option(
            help="Bundled name (chat_qa, log_triage, report_cases, grounding_checks) or JSONL path; repeatable."
        ),
    ],
    target: Annotated[
        str, typer.Option(help="agents | agent:<name> | prompt:<agent> | endpoint:<url>")
    ] = "agents",
    variant: Annotated[
        list[str] | None, typer.Option(help="Prompt variant or deployment; repeatable.")
    ] = None,
    repeats: Annotated[int, typer.Option(min=1, max=20, help="Runs per case and variant (pass^k).")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, max=64)] = 4,
    limit: Annotated[int | None, typer.Option(min=1, help="First N cases of each dataset.")] = None,
    name: Annotated[str, typer.Option(help="A label for the run.")] = "",
    judges: Annotated[bool, typer.Option(help="Also score with the LLM judges.")] = False,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible server for prompt targets and judges.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name at --base-url or the endpoint.")] = None,
    api_key: Annotated[str | None, typer.Option(help="Key for --base-url or the endpoint.")] = None,
    tenant: Annotated[str, typer.Option(help="Tenant the run is stored under.")] = "local",
    save: Annotated[bool, typer.Option(help="Store the run (EvalResult).")] = True,
    json_out: JsonOut = None,
    markdown_out: MarkdownOut = None,
    html_out: HtmlOut = None,
) -> None:
    """Evaluate a target over datasets x variants x repeats; print, store and export the results."""
    from evals import (
        EvalError,
        make_target,
        print_summary,
        progress_bar,
        run_eval,
        suite_cases,
        to_record,
        write_exports,
    )

    from .bootstrap import build_ops_context, build_runtime

    settings = Settings()

    async def work(db: Store) -> str:
        runtime = build_runtime(
            settings, db, build_ops_context(settings, db) if target.startswith("agent") else None
        )
        client = None
        if target.startswith("prompt:"):
            client = _judge(settings, base_url, model, api_key).client
        built = make_target(target, plugins=runtime.plugins, skills=runtime.skills, clients=runtime.clients,
                            client=client, api_key=api_key, model=model)  # fmt: skip
        runner = await built() if callable(built) and not hasattr(built, "aclose") else built
        try:
            judge = _judge(settings, base_url, model, api_key) if judges else None
            with progress_bar(console, f"eval {target}") as progress:
                report = await run_eval(runner, suite_cases(dataset, limit), variants=variant or ["default"],
                                        repeats=repeats, concurrency=concurrency, judge=judge, progress=progress,
                                        name=name, config={"limit": limit, "source": "cli"})  # fmt: skip
        finally:
            await runner.aclose()
        print_summary(console, report)
        write_exports(report, json_path=json_out, markdown_path=markdown_out, html_path=html_out)
        if save:
            await eval_runs_create(db, to_record(report, tenant, "cli"))
        return report.id

    try:
        run_id = _with_store(work)
    except EvalError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"eval run {run_id}" + (" (stored)" if save else ""))


async def eval_runs_create(db: Store, record: Any) -> None:
    from evals import eval_runs

    await eval_runs(db).create(record)


@eval_app.command("compare")
def eval_compare(
    baseline: Annotated[
        str, typer.Argument(help="Baseline: a stored run id, a run JSON or a baseline file.")
    ],
    candidate: Annotated[str, typer.Argument(help="Candidate, likewise.")],
    tenant: Annotated[str, typer.Option(help="Tenant of stored runs.")] = "local",
    markdown_out: MarkdownOut = None,
    html_out: HtmlOut = None,
) -> None:
    """Per-metric differences (candidate - baseline) with 95% bootstrap confidence intervals."""
    from evals import EvalError, compare_runs, print_comparison, resolve_report, write_exports

    async def work(db: Store) -> None:
        base, cand = await resolve_report(baseline, db, tenant), await resolve_report(candidate, db, tenant)
        rows = compare_runs(cand, base)
        print_comparison(console, rows)
        write_exports(cand, markdown_path=markdown_out, html_path=html_out, comparison=rows)

    try:
        _with_store(work)
    except EvalError as exc:
        raise typer.BadParameter(str(exc)) from None


@eval_app.command("gate")
def eval_gate(
    baseline: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="Baseline file with suite and thresholds.")
    ],
    candidate: Annotated[
        str | None, typer.Option(help="Run id or JSON to judge (default: re-run the suite).")
    ] = None,
    update: Annotated[bool, typer.Option(help="Re-run the suite and write it as the new baseline.")] = False,
    tenant: Annotated[str, typer.Option(help="Tenant of a stored candidate run.")] = "local",
    html_out: HtmlOut = None,
) -> None:
    """Exit 1 when a metric the baseline declares regressed beyond its tolerance. The suite runs
    hermetically: offline agents on scratch stores, no LLM, no ops backends, nothing under ./var."""
    from agents import SKILLS
    from evals import (
        AgentTarget,
        EvalError,
        gate,
        load_baseline,
        print_gate,
        progress_bar,
        resolve_report,
        run_eval,
        suite_cases,
        write_exports,
    )

    from .bootstrap import build_plugins

    try:
        base = load_baseline(baseline)
    except EvalError as exc:
        raise typer.BadParameter(str(exc)) from None
    suite = base.suite

    async def fresh() -> Any:
        agent = suite.target.partition(":")[2] or None
        with tempfile.TemporaryDirectory(prefix="opscopilot-gate-") as scratch:
            # hermetic: an empty data dir, no ops context, no LLM; nothing under ./var is read or written
            plugins = build_plugins(Settings(data_dir=Path(scratch)))
            target = AgentTarget(plugins=plugins, skills=SKILLS, agent=agent)
            try:
                with progress_bar(console, f"gate suite {suite.target}") as progress:
                    return await run_eval(target, suite_cases(suite.datasets, suite.limit), variants=suite.variants,
                                          repeats=suite.repeats, concurrency=suite.concurrency, progress=progress,
                                          name="gate", config={"suite": suite.model_dump()})  # fmt: skip
            finally:
                await target.aclose()

    if update:
        base.run = asyncio.run(fresh())
        base.save(baseline)
        typer.echo(f"baseline {baseline} updated ({len(base.run.items)} items)")
        return
    if candidate is None:
        cand = asyncio.run(fresh())
    else:
        cand = _with_store(lambda db: resolve_report(candidate, db, tenant))
    result = gate(cand, base.run, base.thresholds)
    print_gate(console, result)
    if html_out:
        from evals import compare_runs

        write_exports(cand, html_path=html_out, comparison=compare_runs(cand, base.run))
    if not result.passed:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
