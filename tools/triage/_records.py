"""Records the log analyst keeps in the store, beside the store's own jobs (a triage is a ``Job``)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from store import Collection, Record, Store, Timestamp, utcnow

__all__ = [
    "Category",
    "CategorySeed",
    "Correction",
    "MinerStateChunk",
    "MinerStateHead",
    "TemplateNote",
    "TriageRecords",
    "TriageSecrets",
]

CategoryState = Literal["active", "suggested", "rejected"]


class Category(Record):
    """A tenant's category; ``id`` is a slug of its first name. Suggestions are categories in state
    ``suggested`` with the templates that prompted them (``members``)."""

    kind: ClassVar[str] = "log_categories"
    name: str
    description: str = ""
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    state: CategoryState = "active"
    builtin: bool = False
    members: list[dict[str, Any]] = Field(default_factory=list)  # [{"id", "hash", "text"}]
    triage_id: str | None = None
    created_by: str = ""
    decided_by: str | None = None
    updated_at: Timestamp = Field(default_factory=utcnow)


class CategorySeed(Record):
    """Marks that a tenant got the default categories, so deleting them does not bring them back."""

    kind: ClassVar[str] = "log_category_seeds"


class TemplateNote(Record):
    """What is known about one template of a tenant, keyed by the hash of its text: the LLM's (or a
    triager's) category and the LLM's plain-language rewrite. The cache that keeps LLM calls
    proportional to *new* templates."""

    kind: ClassVar[str] = "log_template_notes"
    text: str
    category_id: str | None = None
    confidence: float = 0.0
    category_source: str = ""  # llm | correction | suggestion ("" = no category known yet)
    fingerprint: str = ""  # the category set it was classified against
    rewrite: dict[str, str] | None = None
    model: str | None = None
    llm_failed: str = ""  # the category set of an LLM attempt that failed: not retried until it changes
    updated_at: Timestamp = Field(default_factory=utcnow)


class Correction(Record):
    """A triager's category for a template; the next triage uses it as an example of that category."""

    kind: ClassVar[str] = "log_corrections"
    template_hash: str
    template_text: str
    template_id: str
    triage_id: str
    category_id: str
    previous_category_id: str | None = None
    user_id: str


class MinerStateHead(Record):
    """Which generation of chunks holds the mining state of one (tenant, source); ``id`` = source key."""

    kind: ClassVar[str] = "log_miner_states"
    source: str
    generation: str = ""
    chunks: int = 0
    templates: int = 0
    batches: int = 0
    updated_at: Timestamp = Field(default_factory=utcnow)


class MinerStateChunk(Record):
    """A piece of a zlib-compressed `MinerState` (base64), so no document exceeds Cosmos DB's limit."""

    kind: ClassVar[str] = "log_miner_chunks"
    data: str


class TriageSecrets(Record):
    """The placeholder table of one triage (``id`` = triage id): lets triagers see the originals."""

    kind: ClassVar[str] = "log_triage_secrets"
    mapping: dict[str, str] = Field(default_factory=dict)


class TriageRecords:
    """Typed collections of the log analyst's records over the service's store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        backend = store.backend
        self.categories = Collection(backend, Category)
        self.seeds = Collection(backend, CategorySeed)
        self.notes = Collection(backend, TemplateNote)
        self.corrections = Collection(backend, Correction)
        self.state_heads = Collection(backend, MinerStateHead)
        self.state_chunks = Collection(backend, MinerStateChunk)
        self.secrets = Collection(backend, TriageSecrets)
