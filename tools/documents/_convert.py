"""Turning an uploaded file into parts (pages, slides, sheets, sections) of Markdown, with anchors.

markitdown converts DOCX, PPTX, HTML, Markdown, CSV and text. PDFs are read page by page with
pdfplumber (markitdown's own PDF reader, page by page, so every table and sentence keeps its page
number). Spreadsheets are read with openpyxl, so each table keeps exact cell values and A1
references (markitdown's spreadsheet path goes through pandas, which turns 2019 into "2019.0").
Encrypted, corrupt and empty files raise before anything is stored.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._errors import EncryptedDocument, UnreadableDocument, UnsupportedDocument

__all__ = ["FORMATS", "Converted", "Part", "SheetTable", "convert", "detect_format"]

FORMATS = {
    ".pdf": "pdf", ".docx": "docx", ".pptx": "pptx", ".xlsx": "xlsx", ".html": "html", ".htm": "html",
    ".md": "md", ".markdown": "md", ".csv": "csv", ".txt": "txt",
}  # fmt: skip
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html", "md": "text/markdown", "csv": "text/csv", "txt": "text/plain",
}  # fmt: skip
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML (or legacy .doc/.xls) container
_ZIP = b"PK\x03\x04"
_MAIN_PART = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}
_SLIDE = re.compile(r"^<!-- Slide number: (\d+) -->\s*$", re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


@dataclass
class Part:
    """A page, slide, sheet or section: where a figure is cited, and its text as Markdown."""

    anchor: str
    text: str


@dataclass
class SheetTable:
    """A table read from a spreadsheet: cell strings, a caption, and the A1 cell of its top-left corner."""

    anchor: str
    rows: list[list[str]]
    caption: str = ""
    origin: tuple[int, int] = (1, 1)  # (row, column), 1-based


@dataclass
class Converted:
    format: str
    title: str
    parts: list[Part]
    sheet_tables: list[SheetTable] = field(default_factory=list)


def detect_format(filename: str) -> str:
    fmt = FORMATS.get(Path(filename).suffix.lower())
    if fmt is None:
        known = ", ".join(sorted({f".{v}" for v in FORMATS.values()}))
        raise UnsupportedDocument(f"{filename!r}: unsupported file type; upload one of {known}")
    return fmt


def convert(path: Path, fmt: str, *, max_pages: int = 500) -> Converted:
    """Parts of the file at ``path`` (already known to be ``fmt``)."""
    head = _head(path, 8)
    if fmt in ("docx", "pptx", "xlsx"):
        if head.startswith(_OLE):
            raise EncryptedDocument(
                "the file is password-protected (an encrypted Office document) or a legacy binary "
                "Office file; remove the password or save it as .docx/.pptx/.xlsx"
            )
        if not head.startswith(_ZIP) or not _has_part(path, _MAIN_PART[fmt]):
            raise UnreadableDocument(f"the .{fmt} file could not be read (not a valid .{fmt} package)")
    if fmt == "pdf":
        parts = _pdf(path, max_pages)
        sheets: list[SheetTable] = []
    elif fmt == "xlsx":
        parts, sheets = _xlsx(path)
    else:
        parts, sheets = _markitdown(path, fmt), []
    parts = [p for p in parts if p.text.strip()]
    if not parts:
        hint = " (a scanned PDF? text recognition is not supported)" if fmt == "pdf" else ""
        raise UnreadableDocument(f"no text could be extracted from the file{hint}")
    return Converted(fmt, _title(parts), parts, sheets)


def _has_part(path: Path, name: str) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return name in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _head(path: Path, n: int) -> bytes:
    with path.open("rb") as f:
        return f.read(n)


def _title(parts: list[Part]) -> str:
    for line in parts[0].text.splitlines():
        line = line.strip()
        if line and not line.startswith(("|", "<!--")):
            return (_HEADING.match(line)[1] if _HEADING.match(line) else line)[:160]  # type: ignore[index]
    return ""


# ------------------------------------------------------------------------------------------- PDF
def _pdf(path: Path, max_pages: int) -> list[Part]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    tabular: Callable[[Any], str | None] | None
    try:
        from markitdown.converters._pdf_converter import _extract_form_content_from_words as tabular
    except ImportError:  # pragma: no cover - markitdown moved it: plain text still works
        tabular = None

    if not _head(path, 1024).lstrip().startswith(b"%PDF"):
        raise UnreadableDocument("the file is not a valid PDF")
    parts: list[Part] = []
    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > max_pages:
                raise UnreadableDocument(f"the PDF has {len(pdf.pages)} pages; at most {max_pages} are read")
            for number, page in enumerate(pdf.pages, start=1):
                text = _ruled_tables(page)
                if text is None:
                    text = tabular(page) if tabular is not None else None
                if text is None:
                    text = page.extract_text() or ""
                parts.append(Part(f"page {number}", text.strip()))
                page.close()
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedDocument("the PDF is password-protected; upload it without the password") from exc
    except UnreadableDocument:
        raise
    except Exception as exc:
        if _encrypted(exc):
            raise EncryptedDocument("the PDF is password-protected; upload it without the password") from exc
        raise UnreadableDocument(f"the PDF could not be read ({type(exc).__name__})") from exc
    return parts


def _ruled_tables(page: Any) -> str | None:
    """A page with ruled tables: its prose, then each table as a Markdown pipe table (None: no table)."""
    found = page.find_tables()
    if not found:
        return None
    boxes = [t.bbox for t in found]

    def outside(obj: dict[str, Any]) -> bool:
        x, top = (obj.get("x0", 0) + obj.get("x1", 0)) / 2, (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= top <= b[3] for b in boxes)

    prose = page.filter(outside).extract_text() or ""
    blocks = [prose.strip()]
    for table in found:
        rows = [[" ".join((c or "").split()).replace("|", "\\|") for c in row] for row in table.extract()]
        rows = [r for r in rows if any(r)]
        if rows:
            lines = ["| " + " | ".join(r) + " |" for r in rows]
            blocks.append("\n".join([lines[0], "|" + "---|" * len(rows[0]), *lines[1:]]))
    return "\n\n".join(b for b in blocks if b)


def _encrypted(exc: BaseException) -> bool:
    """pdfplumber wraps pdfminer's password errors; look through the chain and the arguments."""
    seen: list[object] = [exc, exc.__cause__, exc.__context__, *getattr(exc, "args", ())]
    return any(
        isinstance(e, BaseException | type)
        and re.search(r"password|encrypt", getattr(e, "__name__", type(e).__name__), re.I)
        for e in seen
        if e is not None
    )


# ------------------------------------------------------------------------------ markitdown formats
def _markitdown(path: Path, fmt: str) -> list[Part]:
    from markitdown import MarkItDown, StreamInfo

    data = path.read_bytes()
    if fmt in ("html", "md", "csv", "txt"):
        if b"\x00" in data[:8192]:
            raise UnreadableDocument(f"the file is binary, not .{fmt} text")
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                data = data.decode("cp1252").encode("utf-8")
            except UnicodeDecodeError as exc:
                raise UnreadableDocument("the text is neither UTF-8 nor Windows-1252") from exc
    ext = {"md": ".md", "txt": ".txt"}.get(fmt, f".{fmt}")
    try:
        result = MarkItDown(enable_plugins=False).convert_stream(
            io.BytesIO(data), stream_info=StreamInfo(extension=ext, charset="utf-8")
        )
    except Exception as exc:
        cause = exc.__cause__ or exc
        raise UnreadableDocument(f"the .{fmt} file could not be read ({type(cause).__name__})") from exc
    text = result.markdown or ""
    if fmt == "pptx":
        return _split_slides(text)
    if fmt in ("docx", "html", "md"):
        return _split_sections(text)
    return [Part("table" if fmt == "csv" else "text", text)]


def _split_slides(text: str) -> list[Part]:
    marks = list(_SLIDE.finditer(text))
    return [
        Part(
            f"slide {m[1]}", text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
        )
        for i, m in enumerate(marks)
    ] or [Part("slide 1", text)]


def _split_sections(text: str) -> list[Part]:
    parts: list[Part] = []
    anchor, lines = "beginning", list[str]()
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            if any(x.strip() for x in lines):
                parts.append(Part(anchor, "\n".join(lines).strip()))
            anchor, lines = f"section '{m[1][:80]}'", [line]
        else:
            lines.append(line)
    if any(x.strip() for x in lines):
        parts.append(Part(anchor, "\n".join(lines).strip()))
    return parts


# ---------------------------------------------------------------------------------------- XLSX
def cell_text(value: Any, number_format: str = "General") -> str:
    """A spreadsheet value as a table cell string, exactly ("1250", "900000.5", "12.5%")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, int | float):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in (number_format or ""):
            d *= 100
            return f"{_plain(d)}%"
        return _plain(d)
    return str(value).strip()


def _plain(d: Decimal) -> str:
    d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
    return f"{d:f}"


def _xlsx(path: Path) -> tuple[list[Part], list[SheetTable]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableDocument(f"the .xlsx file could not be read ({type(exc).__name__})") from exc
    parts: list[Part] = []
    tables: list[SheetTable] = []
    try:
        for ws in wb.worksheets:
            anchor = f"sheet '{ws.title}'"
            grid = [
                [cell_text(c.value, getattr(c, "number_format", "General")) for c in row]
                for row in ws.iter_rows()
            ]
            sheet_tables = _sheet_tables(anchor, grid)
            tables += sheet_tables
            parts.append(Part(anchor, _sheet_markdown(ws.title, sheet_tables)))
    finally:
        wb.close()
    return parts, tables


def _sheet_tables(anchor: str, grid: list[list[str]]) -> list[SheetTable]:
    """Blocks of non-empty rows; a block of one filled cell is the caption of the table below it."""
    out: list[SheetTable] = []
    caption = ""
    r = 0
    while r < len(grid):
        if not any(grid[r]):
            r += 1
            continue
        start = r
        while r < len(grid) and any(grid[r]):
            r += 1
        block = grid[start:r]
        filled = [c for row in block for c in row if c]
        if (
            len(block) <= 2
            and len(filled) == len(block)
            and all(sum(1 for c in row if c) == 1 for row in block)
        ):
            caption = " ".join(filled)  # a title line above a table
            continue
        first_col = min(next(i for i, c in enumerate(row) if c) for row in block)
        width = max(max((i for i, c in enumerate(row) if c), default=0) for row in block) + 1
        rows = [row[first_col:width] + [""] * (width - len(row)) for row in block]
        while len(rows) > 1 and sum(1 for c in rows[0] if c) == 1 and rows[0][0]:
            caption = f"{caption} {rows[0][0]}".strip()  # title rows inside the block
            rows = rows[1:]
            start += 1
        out.append(SheetTable(anchor, rows, caption, (start + 1, first_col + 1)))
        caption = ""
    return out


def _sheet_markdown(title: str, tables: list[SheetTable]) -> str:
    lines = [f"## {title}"]
    for t in tables:
        if t.caption:
            lines += ["", t.caption]
        lines.append("")
        for i, row in enumerate(t.rows):
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
            if i == 0:
                lines.append("|" + "---|" * len(row))
    return "\n".join(lines)
