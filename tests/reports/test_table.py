"""The table model: header detection, merged headers, sections, scale, citations, constructors."""

from __future__ import annotations

import pytest

from tools.reports import CellLookupError, ReportsError, Table, TableParseError

SALES = [
    ["", "", "Years Ended September 30,", ""],
    ["", "2019", "2018", "2017"],
    ["Fixed Price", "$  1,452.4", "$  1,146.2", "$  1,036.9"],
    ["Other", "44.1", "56.7", "70.8"],
    ["Total sales", "$1,496.5", "$1,202.9", "$1,107.7"],
]


def test_header_rows_row_labels_and_spanning_header() -> None:
    t = Table.from_rows(SALES)
    assert t.header_rows == 2
    assert list(t.body_rows) == [2, 3, 4]
    assert t.row_label(4) == "Total sales"
    # a lone spanning period caption applies to every column
    assert [t.column_label(c) for c in t.data_cols] == [
        "Years Ended September 30, 2019",
        "Years Ended September 30, 2018",
        "Years Ended September 30, 2017",
    ]
    assert [p.year for p in t.column_periods[1]] == [2019]


def test_grouped_headers_fill_rightwards_within_their_group() -> None:
    t = Table.from_rows(
        [
            ["", "Revenues", "", "Income (loss) from vessel operations", ""],
            ["(in thousands of U.S. dollars)", "2019", "2018", "2019", "2018"],
            ["Teekay LNG", "601,256", "510,762", "299,253", "148,599"],
        ]
    )
    assert [t.column_label(c) for c in t.data_cols] == [
        "Revenues 2019",
        "Revenues 2018",
        "Income (loss) from vessel operations 2019",
        "Income (loss) from vessel operations 2018",
    ]
    assert t.scale == "thousand"
    assert t.header_caption == "(in thousands of U.S. dollars)"


def test_year_like_unit_headers_are_headers_not_figures() -> None:
    t = Table.from_rows([["", "2019 €m", "2018 €m"], ["Salaries and fees", "4", "4"]])
    assert t.header_rows == 1
    assert t.scale == "million"


def test_sections_and_scale_row_below_headers() -> None:
    t = Table.from_rows(
        [
            ["October 31,", "", ""],
            ["", "2019", "2018"],
            ["(In thousands)", "", ""],
            ["Deferred tax assets:", "", ""],
            ["Inventories", "1,200", "1,100"],
            ["Deferred tax liabilities:", "", ""],
            ["Other", "(50)", "(40)"],
        ]
    )
    assert t.scale == "thousand"
    assert t.is_section_row(3)
    assert t.section(4) == "Deferred tax assets:"
    assert t.section(6) == "Deferred tax liabilities:"
    assert t.citation(6, 1).row_label == "Deferred tax liabilities: > Other"


def test_cell_scale_percent_and_per_share_rows() -> None:
    t = Table.from_rows(
        [
            ["(in millions, except per share data)", "2019", "2018"],
            ["Revenue", "1,000", "900"],
            ["Gross margin (%)", "40.1", "38.2"],
            ["Basic earnings per share", "$1.20", "$1.05"],
            ["Growth", "11.1%", "9.0%"],
        ]
    )
    assert t.scale == "million"
    assert t.cell_scale(1, 1) == "million"
    assert t.cell_scale(2, 1) == "percent"
    assert t.cell_scale(3, 1) == ""
    assert t.cell_scale(4, 1) == "percent"


def test_citation_carries_document_location_and_labels() -> None:
    t = Table.from_rows(SALES, doc_id="10-K-2019.pdf", location="page 42", table_index=3)
    c = t.citation(4, 1)
    assert (c.doc_id, c.location, c.table_index, c.row, c.col) == ("10-K-2019.pdf", "page 42", 3, 4, 1)
    assert c.row_label == "Total sales"
    assert c.column_label == "Years Ended September 30, 2019"
    assert c.text == "$1,496.5"
    assert "page 42" in str(c) and "Total sales" in str(c)


def test_markdown_table_from_markitdown() -> None:
    md = """
| (in millions) | 2019 | 2018 |
| --- | ---: | ---: |
| Revenue | 1,200 | 1,000 |
| Cost \\| other | (300) | (250) |
"""
    t = Table.from_markdown(md)
    assert t.rows[2] == ["Cost | other", "(300)", "(250)"]
    assert t.header_rows == 1
    assert t.scale == "million"
    assert t.number(2, 1).value == -300  # type: ignore[union-attr]


def test_csv_table() -> None:
    t = Table.from_csv('Item,2019,2018\nRevenue,"1,200","1,000"\n')
    assert t.rows == [["Item", "2019", "2018"], ["Revenue", "1,200", "1,000"]]
    assert t.number(1, 2).value == 1000  # type: ignore[union-attr]


def test_ragged_rows_are_padded_and_blank_rows_dropped() -> None:
    t = Table.from_rows([["", "2019", "2018"], [], ["Revenue", "5"]])
    assert t.n_rows == 2 and t.rows[1] == ["Revenue", "5", ""]


def test_errors_share_one_root() -> None:
    with pytest.raises(TableParseError):
        Table.from_rows([[], ["", ""]])
    with pytest.raises(TableParseError):
        Table.from_markdown("no table here")
    t = Table.from_rows(SALES)
    with pytest.raises(CellLookupError):
        t.text(99, 0)
    assert issubclass(TableParseError, ReportsError) and issubclass(CellLookupError, ReportsError)
