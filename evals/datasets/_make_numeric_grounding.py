"""Generate ``numeric_grounding.jsonl``: financial snippets and answers with planted wrong numbers.

Deterministic for a seed: ``python -m evals.datasets._make_numeric_grounding [--seed N] [--out FILE]``.
About a third of the items have no wrong number; the others have one or two, each of a labelled type:
digit_swap, off_by_scale, near_miss (beyond the rounding shown), wrong_period (another year's value),
wrong_computation (wrong base, wrong count, arithmetic slip) and wrong_operands (arithmetically derivable
from the sources but from the wrong figures; numeric grounding alone cannot catch these).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from ._answer_builder import plant
from ._grounding_families import FAMILIES
from ._grounding_families_more import MORE_FAMILIES

__all__ = ["generate"]

SEED = 20240611
N_ITEMS = 196
OUT = Path(__file__).with_name("numeric_grounding.jsonl")
COMPANIES = [
    "Northwind Analytics", "Contoso Robotics", "Fabrikam Foods", "Tailspin Air", "Litware Health",
    "Adatum Energy", "Woodgrove Financial", "Proseware Media", "Wingtip Toys", "Alpine Ski House",
    "Coho Vineyard", "Lamna Logistics", "Relecloud", "Trey Research", "VanArsdel Retail",
    "Humongous Insurance", "Blue Yonder Airlines", "Graphic Design Institute", "Margie's Travel", "Fourth Coffee",
]  # fmt: skip
ERROR_WEIGHTS = {
    "digit_swap": 1.0, "off_by_scale": 1.0, "near_miss": 1.0, "wrong_period": 1.2,
    "wrong_computation": 1.4, "wrong_operands": 0.3,
}  # fmt: skip


def generate(seed: int = SEED, n: int = N_ITEMS) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    families = {**FAMILIES, **MORE_FAMILIES}
    names = sorted(families)
    items = []
    for i in range(n):
        family = names[i % len(names)]
        sources, builder = families[family](rng, rng.choice(COMPANIES))
        slots = builder.slots
        n_wrong = rng.choices([0, 1, 2], weights=[0.33, 0.42, 0.25])[0]
        wrong: dict[int, tuple[str, str]] = {}
        for k in rng.sample(range(len(slots)), min(n_wrong, len(slots))):
            if (planted := plant(slots[k], rng, ERROR_WEIGHTS)) is not None:
                wrong[k] = planted
        answer, labels = builder.render(wrong)
        items.append({"id": f"ng-{i + 1:03d}", "family": family, "sources": sources, "answer": answer.strip(),
                      "numbers": labels})  # fmt: skip
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--n", type=int, default=N_ITEMS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    items = generate(args.seed, args.n)
    with args.out.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    wrong = sum(1 for it in items for lab in it["numbers"] if not lab["correct"])
    total = sum(len(it["numbers"]) for it in items)
    print(f"wrote {len(items)} items, {total} labelled numbers, {wrong} planted wrong, to {args.out}")


if __name__ == "__main__":
    main()
