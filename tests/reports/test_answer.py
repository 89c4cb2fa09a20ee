"""answer(): question types, exact arithmetic, formulas, citations and declines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tools.reports import Answer, Declined, Table, answer, parse_question

SALES = [
    ["", "", "Years Ended September 30,", ""],
    ["", "2019", "2018", "2017"],
    ["Fixed Price", "$  1,452.4", "$  1,146.2", "$  1,036.9"],
    ["Other", "44.1", "56.7", "70.8"],
    ["Total sales", "$1,496.5", "$1,202.9", "$1,107.7"],
]
PARAS = ["The table below presents total net sales disaggregated by contract type (in millions):"]


@pytest.fixture
def sales() -> Table:
    return Table.from_rows(SALES, doc_id="annual-report.pdf", location="page 7", table_index=2)


def ask(question: str, table: Table, paragraphs: list[str] | None = PARAS) -> Answer:
    result = answer(question, table, paragraphs)
    assert isinstance(result, Answer), result
    return result


def test_span_lookup_returns_the_cell_verbatim_with_its_citation(sales: Table) -> None:
    a = ask("What is the amount of total sales in 2019?", sales)
    assert a.value == "$1,496.5"
    assert (a.scale, a.answer_type, a.operation) == ("million", "span", "lookup")
    (c,) = a.cells
    assert (c.doc_id, c.location, c.table_index, c.row, c.col) == ("annual-report.pdf", "page 7", 2, 4, 1)
    assert c.row_label == "Total sales" and c.column_label.endswith("2019")
    assert a.to_tatqa() == ("$1,496.5", "million")
    assert 0.75 <= a.confidence <= 1.0


def test_scale_comes_from_the_table_when_declared_there() -> None:
    t = Table.from_rows([["($ in millions)", "2019", "2018"], ["Interest expense", "$1,344", "$723"]])
    a = ask("What was the interest expense in 2018?", t, None)
    assert (a.value, a.scale) == ("$723", "million")


def test_difference_later_minus_earlier(sales: Table) -> None:
    a = ask("What is the change in Other in 2019 from 2018?", sales)
    assert a.value == Decimal("-12.6")
    assert a.formula == "44.1 - 56.7"
    assert [(c.row, c.col) for c in a.cells] == [(3, 1), (3, 2)]
    assert (a.answer_type, a.operation, a.scale) == ("arithmetic", "difference", "million")


def test_percentage_change_is_a_percent_value_rounded_to_two_places(sales: Table) -> None:
    a = ask("What is the percentage change in Other in 2019 from 2018?", sales)
    assert a.value == Decimal("-22.22")
    assert a.exact is not None and a.exact.quantize(Decimal("0.0001")) == Decimal("-22.2222")
    assert a.scale == "percent"
    assert a.formula == "(44.1 - 56.7) / 56.7 * 100"
    assert a.to_tatqa() == ("-22.22", "percent")


def test_average_over_a_year_range(sales: Table) -> None:
    a = ask("What is the average total sales from 2017 to 2019?", sales)
    assert a.value == Decimal("1269.03")
    assert a.formula == "(1,496.5 + 1,202.9 + 1,107.7) / 3"
    assert len(a.cells) == 3


def test_average_without_years_uses_every_year(sales: Table) -> None:
    a = ask("What is the average Other?", sales)
    assert a.value == Decimal("57.2")


def test_year_average_is_opening_and_closing(sales: Table) -> None:
    a = ask("What is the 2019 average total sales?", sales)
    assert a.formula == "(1,496.5 + 1,202.9) / 2"
    assert a.value == Decimal("1349.7")


def test_difference_of_averages(sales: Table) -> None:
    a = ask("What is the change between 2018 and 2019 average total sales?", sales)
    assert a.operation == "difference_of_averages"
    assert a.formula == "(1,496.5 + 1,202.9) / 2 - (1,202.9 + 1,107.7) / 2"
    assert a.value == Decimal("194.4")


def test_sum_over_years(sales: Table) -> None:
    a = ask("What is the total Fixed Price in 2018 and 2019?", sales)
    assert (a.operation, a.value) == ("sum", Decimal("2598.6"))


def test_ratio_and_percentage_of(sales: Table) -> None:
    r = ask("What is the ratio of Fixed Price to Total sales in 2019?", sales)
    assert (r.value, r.scale, r.formula) == (Decimal("0.97"), "", "1,452.4 / 1,496.5")
    p = ask("What is Fixed Price as a percentage of Total sales in 2019?", sales)
    assert (p.value, p.scale) == (Decimal("97.05"), "percent")
    assert p.formula == "1,452.4 / 1,496.5 * 100"


def test_what_percentage_of_the_whole_is_the_part(sales: Table) -> None:
    a = ask("What percentage of total sales is made up of Other in 2018?", sales)
    assert a.formula == "56.7 / 1,202.9 * 100"


def test_part_sum_over_whole() -> None:
    t = Table.from_rows(
        [
            ["", "2019"],
            ["Land", "672"],
            ["Leasehold improvements", "798"],
            ["Machinery", "6,639"],
            ["Gross cost", "8,109"],
        ]
    )
    a = ask("What is the proportion of land and leasehold improvements over the gross cost in 2019?", t, None)
    assert a.formula == "(672 + 798) / 8,109"
    assert a.value == Decimal("0.18")


def test_which_year_and_filters(sales: Table) -> None:
    a = ask("In which year was the amount of total sales the largest?", sales)
    assert (a.value, a.answer_type) == ("2019", "span")
    assert a.formula.startswith("1,496.5 (2019) >")
    f = ask("In which year was Other less than 50 million?", sales)
    assert f.value == "2019"
    n = ask("How many years did Other exceed 50 million?", sales)
    assert (n.value, n.answer_type) == (Decimal(2), "count")


def test_threshold_in_other_units_is_converted() -> None:
    t = Table.from_rows([["(in thousands)", "2019", "2018"], ["Revenue", "1,500", "900"]])
    a = ask("In which year was revenue greater than 1 million?", t, None)
    assert a.value == "2019"
    assert a.formula == "1,500 > 1,000"


def test_multi_span_respectively_and_years_in_table(sales: Table) -> None:
    a = ask("What was the total sales in 2019 and 2018 respectively?", sales)
    assert (a.value, a.answer_type, a.scale) == (["$1,496.5", "$1,202.9"], "multi-span", "million")
    y = ask("What years are included in the table?", sales)
    assert y.value == ["2019", "2018", "2017"]


def test_section_qualifies_a_repeated_label() -> None:
    t = Table.from_rows(
        [
            ["", "2019", "2018"],
            ["Current", "", ""],
            ["Other receivables", "4,223", "4,082"],
            ["Non-current", "", ""],
            ["Other receivables", "118", "601"],
        ]
    )
    amb = answer("What is the change in Other receivables from 2018 to 2019?", t)
    assert isinstance(amb, Declined) and "ambiguous" in amb.reason
    a = ask("What is the change in non-current Other receivables from 2018 to 2019?", t, None)
    assert a.value == Decimal("-483")
    assert a.cells[0].row_label == "Non-current > Other receivables"


def test_columns_chosen_by_header_wording() -> None:
    t = Table.from_rows(
        [
            ["", "Revenues", "", "Income from operations", ""],
            ["", "2019", "2018", "2019", "2018"],
            ["Teekay LNG", "601,256", "510,762", "299,253", "148,599"],
        ]
    )
    assert ask("What was the Teekay LNG revenue in 2018?", t, None).value == "510,762"
    assert ask("What was the Teekay LNG income from operations in 2019?", t, None).value == "299,253"


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("What was Other in 2015?", "no column"),
        ("What was the goodwill impairment in 2019?", "no row"),
        ("What was Other?", "no period"),
        ("What is the change in the current ratio from 2018 to 2019?", ""),
        ("Who audited the company?", ""),
    ],
)
def test_declines_instead_of_guessing(sales: Table, question: str, why: str) -> None:
    result = answer(question, sales, PARAS)
    assert isinstance(result, Declined)
    assert not result
    assert why in result.reason


def test_missing_figure_is_not_zero() -> None:
    t = Table.from_rows([["", "2019", "2018"], ["Acquisition-related charges", "(228)", "—"]])
    result = answer("What is the increase / (decrease) in Acquisition-related charges from 2018 to 2019?", t)
    assert isinstance(result, Declined) and "no figure" in result.reason


def test_negative_deduction_lines_are_declined_as_sign_ambiguous() -> None:
    t = Table.from_rows([["", "2019", "2018"], ["Cost of sales", "(5,860)", "(5,803)"]])
    result = answer("What is the average cost of sales?", t)
    assert isinstance(result, Declined) and "sign" in result.reason


def test_parse_question_intents() -> None:
    assert parse_question("What was the percentage change in X between 2018 and 2019?").op == "pct_change"
    assert parse_question("What is the average X?").op == "average"
    assert parse_question("What is the ratio of A to B in 2019?").op == "ratio"
    assert parse_question("How much did X decrease by from 2017 to 2019?").reverse
    assert parse_question("What was X in 2019?").op == "lookup"
    assert parse_question("In which year was X larger?").op == "argmax_period"
    intent = parse_question("In which year was X less than 1,000 thousands?")
    assert (intent.op, intent.comparator, intent.threshold, intent.threshold_scale) == (
        "filter_periods",
        "<",
        Decimal(1000),
        "thousand",
    )
