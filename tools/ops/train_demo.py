"""Train the demo model and register it as the next version in the embedded MLflow registry.

Run by the embedded job backend as ``python -m tools.ops.train_demo --data-dir D --tenant T
--model M [--variant good|broken] [--job-id J] [--result FILE]``; writes a JSON result file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--variant", default="good", choices=["good", "broken"])
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--job-id", default="")
    parser.add_argument("--result", default="")
    args = parser.parse_args(argv)

    from tools.ops._mlflow import MlflowRegistry
    from tools.ops._training import train_model

    started = time.perf_counter()
    try:
        trained = train_model(args.variant, c=args.c)
        tags = {"opscopilot.job_id": args.job_id} if args.job_id else {}
        version = MlflowRegistry(Path(args.data_dir)).register_trained(args.tenant, args.model, trained, tags)
        out = {"ok": True, "model": args.model, "version": version.version, "metrics": version.metrics}
    except Exception as exc:  # reported in the result file: the job's status shows it
        out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    out["seconds"] = round(time.perf_counter() - started, 2)
    if args.result:
        Path(args.result).write_text(json.dumps(out))
    print(json.dumps(out))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
