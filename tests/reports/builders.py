"""Small company documents generated in the tests: DOCX (hand-built OOXML), XLSX (openpyxl),
PPTX (python-pptx), PDF (fpdf2), and the two companies the report tests analyse."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

Block = tuple[str, object]  # ("h1", text) | ("p", text) | ("table", rows)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_DOC_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/></Relationships>'
)
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{_W}">'
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>'
)


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def docx(blocks: Sequence[Block]) -> bytes:
    """A minimal Word document with headings, paragraphs and tables (no python-docx needed)."""
    body = []
    for kind, value in blocks:
        if kind == "table":
            rows = "".join(
                "<w:tr>" + "".join(f"<w:tc><w:p>{_run(c)}</w:p></w:tc>" for c in row) + "</w:tr>"
                for row in value  # type: ignore[attr-defined]
            )
            body.append(f"<w:tbl>{rows}</w:tbl>")
        else:
            style = '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>' if kind == "h1" else ""
            body.append(f"<w:p>{style}{_run(str(value))}</w:p>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
        + "".join(body)
        + "</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", _DOC_RELS)
        z.writestr("word/styles.xml", _STYLES)
    return buf.getvalue()


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pptx(slides: list[tuple[str, list[list[str]] | str]]) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for title, content in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = title
        if isinstance(content, str):
            box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(8), Inches(1))
            box.text_frame.text = content
        else:
            shape = slide.shapes.add_table(
                len(content), len(content[0]), Inches(0.5), Inches(1.5), Inches(9), Inches(3)
            )
            for i, row in enumerate(content):
                for j, cell in enumerate(row):
                    shape.table.cell(i, j).text = cell
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()


def pdf(pages: list[list[str | list[list[str]]]], *, password: str | None = None) -> bytes:
    """Pages of lines and tables; with ``password`` the PDF is encrypted."""
    from fpdf import FPDF

    doc = FPDF()
    if password:
        doc.set_encryption(owner_password="owner", user_password=password)
    doc.set_font("helvetica", size=10)
    for page in pages:
        doc.add_page()
        for item in page:
            if isinstance(item, str):
                doc.multi_cell(0, 6, text=item, new_x="LMARGIN", new_y="NEXT")
            else:
                with doc.table() as table:
                    for row in item:
                        r = table.row()
                        for cell in row:
                            r.cell(cell)
    return bytes(doc.output())


ENCRYPTED_OFFICE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"EncryptedPackage"

CONTOSO_INCOME = [
    ["(USD in millions)", "FY2017", "FY2018", "FY2019"],
    ["Revenue", "1,010.0", "1,100.0", "1,250.0"],
    ["Cost of sales", "(600.0)", "(640.0)", "(700.0)"],
    ["Gross profit", "410.0", "460.0", "550.0"],
    ["Other revenue", "12.0", "15.0", "18.0"],
    ["Operating income", "130.0", "150.0", "200.0"],
    ["Net income", "80.0", "90.0", "120.0"],
    ["Diluted EPS", "0.80", "0.90", "1.20"],
]
CONTOSO_BALANCE = [
    ["(USD in millions)", "FY2018", "FY2019"],
    ["Cash and cash equivalents", "150.0", "180.0"],
    ["Total assets", "1,500.0", "1,600.0"],
    ["Total debt", "300.0", "280.0"],
    ["Total equity", "700.0", "800.0"],
]
CONTOSO_CASH = [
    ["(USD in millions)", "FY2018", "FY2019"],
    ["Net cash provided by operating activities", "170.0", "210.0"],
    ["Capital expenditures", "(60.0)", "(70.0)"],
]


def contoso_docx() -> bytes:
    return docx(
        [
            ("h1", "Contoso Ltd annual report 2019"),
            ("p", "Contoso had 1,250 employees at December 31, 2019."),
            ("h1", "Income statement"),
            ("p", "Consolidated income statement"),
            ("table", CONTOSO_INCOME),
            ("h1", "Balance sheet"),
            ("table", CONTOSO_BALANCE),
            ("h1", "Cash flow statement"),
            ("table", CONTOSO_CASH),
        ]
    )


def fabrikam_xlsx() -> bytes:
    return xlsx(
        {
            "Income": [
                ["Fabrikam AG income statement (in thousands of EUR)"],
                [],
                ["", "2018", "2019"],
                ["Net sales", 880000, 960000],
                ["Cost of sales", -560000, -600000],
                ["Operating income", 70000, 88000],
                ["Net income", 40000, 52000],
            ],
            "Balance": [
                ["(in thousands of EUR)", "2019"],
                ["Total debt", 900000],
                ["Total equity", 500000],
                ["Cash and cash equivalents", 60000],
            ],
        }
    )
