"""LLM economy of log triage: in LLM mode, calls and tokens are bounded by the number of templates.

    python -m evals.bench_triage_llm [--lines 1000000] [--max-tokens 32] [--out FILE.json]

(`python -m evals.bench_triage` runs the same measurement after throughput and memory.)

Builds the synthetic corpus of `evals.bench_triage` (`--lines` over the eight Loghub systems, the 2k
samples cycled with varied numbers and advancing timestamps: one file per system, 1M lines in all),
serves the test model (Gemma 3 270M on llama.cpp, `tests/support/llm_server.py`) on loopback, and
triages every file in LLM mode through the service's path: `Triager` with the provider layer's
client (redaction, retries), templates classified and rewritten in batches, with a small
`max_tokens` (the answers get cut: this measures cost, not quality; cut answers fall back to the
offline classifier and are not retried). Then it triages the same files again: every template is
cached now, so that pass must make no call at all.

Printed and written (`--out`): per system lines, templates, templates sent, calls, prompt and
completion tokens; and the checks `templates_sent <= templates`, per system `calls <= ceil(sent /
batch) + 2 * template chars // character budget` (a batch closes at whichever limit comes first),
second-pass calls == 0. Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals._loghub_data import DEFAULT_DATA_ROOT, SYSTEMS, find_datasets, write_synthetic

_USAGE = (
    "templates_sent",
    "template_chars",
    "llm_calls",
    "llm_failed_calls",
    "prompt_tokens",
    "completion_tokens",
)
_COLUMNS = (
    "lines",
    "templates",
    "templates_sent",
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "seconds",
)


async def _run(
    tmp: Path,
    files: dict[str, Path],
    base_url: str,
    model: str,
    *,
    max_tokens: int,
    batch_size: int,
    batch_chars: int,
) -> dict[str, Any]:
    from agents import LLMProviders, LLMSettings, Price, ProviderConfig, RetryPolicy
    from store import SqliteBackend, Store
    from tools.triage import FileSource, LlmBackend, LogsConfig, Triager

    settings = LLMSettings(
        deployments=[
            ProviderConfig(name="local", kind="openai_compatible", model=model, base_url=base_url,
                           timeout=600, price=Price(input=0, output=0))
        ],
        retry=RetryPolicy(max_attempts=2, initial_wait=1),
    )  # fmt: skip
    providers = LLMProviders(settings)
    wire_calls = 0

    async def count(kind: str, data: dict[str, Any]) -> None:
        nonlocal wire_calls
        wire_calls += kind == "llm.call"

    backend = LlmBackend(lambda s: providers.client("log_analyst", on_event=count, redactor=s), model)
    config = LogsConfig(
        llm_batch_size=batch_size,
        llm_batch_chars=batch_chars,
        llm_max_tokens=max_tokens,
        llm_max_templates=10_000,
        max_result_templates=10_000,
    )
    db = Store(SqliteBackend(tmp / "bench.db"))
    await db.open()
    triager = Triager(db, config, llm=backend)
    report: dict[str, Any] = {"systems": {}, "second_pass": {}}
    try:
        for name, path in files.items():
            began = time.perf_counter()
            result = (await triager.run("bench", FileSource(path), source_key=name)).result
            usage = result["usage"]
            row = report["systems"][name] = {
                "lines": result["lines"],
                "templates": result["template_count"],
                **{k: usage[k] for k in _USAGE},
                "seconds": round(time.perf_counter() - began, 1),
            }
            print(_row(name, row), flush=True)
        for name, path in files.items():
            usage = (await triager.run("bench", FileSource(path), source_key=name)).result["usage"]
            report["second_pass"][name] = {k: usage[k] for k in ("llm_calls", "prompt_tokens", "cache_hits")}
    finally:
        await db.close()
        await providers.close()
    report["wire_calls"] = wire_calls
    return report


def _row(name: str, row: dict[str, Any]) -> str:
    return f"{name:<10} " + " ".join(f"{row[k]:>{max(len(k), 9)}}" for k in _COLUMNS)


def _checks(report: dict[str, Any], batch: int, chars: int) -> dict[str, bool]:
    rows = report["systems"].values()
    return {
        "templates_sent<=templates": all(r["templates_sent"] <= r["templates"] for r in rows),
        # a batch closes at `batch` templates (at most ceil(n / batch) times) or because the next
        # template would pass the character budget (each such batch and its successor's first
        # template hold over `chars`, so fewer than 2 * total / chars times)
        "calls<=batch_bound": all(
            r["llm_calls"] <= math.ceil(r["templates_sent"] / batch) + 2 * r["template_chars"] // chars
            for r in rows
        ),
        "second_pass_calls==0": sum(r["llm_calls"] for r in report["second_pass"].values()) == 0,
        # answered calls as the provider layer saw them: between the usable ones and all of them
        "provider_calls_agree": sum(r["llm_calls"] - r["llm_failed_calls"] for r in rows)
        <= report["wire_calls"]
        <= sum(r["llm_calls"] for r in rows),
    }


_OPTIONS = ("max_tokens", "batch_size", "batch_chars", "n_ctx", "base_url", "model")


def options(args: argparse.Namespace, *, prefix: str = "") -> dict[str, Any]:
    """The keyword arguments of `measure` from the options `add_arguments` added."""
    return {name: getattr(args, prefix.replace("-", "_") + name) for name in _OPTIONS}


def add_arguments(parser: argparse.ArgumentParser, *, prefix: str = "") -> None:
    """The LLM options (`--max-tokens`, ...), also offered by `evals.bench_triage` as `--llm-...`."""
    parser.add_argument(f"--{prefix}max-tokens", type=int, default=32, help="completion tokens per LLM call")
    parser.add_argument(f"--{prefix}batch-size", type=int, default=20, help="templates per LLM call")
    parser.add_argument(
        f"--{prefix}batch-chars", type=int, default=6000, help="template characters per LLM call"
    )
    parser.add_argument(f"--{prefix}n-ctx", type=int, default=4096, help="context of the llama.cpp server")
    parser.add_argument(
        f"--{prefix}base-url", help="use this OpenAI-compatible server instead of starting the local one"
    )
    parser.add_argument(f"--{prefix}model", default="gemma-3-270m")


def measure(
    lines: int,
    systems: list[str],
    data_root: Path,
    *,
    max_tokens: int = 32,
    batch_size: int = 20,
    batch_chars: int = 6000,
    n_ctx: int = 4096,
    base_url: str | None = None,
    model: str = "gemma-3-270m",
) -> dict[str, Any]:
    """Triage the synthetic corpus twice in LLM mode; the report with its totals and checks."""
    per_system = max(1, lines // len(systems))
    with tempfile.TemporaryDirectory(prefix="bench_triage_llm_") as tmp:
        files = {}
        for system in systems:
            files[system] = Path(tmp) / f"{system}.log"
            write_synthetic(files[system], system, find_datasets(data_root / system).log, lines=per_system)
        print(f"{'system':<10} " + " ".join(f"{k:>{max(len(k), 9)}}" for k in _COLUMNS), flush=True)
        limits = {"max_tokens": max_tokens, "batch_size": batch_size, "batch_chars": batch_chars}
        if base_url:
            report = asyncio.run(_run(Path(tmp), files, base_url, model, **limits))
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            try:
                from tests.support.llm_server import LlamaServer
            except ImportError as exc:  # a clone without the dev extras
                raise SystemExit(
                    f"LLM economy needs the local llama.cpp test server ({exc}): install the dev "
                    "extras (make test does), or give an OpenAI-compatible base URL"
                ) from None
            with LlamaServer(n_ctx=n_ctx) as server:
                report = asyncio.run(_run(Path(tmp), files, server.base_url, server.model, **limits))
    rows = list(report["systems"].values())
    total = {k: sum(r[k] for r in rows) for k in ("lines", "templates", *_USAGE)}
    total["seconds"] = round(sum(r["seconds"] for r in rows), 1)
    total["tokens"] = total["prompt_tokens"] + total["completion_tokens"]
    total["lines_per_llm_call"] = round(total["lines"] / total["llm_calls"]) if total["llm_calls"] else None
    total["second_pass_calls"] = sum(r["llm_calls"] for r in report["second_pass"].values())
    report["total"] = total
    report["config"] = {"lines": lines, "model": model, "n_ctx": n_ctx, **limits}
    report["checks"] = _checks(report, batch_size, batch_chars)
    print(_row("TOTAL", total))
    print(
        f"LLM calls {total['llm_calls']} ({total['llm_failed_calls']} unusable answers), tokens "
        f"{total['tokens']:,} (prompt {total['prompt_tokens']:,}, completion "
        f"{total['completion_tokens']:,}), templates {total['templates']} for {total['lines']:,} lines; "
        f"second pass over the same files: {total['second_pass_calls']} calls"
    )
    print("checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in report["checks"].items()))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="total lines over the systems")
    parser.add_argument("--systems", nargs="*", default=list(SYSTEMS), choices=SYSTEMS)
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    add_arguments(parser)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    report = measure(args.lines, args.systems, args.data_root, **options(args))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
