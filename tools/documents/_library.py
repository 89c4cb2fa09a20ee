"""The tenant's documents: files under ``<root>/<tenant>/<id>/``, metadata in the store.

``ingest`` converts a file already on disk (an upload streamed there, or bytes written by
``ingest_bytes``), extracts its tables and paragraphs, and only then moves it into place and
writes the record: a file that cannot be read leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from store import Cond, NotFound, Store, new_id
from tools.reports import Table, detect_currency, find_periods

from ._convert import MEDIA_TYPES, convert, detect_format
from ._errors import DocumentNotFound, DocumentTooLarge
from ._extract import Paragraph, StoredTable, extract, to_table
from ._models import Document

__all__ = ["Content", "DocumentLibrary", "company_key", "guess_company"]

_SUFFIXES = re.compile(
    r"[\s,]+(?:inc\.?|incorporated|ltd\.?|limited|plc|corp\.?|corporation|co\.?|llc|ag|sa|s\.a\.|gmbh|nv|se|group|holdings?)$",
    re.I,
)
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def company_key(name: str) -> str:
    """Comparable form of a company name: "Contoso Ltd." and "contoso" meet."""
    key = " ".join(name.split()).strip(" .,")
    while True:
        shorter = _SUFFIXES.sub("", key).strip(" .,")
        if shorter == key:
            return key.casefold()
        key = shorter


def guess_company(filename: str) -> str:
    """A company name from a file name when the uploader gives none ("contoso_2019_annual.pdf" -> "Contoso")."""
    stem = Path(filename).stem
    token = next((t for t in re.split(r"[\s_\-.]+", stem) if t.isalpha()), "")
    return token[:1].upper() + token[1:] if token else ""


@dataclass
class Content:
    """A document's extracted content: tables (with citations back to it) and paragraphs."""

    document: Document
    tables: list[StoredTable]
    paragraphs: list[Paragraph]

    def table_objects(self) -> list[Table]:
        return [to_table(t, self.document.id) for t in self.tables]


class DocumentLibrary:
    def __init__(
        self, store: Store, root: Path, *, max_bytes: int = 20_000_000, max_pages: int = 500
    ) -> None:
        from store import Collection

        self.records = Collection(store.backend, Document)
        self.root = root
        self.max_bytes = max_bytes
        self.max_pages = max_pages
        self._cache: dict[tuple[str, str], Content] = {}

    def _dir(self, tenant_id: str, doc_id: str = "") -> Path:
        path = self.root / _SAFE.sub("_", tenant_id)
        return path / doc_id if doc_id else path

    def staging(self, tenant_id: str) -> Path:
        path = self._dir(tenant_id) / ".incoming"
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def ingest_bytes(
        self, tenant_id: str, user_id: str, filename: str, data: bytes, company: str = ""
    ) -> Document:
        if len(data) > self.max_bytes:
            raise DocumentTooLarge(f"the file is larger than {self.max_bytes} bytes")
        detect_format(filename)
        staged = await asyncio.to_thread(self._stage, tenant_id, data)
        return await self.ingest(tenant_id, user_id, filename, staged, company)

    def _stage(self, tenant_id: str, data: bytes) -> Path:
        with tempfile.NamedTemporaryFile(dir=self.staging(tenant_id), delete=False) as f:
            f.write(data)
        return Path(f.name)

    async def ingest(
        self, tenant_id: str, user_id: str, filename: str, staged: Path, company: str = ""
    ) -> Document:
        """Convert ``staged`` (removed afterwards in every case) and store it as a document."""
        try:
            doc = await asyncio.to_thread(self._prepare, tenant_id, user_id, filename, staged, company)
            try:
                return await self.records.create(doc)
            except BaseException:
                await asyncio.to_thread(shutil.rmtree, self._dir(tenant_id, doc.id), True)
                raise
        finally:
            await asyncio.to_thread(staged.unlink, missing_ok=True)

    def _prepare(self, tenant_id: str, user_id: str, filename: str, staged: Path, company: str) -> Document:
        """Convert and extract (raising before anything is kept), then put the file and its content in place."""
        fmt = detect_format(filename)
        size = staged.stat().st_size
        if size > self.max_bytes:
            raise DocumentTooLarge(f"the file is larger than {self.max_bytes} bytes")
        converted = convert(staged, fmt, max_pages=self.max_pages)
        tables, paragraphs = extract(converted)
        doc_id = new_id()
        name = Path(filename).name[:200] or f"document.{fmt}"
        text = " ".join(p.text for p in paragraphs[:50]) + " " + " ".join(t.caption for t in tables)
        objects = [to_table(t, doc_id) for t in tables]
        periods = sorted({f"FY{p.year}" for t in objects for ps in t.column_periods.values() for p in ps})
        doc = Document(
            id=doc_id,
            tenant_id=tenant_id,
            name=name,
            format=fmt,
            media_type=MEDIA_TYPES[fmt],
            size=size,
            sha256=_sha256(staged),
            company=(company.strip() or guess_company(name))[:120],
            title=converted.title,
            uploaded_by=user_id,
            path=f"{_SAFE.sub('_', tenant_id)}/{doc_id}/{_SAFE.sub('_', name)}",
            parts=[p.anchor for p in converted.parts],
            tables=[_summary(t, o) for t, o in zip(tables, objects, strict=True)],
            periods=periods or sorted({f"FY{p.year}" for p in find_periods(text)})[:20],
            currency=next((o.currency for o in objects if o.currency), "") or detect_currency(text),
        )
        folder = self._dir(tenant_id, doc_id)
        folder.mkdir(parents=True, exist_ok=True)
        content = {
            "tables": [t.as_dict() for t in tables],
            "paragraphs": [{"anchor": p.anchor, "text": p.text} for p in paragraphs],
        }
        (folder / "content.json").write_text(json.dumps(content))
        shutil.move(staged, self.root / doc.path)
        return doc

    async def list(self, tenant_id: str, company: str = "") -> list[Document]:
        docs = await self.records.all(tenant_id)
        if company:
            docs = [d for d in docs if company_key(d.company) == company_key(company)]
        return docs

    async def get(self, tenant_id: str, doc_id: str) -> Document:
        try:
            return await self.records.get(tenant_id, doc_id)
        except NotFound:
            raise DocumentNotFound("document not found") from None

    async def delete(self, tenant_id: str, doc_id: str) -> None:
        doc = await self.get(tenant_id, doc_id)
        await self.records.delete(tenant_id, doc.id)
        self._cache.pop((tenant_id, doc_id), None)
        shutil.rmtree(self._dir(tenant_id, doc.id), ignore_errors=True)

    async def content(self, doc: Document) -> Content:
        key = (doc.tenant_id, doc.id)
        if key not in self._cache:
            raw = json.loads(
                await asyncio.to_thread((self._dir(doc.tenant_id, doc.id) / "content.json").read_text)
            )
            self._cache[key] = Content(
                doc,
                [StoredTable.from_dict(t) for t in raw["tables"]],
                [Paragraph(p["anchor"], p["text"]) for p in raw["paragraphs"]],
            )
        return self._cache[key]

    async def companies(self, tenant_id: str) -> dict[str, str]:
        """company key -> display name, for every company with documents."""
        out: dict[str, str] = {}
        for d in await self.list(tenant_id):
            if d.company:
                out.setdefault(company_key(d.company), d.company)
        return out

    async def find(
        self, tenant_id: str, *, where: builtins.list[Cond] | None = None
    ) -> builtins.list[Document]:
        return await self.records.all(tenant_id, where=where)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _summary(t: StoredTable, table: Table) -> dict[str, object]:
    periods = sorted({str(p.year) for ps in table.column_periods.values() for p in ps})
    return {
        "index": t.index,
        "anchor": t.anchor,
        "caption": t.caption,
        "rows": table.n_rows,
        "cols": table.n_cols,
        "header_rows": table.header_rows,
        "scale": table.scale,
        "currency": table.currency,
        "periods": periods,
        "row_labels": [table.row_label(r) for r in table.body_rows][:40],
    }
