"""Settings of the log analyst (``OPSCOPILOT_LOGS__ALLOWED_PATHS``, ``OPSCOPILOT_LOGS__WORKSPACE_ID``...)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

__all__ = ["LogsConfig"]


class LogsConfig(BaseModel):
    # ingestion
    max_upload_bytes: int = Field(
        default=1 << 30, ge=1, description="Largest upload (streamed to disk), 1 GiB."
    )
    max_text_bytes: int = Field(default=10 << 20, ge=1, description="Largest JSON body ({text} pasted logs).")
    allowed_paths: list[Path] = Field(
        default_factory=list,
        description="Directories whose files may be triaged by server-side path; empty: none.",
    )
    dir: Path | None = Field(default=None, description="Staging area for uploads; default <data_dir>/logs.")
    # Azure Monitor Log Analytics
    workspace_id: str | None = Field(
        default=None, description="Log Analytics workspace id for {kql} sources."
    )
    kql_timespan_hours: float = Field(default=24.0, gt=0, le=24 * 90, description="Default KQL time range.")
    kql_timeout_seconds: int = Field(default=180, ge=1, le=600, description="Server timeout of a KQL query.")
    # classification
    category_threshold: float = Field(
        default=0.35, ge=0, le=1, description="Below this confidence a template is uncategorised."
    )
    reuse_confidence: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="Cached LLM classifications at or above this survive category changes.",
    )
    max_suggestions: int = Field(default=3, ge=0, description="New categories proposed per triage, at most.")
    # LLM economy
    llm_batch_size: int = Field(default=20, ge=1, le=200, description="Templates per LLM call, at most.")
    llm_batch_chars: int = Field(
        default=6000, ge=500, description="Prompt characters of templates per call, at most."
    )
    llm_max_templates: int = Field(
        default=300, ge=0, description="Templates per triage sent to the LLM, at most."
    )
    llm_max_tokens: int | None = Field(
        default=1500, ge=1, description="Completion tokens per call (None: deployment default)."
    )
    # results and jobs
    max_result_templates: int = Field(default=300, ge=1, description="Templates kept in a triage result.")
    example_chars: int = Field(default=400, ge=16, description="Characters kept of each example line.")
    worker: bool = Field(default=True, description="Run queued triage jobs in this process.")
    poll_seconds: float = Field(
        default=2.0, gt=0, description="How often the worker looks for queued triages."
    )
    lease_seconds: float = Field(
        default=120.0, gt=0, description="A running triage's lease (renewed while it runs)."
    )
    max_attempts: int = Field(
        default=3, ge=1, description="Attempts before a triage that keeps crashing fails."
    )

    def root(self, data_dir: Path) -> Path:
        return self.dir or data_dir / "logs"
