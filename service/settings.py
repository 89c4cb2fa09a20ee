"""The one settings object. Every value comes from the environment (prefix ``OPSCOPILOT_``, nested
fields with ``__``) or its default; no other module reads ``os.environ``. Defaults are the embedded
default: SQLite under ``./var``, API keys, no LLM, no Azure."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents import LLMSettings
from evals._config import EvalsConfig
from tools.documents._config import DocumentsConfig
from tools.monitoring._config import MonitoringConfig
from tools.ops._config import OpsConfig
from tools.triage._config import LogsConfig

__all__ = ["BudgetSettings", "CosmosSettings", "EntraSettings", "Settings", "TelemetrySettings"]


class CosmosSettings(BaseModel):
    endpoint: str | None = Field(default=None, description="Account endpoint; setting it selects Cosmos DB.")
    key: SecretStr | None = Field(
        default=None, description="Account key; empty means Entra ID (DefaultAzureCredential)."
    )
    database: str = Field(default="opscopilot", description="Database name.")
    create_containers: bool = Field(default=True, description="Create the database and containers at start-up.")
    verify_tls: bool = Field(default=True, description="Only the local emulator needs false.")


class EntraSettings(BaseModel):
    """Entra ID bearer tokens: issuer, audience and the JWKS to check signatures against."""

    tenant_id: str | None = Field(default=None, description="Entra directory whose tokens are accepted.")
    audience: str | None = Field(default=None, description="Expected aud (the API's application ID URI); enables Entra auth.")
    issuer: str | None = Field(default=None, description="Expected iss; default https://login.microsoftonline.com/<tenant>/v2.0.")
    jwks_url: str | None = Field(default=None, description="Signing keys; default the tenant's discovery/v2.0/keys.")
    # app role value (in the token's "roles" claim) -> our role
    role_map: dict[str, str] = Field(
        description="App role value in the token -> our role.",
        default_factory=lambda: {
            "OpsCopilot.User": "user",
            "OpsCopilot.Triager": "triager",
            "OpsCopilot.Operator": "operator",
            "OpsCopilot.Admin": "admin",
        }
    )
    # Entra directory id (tid claim) -> our tenant id; unmapped directories use the tid itself
    tenant_map: dict[str, str] = Field(default_factory=dict, description="Entra directory id -> our tenant id.")

    @property
    def enabled(self) -> bool:
        return bool(self.audience and (self.issuer or self.tenant_id))

    def resolved_issuer(self) -> str:
        return self.issuer or f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"

    def resolved_jwks_url(self) -> str:
        return self.jwks_url or f"https://login.microsoftonline.com/{self.tenant_id}/discovery/v2.0/keys"


class TelemetrySettings(BaseModel):
    """Traces and metrics (docs/monitoring.md). Exporters are optional and imported on first use;
    the Prometheus ``/metrics`` endpoint works without any."""

    service_name: str = "opscopilot"
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector base URL, e.g. http://otel-collector:4318."
    )
    otlp_headers: dict[str, str] = Field(default_factory=dict)
    azure_monitor_connection_string: SecretStr | None = Field(
        default=None, description="Application Insights connection string: export to Azure Monitor."
    )
    export_interval_seconds: float = Field(default=60.0, gt=0)
    trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    metrics_endpoint: bool = Field(default=True, description="Serve GET /metrics (Prometheus).")
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token of the platform's scraper (all tenants' series)."
    )


class BudgetSettings(BaseModel):
    """Per-tenant token budgets and request rate limits; a tenant's stored policy overrides these
    (PUT /v1/budgets). ``None`` budgets mean no budget; a rate of 0 means no limit."""

    daily_tokens: int | None = Field(default=None, ge=0)
    monthly_tokens: int | None = Field(default=None, ge=0)
    key_rate_per_second: float = Field(default=100.0, ge=0)
    key_burst: int = Field(default=500, ge=1)
    tenant_rate_per_second: float = Field(default=500.0, ge=0)
    tenant_burst: int = Field(default=2000, ge=1)
    # requests that spend tokens: refused while the tenant is over its token budget
    guarded_routes: list[str] = Field(
        default_factory=lambda: [
            "POST /v1/conversations/{conversation_id}/messages",
            "POST /v1/evals/runs",
            "POST /v1/logs/triage",
            "POST /v1/reports",
        ]
    )
    cache_seconds: float = Field(
        default=5.0, ge=0, description="How long usage totals and policies are cached."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPSCOPILOT_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="Where the embedded default keeps its data.")
    store: Literal["auto", "sqlite", "cosmos"] = Field(default="auto", description="auto: Cosmos DB when an endpoint is set.")
    cosmos: CosmosSettings = Field(default_factory=CosmosSettings)
    entra: EntraSettings = Field(default_factory=EntraSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    prompt_variants: dict[str, str] = Field(default_factory=dict, description="agent -> prompt variant")
    host: str = Field(default="127.0.0.1", description="Interface `opscopilot serve` binds.")
    port: int = Field(default=8000, description="Port `opscopilot serve` listens on.")
    max_body_bytes: int = Field(default=1_048_576, description="Largest JSON request body; larger gets 413.")
    instance_id: str = Field(default="", description="Replica name in leases and logs; default host:pid.")
    # model registry, endpoints, approvals, canary gates (OPSCOPILOT_OPS__APPROVAL_TTL_HOURS, ...)
    ops: OpsConfig = Field(default_factory=OpsConfig)
    # company documents and reports (OPSCOPILOT_DOCUMENTS__MAX_UPLOAD_BYTES, ...)
    documents: DocumentsConfig = Field(default_factory=DocumentsConfig)
    # online evaluation of live turns, API eval-run limits (OPSCOPILOT_EVALS__ONLINE_FRACTION, ...)
    evals: EvalsConfig = Field(default_factory=EvalsConfig)
    # traces, metrics and exporters (OPSCOPILOT_TELEMETRY__OTLP_ENDPOINT, ...)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    # token budgets and rate limits (OPSCOPILOT_BUDGETS__DAILY_TOKENS, ...)
    budgets: BudgetSettings = Field(default_factory=BudgetSettings)
    # drift, alert rules, the monitoring worker (OPSCOPILOT_MONITORING__INTERVAL_SECONDS, ...)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    # log triage: upload limit, allowed server paths, Log Analytics workspace, category threshold
    # (OPSCOPILOT_LOGS__ALLOWED_PATHS='["/var/log/app"]', OPSCOPILOT_LOGS__WORKSPACE_ID, ...)
    logs: LogsConfig = Field(default_factory=LogsConfig)

    @property
    def store_backend(self) -> str:
        if self.store == "auto":
            return "cosmos" if self.cosmos.endpoint else "sqlite"
        return self.store

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "opscopilot.db"
