"""LLM economy of log triage: in LLM mode, calls and tokens are bounded by the number of templates.

    python -m evals.bench_triage_llm [--lines 1000000] [--max-tokens 32] [--out FILE.json]

Builds the synthetic corpus of `evals.bench_triage` (`--lines` over the eight Loghub systems, the 2k
samples cycled with varied numbers and advancing timestamps: one file per system, 1M lines in all),
serves the test model (Gemma 3 270M on llama.cpp, `tests/support/llm_server.py`) on loopback, and
triages every file in LLM mode through the service's path: `Triager` with the provider layer's
client (redaction, retries), templates classified and rewritten in batches, with a small
`max_tokens` (the answers get cut: this measures cost, not quality; cut answers fall back to the
offline classifier and are not retried). Then it triages the same files again: every template is
cached now, so that pass must make no call at all.

Printed and written (`--out`): per system lines, templates, templates sent, calls, prompt and
completion tokens; and the checks `templates_sent <= templates`, `calls <= ceil(sent / batch)` per
system, second-pass calls == 0. Exit status 1 if a check fails.
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

from evals._loghub_data import DEFAULT_DATA_ROOT, SYSTEMS, find_datasets
from evals.bench_triage import _write, llm_economy

_COLUMNS = (
    "lines",
    "templates",
    "templates_sent",
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "seconds",
)


async def _run(args: argparse.Namespace, files: dict[str, Path], base_url: str, model: str) -> dict[str, Any]:
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
    config = LogsConfig(llm_batch_size=args.batch_size, llm_max_tokens=args.max_tokens, llm_max_templates=10_000,
                        max_result_templates=10_000)  # fmt: skip
    db = Store(SqliteBackend(Path(args.tmp) / "bench.db"))
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
                **{
                    k: usage[k]
                    for k in (
                        "templates_sent",
                        "llm_calls",
                        "llm_failed_calls",
                        "prompt_tokens",
                        "completion_tokens",
                    )
                },  # fmt: skip
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


def _checks(report: dict[str, Any], batch: int) -> dict[str, bool]:
    rows = report["systems"].values()
    return {
        "templates_sent<=templates": all(r["templates_sent"] <= r["templates"] for r in rows),
        "calls<=ceil(sent/batch)": all(
            r["llm_calls"] <= math.ceil(r["templates_sent"] / batch) for r in rows
        ),
        "second_pass_calls==0": sum(r["llm_calls"] for r in report["second_pass"].values()) == 0,
        # answered calls as the provider layer saw them: between the usable ones and all of them
        "provider_calls_agree": sum(r["llm_calls"] - r["llm_failed_calls"] for r in rows)
        <= report["wire_calls"]
        <= sum(r["llm_calls"] for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="total lines over the systems")
    parser.add_argument("--systems", nargs="*", default=list(SYSTEMS), choices=SYSTEMS)
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--max-tokens", type=int, default=32, help="completion tokens per LLM call")
    parser.add_argument("--batch-size", type=int, default=20, help="templates per LLM call")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context of the llama.cpp server")
    parser.add_argument("--base-url", help="use this OpenAI-compatible server instead of starting one")
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    per_system = max(1, args.lines // len(args.systems))
    with tempfile.TemporaryDirectory(prefix="bench_triage_llm_") as tmp:
        args.tmp = tmp
        files = {}
        for system in args.systems:
            files[system] = Path(tmp) / f"{system}.log"
            _write(files[system], system, find_datasets(args.data_root / system).log, lines=per_system)
        print(f"{'system':<10} " + " ".join(f"{k:>{max(len(k), 9)}}" for k in _COLUMNS), flush=True)
        if args.base_url:
            report = asyncio.run(_run(args, files, args.base_url, args.model))
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tests.support.llm_server import LlamaServer

            with LlamaServer(n_ctx=args.n_ctx) as server:
                report = asyncio.run(_run(args, files, server.base_url, server.model))
    rows = list(report["systems"].values())
    total = {k: sum(r[k] for r in rows) for k in (*_COLUMNS[:-1], "llm_failed_calls")}
    total["seconds"] = round(sum(r["seconds"] for r in rows), 1)
    report["total"] = total
    report["llm_economy"] = llm_economy(total, llm_calls=total["llm_calls"],
                                        tokens=total["prompt_tokens"] + total["completion_tokens"])  # fmt: skip
    report["config"] = {"lines": args.lines, "max_tokens": args.max_tokens, "batch_size": args.batch_size,
                        "model": args.model, "n_ctx": args.n_ctx}  # fmt: skip
    report["checks"] = _checks(report, args.batch_size)
    print(_row("TOTAL", total))
    second = sum(r["llm_calls"] for r in report["second_pass"].values())
    print(
        f"LLM calls {total['llm_calls']} ({total['llm_failed_calls']} unusable answers), tokens "
        f"{total['prompt_tokens'] + total['completion_tokens']:,} (prompt {total['prompt_tokens']:,}, completion "
        f"{total['completion_tokens']:,}), templates {total['templates']} for {total['lines']:,} lines; "
        f"second pass over the same files: {second} calls"
    )
    print("checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in report["checks"].items()))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
