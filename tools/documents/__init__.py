"""Company documents: upload, conversion (markitdown), anchors and table extraction, per tenant.

``DocumentLibrary`` keeps each tenant's files under ``<data_dir>/documents/<tenant>/<id>/`` with
their extracted content (tables as cell grids with captions, paragraphs, each with its page, slide,
sheet or section anchor) and a :class:`Document` record in the store. Tables come back as
``tools.reports.Table`` objects whose citations point into the document.
"""

from ._config import DocumentsConfig
from ._convert import FORMATS, Converted, Part, SheetTable, cell_text, convert, detect_format
from ._errors import (
    DocumentError,
    DocumentNotFound,
    DocumentTooLarge,
    EncryptedDocument,
    UnreadableDocument,
    UnsupportedDocument,
)
from ._extract import Paragraph, StoredTable, extract, to_table
from ._library import Content, DocumentLibrary, company_key, guess_company
from ._models import Document
from ._upload import Upload, receive_multipart

__all__ = [
    "FORMATS",
    "Content",
    "Converted",
    "Document",
    "DocumentsConfig",
    "DocumentError",
    "DocumentLibrary",
    "DocumentNotFound",
    "DocumentTooLarge",
    "EncryptedDocument",
    "Paragraph",
    "Part",
    "SheetTable",
    "StoredTable",
    "Upload",
    "UnreadableDocument",
    "UnsupportedDocument",
    "cell_text",
    "company_key",
    "convert",
    "detect_format",
    "extract",
    "guess_company",
    "receive_multipart",
    "to_table",
]
