"""Company documents of the caller's tenant: upload (multipart, streamed to disk with a size limit;
or JSON for text formats), list, read, delete. Conversion and extraction live in ``tools.documents``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field, ValidationError

from store import Timestamp
from tools.documents import (
    Document,
    DocumentError,
    DocumentLibrary,
    UnsupportedDocument,
    detect_format,
    receive_multipart,
)

from ..deps import SettingsDep, StoreDep, UserDep
from ..errors import ServiceError
from ..schemas import Strict

router = APIRouter(prefix="/v1/documents", tags=["documents"])

TEXT_FORMATS = {"md", "txt", "csv", "html"}


def get_library(db: StoreDep, settings: SettingsDep) -> DocumentLibrary:
    docs = settings.documents
    return DocumentLibrary(
        db, docs.root(settings.data_dir), max_bytes=docs.max_upload_bytes, max_pages=docs.max_pages
    )


LibraryDep = Annotated[DocumentLibrary, Depends(get_library)]


def problem(exc: Exception) -> ServiceError:
    """A document or report error as problem+json with its own status (413, 415, 422, 404)."""
    err = ServiceError(str(exc))
    err.status = getattr(exc, "status", 400)
    return err


class DocumentText(Strict):
    """A text document (Markdown, CSV, plain text or HTML) sent as JSON."""

    filename: str = Field(min_length=1, max_length=200, examples=["contoso-2019.md"])
    content: str = Field(min_length=1)
    company: str = Field("", max_length=120)


class DocumentOut(BaseModel):
    id: str
    name: str
    format: str
    media_type: str
    size: int
    sha256: str
    company: str
    title: str
    uploaded_by: str
    created_at: Timestamp
    parts: list[str]
    tables: list[dict[str, Any]]
    periods: list[str]
    currency: str


class DocumentList(BaseModel):
    items: list[DocumentOut]


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "company": {"type": "string", "maxLength": 120},
                    },
                }
            },
            "application/json": {"schema": DocumentText.model_json_schema()},
        },
    }
}


async def _read_limited(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise problem(DocumentError(f"the request body is larger than {limit} bytes")) from None
    return bytes(body)


@router.post("", status_code=201, response_model=DocumentOut, openapi_extra=_UPLOAD_BODY)
async def upload_document(request: Request, db: StoreDep, who: UserDep, library: LibraryDep) -> Document:
    """Upload a PDF, DOCX, PPTX, XLSX, HTML, Markdown, CSV or text file as ``multipart/form-data``
    (field ``file``, optional ``company``), or a text document as JSON. The file is streamed to disk
    and refused over the size limit (413); unreadable or password-protected files answer 422 and
    unsupported types 415, with nothing stored."""
    ctype = request.headers.get("content-type", "")
    try:
        if ctype.startswith("multipart/form-data"):
            upload = await receive_multipart(
                request.stream(), ctype, library.staging(who.tenant_id), library.max_bytes
            )
            doc = await library.ingest(
                who.tenant_id, who.user_id, upload.filename, upload.path, upload.fields.get("company", "")
            )
        elif ctype.startswith("application/json"):
            raw = await _read_limited(request, library.max_bytes + 65536)
            try:
                text = DocumentText.model_validate_json(raw)
            except ValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {"msg": "invalid body"}
                err = ServiceError(f"{'.'.join(str(x) for x in first.get('loc', ()))}: {first['msg']}")
                err.status = 422
                raise err from None
            if detect_format(text.filename) not in TEXT_FORMATS:
                raise UnsupportedDocument(
                    "only text formats (.md, .txt, .csv, .html) can be sent as JSON; upload other files as multipart/form-data"
                )
            data = text.content.encode("utf-8", "replace")
            doc = await library.ingest_bytes(who.tenant_id, who.user_id, text.filename, data, text.company)
        else:
            raise UnsupportedDocument("send the file as multipart/form-data (or a text document as JSON)")
    except DocumentError as exc:
        raise problem(exc) from None
    await db.audit.append(
        who.tenant_id, who.user_id, "document.upload", doc.id, {"name": doc.name, "sha256": doc.sha256}
    )
    return doc


@router.get("", response_model=DocumentList)
async def list_documents(
    who: UserDep, library: LibraryDep, company: Annotated[str, Query(max_length=120)] = ""
) -> dict[str, Any]:
    return {"items": await library.list(who.tenant_id, company)}


@router.get("/{document_id}", response_model=DocumentOut)
async def get_document(document_id: str, who: UserDep, library: LibraryDep) -> Document:
    try:
        return await library.get(who.tenant_id, document_id)
    except DocumentError as exc:
        raise problem(exc) from None


@router.delete("/{document_id}", status_code=204)
async def delete_document(document_id: str, db: StoreDep, who: UserDep, library: LibraryDep) -> Response:
    try:
        await library.delete(who.tenant_id, document_id)
    except DocumentError as exc:
        raise problem(exc) from None
    await db.audit.append(who.tenant_id, who.user_id, "document.delete", document_id)
    return Response(status_code=204)
