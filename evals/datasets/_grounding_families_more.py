"""More item families: press-release prose, UK-style results, ML-ops spend, balance sheets."""

from __future__ import annotations

import random

from ._answer_builder import CURRENCIES, AnswerBuilder, Slot, money, pct
from ._grounding_families import _growth, _table

__all__ = ["MORE_FAMILIES"]

Sources = list[dict[str, str]]


def press_release(rng: random.Random, co: str) -> tuple[Sources, AnswerBuilder]:
    cur, y = rng.choice(CURRENCIES), rng.choice([2023, 2024])
    rev1 = round(rng.uniform(1.2, 9.5), 2)
    rev0 = round(rev1 / (1 + rng.uniform(0.03, 0.3)), 2)
    oi1, oi0 = round(rev1 * 1000 * rng.uniform(0.1, 0.25)), round(rev0 * 1000 * rng.uniform(0.1, 0.25))
    fcf, staff = round(oi1 * rng.uniform(0.5, 0.9)), rng.randint(800, 9000)
    text = (
        f"{co} today announced results for fiscal {y}. Revenue for fiscal {y} was {cur[0]}{rev1:.2f} billion, "
        f"compared with {cur[0]}{rev0:.2f} billion in fiscal {y - 1}. Operating income was {cur[0]}{oi1:,} million "
        f"(fiscal {y - 1}: {cur[0]}{oi0:,} million). Free cash flow was {cur[0]}{fcf:,} million. "
        f"The company ended the year with {staff:,} employees across 14 countries."
    )
    b = AnswerBuilder()
    g_ok, g_bad = _growth(rev1, rev0, 1)
    style = rng.choice(["bn2", "m1", "full", "code"])
    b.add(
        "Revenue rose ",
        Slot(g_ok, "computed", "pct_change revenue", alternatives={"wrong_computation": g_bad}),
        " to ",
        Slot(
            money(rev1 * 1000, cur, style),
            "direct",
            alternatives={"wrong_period": money(rev0 * 1000, cur, style)},
        ),
        f" in fiscal {y}. ",
    )
    b.add(
        "Operating margin was ",
        Slot(
            pct(oi1 / rev1 / 10),
            "computed",
            "share oi/revenue",
            alternatives={"wrong_computation": pct(oi1 / rev0 / 10)},
        ),
        f" for fiscal {y}, and operating income grew by ",
        Slot(
            f"{cur[0]}{oi1 - oi0:,} million",
            "computed",
            "difference oi",
            alternatives={"wrong_computation": f"{cur[0]}{oi1 - oi0 + rng.choice([10, 100]):,} million"},
        ),
        ". ",
    )
    if rng.random() < 0.6:
        b.add("Free cash flow came to ", Slot(f"{cur[0]}{fcf / 1000:.2f} billion" if fcf >= 1000 else
                                              f"{cur[0]}{fcf:,} million", "direct"), ". ")  # fmt: skip
    if rng.random() < 0.6:
        approx = rng.random() < 0.5
        shown = f"{round(staff, -2):,}" if approx else f"{staff:,}"
        b.add(
            f"Headcount stood at {'about ' if approx else ''}",
            Slot(shown, "direct", approx=approx),
            " employees.",
        )
    return [{"id": "press-release", "text": text}], b


def uk_results(rng: random.Random, co: str) -> tuple[Sources, AnswerBuilder]:
    y = rng.choice([2023, 2024])
    rev1, rev0 = round(rng.uniform(20, 180), 1), 0.0
    rev0 = round(rev1 / (1 + rng.uniform(0.02, 0.25)), 1)
    aop1, aop0 = round(rev1 * rng.uniform(0.08, 0.2), 1), round(rev0 * rng.uniform(0.08, 0.2), 1)
    eps1, eps0 = round(rng.uniform(8, 40), 1), 0.0
    eps0 = round(eps1 / (1 + rng.uniform(0.02, 0.3)), 1)
    cash = round(rng.uniform(3, 30), 1)
    growth = (rev1 - rev0) / rev0 * 100
    text = "\n".join([
        f"{co} plc - preliminary results for the year ended 31 March {y}",
        f"- Revenue £{rev1}m ({y - 1}: £{rev0}m), up {growth:.1f}%",
        f"- Adjusted operating profit £{aop1}m ({y - 1}: £{aop0}m)",
        f"- Basic EPS {eps1}p ({y - 1}: {eps0}p)",
        f"- Net cash of £{cash}m at the year end; final dividend of 4.2p per share",
    ])  # fmt: skip
    b = AnswerBuilder()
    b.add("Revenue increased ", Slot(f"{growth:.1f}%", "direct"), " to ", Slot(f"£{rev1}m", "direct",
          alternatives={"wrong_period": f"£{rev0}m"}), f" in the year to March {y}. ")  # fmt: skip
    am1, am0 = aop1 / rev1 * 100, aop0 / rev0 * 100
    b.add("The adjusted operating margin was ", Slot(pct(am1), "computed", "share aop/revenue",
          alternatives={"wrong_computation": pct(aop1 / rev0 * 100)}), " against ", Slot(pct(am0), "computed",
          "share aop/revenue prior"), " the year before. ")  # fmt: skip
    e_ok, e_bad = _growth(eps1, eps0, 1)
    b.add(
        "Basic EPS grew ",
        Slot(e_ok, "computed", "pct_change eps", alternatives={"wrong_computation": e_bad}),
        " to ",
        Slot(f"{eps1}p", "direct", alternatives={"wrong_period": f"{eps0}p"}),
        ". ",
    )
    if rng.random() < 0.6:
        b.add("Net cash at the year end was ", Slot(f"£{cash * 1000:,.0f}k" if rng.random() < 0.5 else
              f"£{cash}m", "direct"), ".")  # fmt: skip
    return [{"id": "rns", "text": text}], b


def llm_spend(rng: random.Random, co: str) -> tuple[Sources, AnswerBuilder]:
    y = rng.choice([2024, 2025])
    months = ["Jan", "Feb", "Mar", "Apr"]
    models = ["gpt-4o", "gpt-4o-mini", "text-embedding-3-large"]
    spend = {m: [round(rng.uniform(4, 180), 1) for _ in months] for m in models}
    total = [round(sum(spend[m][i] for m in models), 1) for i in range(4)]
    p95 = [rng.randint(400, 2400) for _ in months]
    err = [round(rng.uniform(0.2, 3.5), 1) for _ in months]
    rows = [(m, [f"{v:,.1f}" for v in spend[m]]) for m in models] + [("Total", [f"{v:,.1f}" for v in total])]
    t1 = _table(f"{co} Azure OpenAI spend by deployment (USD thousands)", [f"{m} {y}" for m in months], rows,
                rng.random() < 0.5)  # fmt: skip
    t2 = _table(
        f"{co} serving health",
        [f"{m} {y}" for m in months],
        [("p95 latency (ms)", [f"{v:,}" for v in p95]), ("Error rate", [f"{v}%" for v in err])],
        False,
    )
    b = AnswerBuilder()
    i = rng.randint(1, 3)
    style = rng.choice(["thousand", "k", "full"])
    b.add(f"Total spend in {months[i]} {y} was ", Slot(money(total[i] / 1000, ("$", "USD"), style), "direct",
          alternatives={"wrong_period": money(total[i - 1] / 1000, ("$", "USD"), style)}), ". ")  # fmt: skip
    g_ok, g_bad = _growth(spend["gpt-4o"][3], spend["gpt-4o"][0], 1)
    b.add("Spend on gpt-4o changed by ", Slot(g_ok, "computed", "pct_change jan-apr",
          alternatives={"wrong_computation": g_bad}), f" between January and April {y}. ")  # fmt: skip
    s = sum(total)
    b.add("Over the four months, total spend came to ", Slot(f"${s:,.1f} thousand", "computed", "sum of months",
          alternatives={"wrong_operands": f"${s - total[0]:,.1f} thousand",
                        "wrong_computation": f"${s + rng.choice([-10, 10, 100]):,.1f} thousand"}), ". ")  # fmt: skip
    if rng.random() < 0.7:
        share = spend["text-embedding-3-large"][3] / total[3] * 100
        b.add("Embeddings accounted for ", Slot(pct(share), "computed", "share of total",
              alternatives={"wrong_computation": pct(spend["text-embedding-3-large"][3] / total[2] * 100)}),
              f" of total spend in April {y}. ")  # fmt: skip
    if rng.random() < 0.7:
        b.add("p95 latency moved by ", Slot(str(abs(p95[3] - p95[0])), "computed", "difference latency"),
              " ms from January to April, and the error rate averaged ",
              Slot(pct(sum(err) / 4, 2), "computed", "average error rate",
                   alternatives={"wrong_computation": pct(sum(err) / 3, 2)}), ".")  # fmt: skip
    return [{"id": "spend", "text": t1}, {"id": "health", "text": t2}], b


def balance_sheet(rng: random.Random, co: str) -> tuple[Sources, AnswerBuilder]:
    cur, y = rng.choice(CURRENCIES), rng.choice([2023, 2024])
    vals = {k: [rng.randint(20_000, 900_000) for _ in range(2)] for k in
            ("Cash and cash equivalents", "Short-term investments", "Total current assets",
             "Total current liabilities", "Long-term debt")}  # fmt: skip
    vals["Total current assets"] = [max(v, c + 50_000) for v, c in zip(vals["Total current assets"],
                                    vals["Cash and cash equivalents"], strict=True)]  # fmt: skip
    cols = [f"December 31, {y}", f"December 31, {y - 1}"]
    text = _table(
        f"{co} condensed balance sheet (in thousands of {cur[1]})",
        cols,
        [(k, [f"{v:,}" for v in vs]) for k, vs in vals.items()],
        rng.random() < 0.5,
    )
    cash, debt = vals["Cash and cash equivalents"], vals["Long-term debt"]
    ca, cl = vals["Total current assets"], vals["Total current liabilities"]
    b = AnswerBuilder()
    style = rng.choice(["thousand", "m1", "code"])
    b.add(
        "Cash and cash equivalents stood at ",
        Slot(
            money(cash[0] / 1000, cur, style),
            "direct",
            alternatives={"wrong_period": money(cash[1] / 1000, cur, style)},
        ),
        f" at the end of {y}. ",
    )
    ratio = ca[0] / cl[0]
    b.add(
        "The current ratio was ",
        Slot(
            f"{ratio:.2f}x",
            "computed",
            "ratio ca/cl",
            alternatives={
                "wrong_computation": f"{ca[0] / cl[1]:.2f}x",
                "wrong_operands": f"{cl[0] / ca[0]:.2f}x",
            },
        ),
        f" at year-end {y}. ",
    )
    if rng.random() < 0.7:
        nd = debt[0] - cash[0]
        label = "Net debt" if nd > 0 else "Net cash"
        b.add(f"{label} (long-term debt less cash) was ", Slot(money(abs(nd) / 1000, cur, "m1"), "computed",
              "difference debt-cash", alternatives={"wrong_computation": money((abs(nd) + 10_000) / 1000, cur, "m1")}),
              ". ")  # fmt: skip
    if rng.random() < 0.6:
        s = cash[0] + vals["Short-term investments"][0]
        b.add("Cash and short-term investments totalled ", Slot(money(s / 1000, cur, "m1"), "computed", "sum liquidity",
              alternatives={"wrong_computation": money((s + 1000) / 1000, cur, "m1")}), ".")  # fmt: skip
    return [{"id": "balance-sheet", "text": text}], b


MORE_FAMILIES = {"press_release": press_release, "uk_results": uk_results, "llm_spend": llm_spend,
                 "balance_sheet": balance_sheet}  # fmt: skip
