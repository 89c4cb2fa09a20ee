"""Settings of document ingestion and reports (``OPSCOPILOT_DOCUMENTS__MAX_UPLOAD_BYTES``, ...)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

__all__ = ["DocumentsConfig"]


class DocumentsConfig(BaseModel):
    max_upload_bytes: int = Field(
        default=20_000_000, ge=1, description="Largest file accepted by POST /v1/documents."
    )
    max_pages: int = Field(default=500, ge=1, description="Largest PDF read, in pages.")
    dir: Path | None = Field(default=None, description="Where files are kept; default <data_dir>/documents.")
    llm_narrative: bool = Field(
        default=True, description="In LLM mode, narrate report sections with the model."
    )

    def root(self, data_dir: Path) -> Path:
        return self.dir or data_dir / "documents"
