"""Item families of the numeric-grounding generator: each returns (sources, answer builder)."""

from __future__ import annotations

import random

from ._answer_builder import CURRENCIES, AnswerBuilder, Slot, money, pct

__all__ = ["FAMILIES"]

Sources = list[dict[str, str]]


def _table(title: str, header: list[str], rows: list[tuple[str, list[str]]], markdown: bool) -> str:
    if markdown:
        lines = [title, "", "| " + " | ".join([""] + header) + " |", "|" + "---|" * (len(header) + 1)]
        lines += ["| " + " | ".join([label] + cells) + " |" for label, cells in rows]
        return "\n".join(lines)
    width, col = max(len(r[0]) for r in rows) + 4, max(14, *(len(h) + 4 for h in header))
    lines = [title, " " * width + "".join(h.rjust(col) for h in header)]
    lines += [label.ljust(width) + "".join(c.rjust(col) for c in cells) for label, cells in rows]
    return "\n".join(lines)


def _m(x: float) -> str:
    return f"{x:,.1f}"


def _neg(x: float) -> str:
    return f"({x:,.1f})"


def _style(rng: random.Random, value_m: float) -> str:
    styles = (
        ["m1", "m1s", "code", "mn", "bn2", "full", "thousand"]
        if value_m >= 1000
        else ["m1", "m1s", "code", "mn"]
    )
    return rng.choice(styles)


def _growth(new: float, old: float, d: int) -> tuple[str, str]:
    right = abs(new - old) / old * 100
    wrong = abs(new - old) / new * 100  # the classic wrong base
    return pct(right, d), pct(wrong, d)


def annual_table(rng: random.Random, co: str) -> tuple[Sources, AnswerBuilder]:
    cur, y = rng.choice(CURRENCIES), rng.choice([2022, 2023, 2024])
    rev0 = round(rng.uniform(300, 4800), 1)
    rev1 = round(rev0 * (1 + rng.uniform(-0.08, 0.35)), 1)
    cogs = [round(r * rng.uniform(0.45, 0.7), 1) for r in (rev1, rev0)]
    gp = [round(r - c, 1) for r, c in zip((rev1, rev0), cogs, strict=True)]
    oi = [round(g * rng.uniform(0.2, 0.6), 1) for g in gp]
    ni = [round(o * rng.uniform(0.6, 0.8), 1) for o in oi]
    cols = rng.choice([[f"FY{y}", f"FY{y - 1}"], [str(y), str(y - 1)], [f"Fiscal {y}", f"Fiscal {y - 1}"]])
    scale = rng.choice([f"({cur[1]} millions)", f"(in millions of {cur[1]})", f"({cur[0]} in millions)"])
    rows = [("Revenue", [_m(rev1), _m(rev0)]), ("Cost of revenue", [_neg(c) for c in cogs]),
            ("Gross profit", [_m(g) for g in gp]), ("Operating income", [_m(o) for o in oi]),
            ("Net income", [_m(n) for n in ni])]  # fmt: skip
    text = _table(f"{co}: consolidated statement of income {scale}", cols, rows, rng.random() < 0.5)
    s1, s0 = _style(rng, rev1), _style(rng, rev0)
    d = rng.choice([0, 1, 1])
    g_ok, g_bad = _growth(rev1, rev0, d)
    up = "up" if rev1 >= rev0 else "down"
    r1 = Slot(money(rev1, cur, s1), "direct", alternatives={"wrong_period": money(rev0, cur, s1)})
    r0 = Slot(money(rev0, cur, s0), "direct", alternatives={"wrong_period": money(rev1, cur, s0)})
    g = Slot(g_ok, "computed", "pct_change revenue", alternatives={"wrong_computation": g_bad})
    b = AnswerBuilder()
    variant = rng.randrange(4)
    if variant == 0:
        b.add(
            f"{co} reported revenue of ",
            r1,
            f" for fiscal {y}, {up} ",
            g,
            " from ",
            r0,
            f" in fiscal {y - 1}. ",
        )
    elif variant == 1:
        b.add(f"In FY{y}, revenue was ", r1, " versus ", r0, f" a year earlier, a change of {up[0] == 'u' and '+' or '-'}",
              g, ". ")  # fmt: skip
    elif variant == 2:
        verb = "climbed" if up == "up" else "slipped"
        b.add(
            f"Revenue {verb} from ",
            r0,
            " to ",
            r1,
            " (",
            g,
            f" year on year), according to the {y} accounts. ",
        )
    else:
        b.add(f"{y} revenue came to ", r1, f", while {y - 1} revenue was ", r0, "; that is a ", g,
              f" {'increase' if up == 'up' else 'decrease'}. ")  # fmt: skip
    gm, gm_bad = gp[0] / rev1 * 100, gp[0] / rev0 * 100
    b.add(
        "Gross profit was ",
        Slot(money(gp[0], cur, "m1"), "direct", alternatives={"wrong_period": money(gp[1], cur, "m1")}),
        f" in {y}, a gross margin of ",
        Slot(
            pct(gm),
            "computed",
            "share gp/revenue",
            alternatives={"wrong_computation": pct(gm_bad), "wrong_operands": pct(gp[0] / cogs[0] * 100)},
        ),
        ". ",
    )
    if rng.random() < 0.7:
        diff = abs(rev1 - rev0)
        b.add(f"Revenue {'increased' if up == 'up' else 'decreased'} by ", Slot(money(diff, cur, "m1"), "computed",
              "difference revenue", alternatives={"wrong_computation": money(diff + rng.choice([10, -10, 100]), cur, "m1")}),
              " compared with the prior year. ")  # fmt: skip
    if rng.random() < 0.7:
        om1, om0 = oi[0] / rev1 * 100, oi[1] / rev0 * 100
        b.add("Operating margin was ", Slot(pct(om1), "computed", "share oi/revenue",
              alternatives={"wrong_computation": pct(oi[0] / rev0 * 100)}), f" in {y} and ",
              Slot(pct(om0), "computed", "share oi/revenue prior"), f" in {y - 1}. ")  # fmt: skip
    if rng.random() < 0.6:
        total = ni[0] + ni[1]
        b.add(
            "Across the two years net income totalled ",
            Slot(
                money(total, cur, "m1"),
                "computed",
                "sum net income",
                alternatives={"wrong_computation": money(total + rng.choice([1, 10, -10]), cur, "m1")},
            ),
            ". ",
        )
    if rng.random() < 0.3:
        b.add("It was the group's 3rd consecutive year of profit (see Note 4).")
    return [{"id": "income-statement", "text": text}], b


def quarterly(rng: random.Random, co: str) -> tuple[Sources, AnswerBuilder]:
    cur, y = rng.choice(CURRENCIES), rng.choice([2023, 2024])
    rev = [round(rng.uniform(120, 900), 1)]
    for _ in range(3):
        rev.append(round(rev[-1] * (1 + rng.uniform(-0.06, 0.15)), 1))
    ebitda = [round(r * rng.uniform(0.14, 0.3), 1) for r in rev]
    fmt = rng.choice(["Q{q} {y}", "Q{q}'{yy}", "{q}Q{yy}"])
    cols = [fmt.format(q=q, y=y, yy=str(y)[2:]) for q in range(1, 5)]
    rows = [("Revenue", [_m(r) for r in rev]), ("Adjusted EBITDA", [_m(e) for e in ebitda])]
    text = _table(f"{co} quarterly results ({rng.choice([cur[1] + ' m', cur[0] + 'm', cur[1] + ' millions'])})",
                  cols, rows, rng.random() < 0.5)  # fmt: skip
    q = rng.randint(2, 4)
    g_ok, g_bad = _growth(rev[q - 1], rev[q - 2], 1)
    b = AnswerBuilder()
    b.add(f"Revenue in Q{q} {y} was ", Slot(money(rev[q - 1], cur, rng.choice(["m1", "m1s", "code"])), "direct",
          alternatives={"wrong_period": money(rev[q - 2], cur, "m1")}), ", ", Slot(g_ok, "computed", "pct_change q/q",
          alternatives={"wrong_computation": g_bad}), f" more than in Q{q - 1} {y}. ")  # fmt: skip
    total = sum(rev)
    if rng.random() < 0.8:
        style = rng.choice(["m1", "bn2"]) if total >= 1000 else "m1"
        b.add(f"Full-year {y} revenue reached ", Slot(money(total, cur, style), "computed", "sum of quarters",
              alternatives={"wrong_operands": money(total - rev[0], cur, style),
                                  "wrong_computation": money(total + rng.choice([-10, 10, 100]), cur, style)}),
              ". ")  # fmt: skip
    if rng.random() < 0.7:
        b.add("Average quarterly revenue was ", Slot(money(total / 4, cur, "m1"), "computed", "average of quarters",
              alternatives={"wrong_computation": money(total / 3, cur, "m1")}), ". ")  # fmt: skip
    k = rng.randint(1, 4)
    b.add(
        f"Adjusted EBITDA margin in Q{k} {y} was ",
        Slot(
            pct(ebitda[k - 1] / rev[k - 1] * 100),
            "computed",
            "share ebitda/revenue",
            alternatives={"wrong_computation": pct(ebitda[k - 1] / rev[k % 4] * 100)},
        ),
        ". ",
    )
    if rng.random() < 0.6:
        diff = abs(rev[3] - rev[0])
        b.add(
            "Q4 revenue differed from Q1 revenue by ",
            Slot(
                money(diff, cur, "m1"),
                "computed",
                "difference q4-q1",
                alternatives={"wrong_computation": money(diff + rng.choice([1, 10]), cur, "m1")},
            ),
            ".",
        )
    return [{"id": "quarterly", "text": text}], b


def segments(rng: random.Random, co: str) -> tuple[Sources, AnswerBuilder]:
    cur, y = rng.choice(CURRENCIES), rng.choice([2023, 2024, 2025])
    names = rng.sample(["Cloud", "Professional services", "Hardware", "Licences", "Support"], 3)
    vals = [rng.randint(5_000, 90_000) for _ in names]
    total = sum(vals)
    rows = [(n, [f"{v:,}"]) for n, v in zip(names, vals, strict=True)] + [("Total", [f"{total:,}"])]
    scale = rng.choice([f"({cur[0]}'000)", "(in thousands)", f"({cur[1]} thousands)"])
    text = _table(f"Segment revenue, FY{y} {scale}", [f"FY{y}"], rows, rng.random() < 0.5)
    a, bb, c = 0, 1, 2
    b = AnswerBuilder()
    style = rng.choice(["thousand", "m1", "m1s", "k"])
    b.add(
        f"{names[a]} generated ",
        Slot(money(vals[a] / 1000, cur, style), "direct"),
        f" in FY{y}, ",
        Slot(
            pct(vals[a] / total * 100),
            "computed",
            "share of total",
            alternatives={"wrong_computation": pct(vals[a] / (total - vals[a]) * 100)},
        ),
        " of total revenue. ",
    )
    s = vals[a] + vals[bb]
    b.add(f"{names[a]} and {names[bb]} together brought in ", Slot(money(s / 1000, cur, rng.choice(["m1", "thousand"])),
          "computed", "sum of two segments", alternatives={"wrong_computation": money((s + 1000) / 1000, cur, "m1")}),
          ". ")  # fmt: skip
    if rng.random() < 0.7:
        diff = abs(vals[bb] - vals[c])
        b.add(f"The gap between {names[bb]} and {names[c]} revenue was ", Slot(money(diff / 1000, cur, "thousand"),
              "computed", "difference of segments"), ". ")  # fmt: skip
    if rng.random() < 0.6:
        b.add(
            "Total revenue was ",
            Slot(money(total / 1000, cur, rng.choice(["m1", "thousand"])), "direct"),
            ".",
        )
    return [{"id": "segments", "text": text}], b


FAMILIES = {"annual_table": annual_table, "quarterly": quarterly, "segments": segments}
