"""The one settings object. Every value comes from the environment (prefix ``OPSCOPILOT_``, nested
fields with ``__``) or its default; no other module reads ``os.environ``. Defaults are the embedded
default: SQLite under ``./var``, API keys, no LLM, no Azure."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["CosmosSettings", "EntraSettings", "Settings"]


class CosmosSettings(BaseModel):
    endpoint: str | None = None
    key: SecretStr | None = Field(
        default=None, description="Account key; empty means Entra ID (DefaultAzureCredential)."
    )
    database: str = "opscopilot"
    create_containers: bool = True
    verify_tls: bool = True


class EntraSettings(BaseModel):
    """Entra ID bearer tokens: issuer, audience and the JWKS to check signatures against."""

    tenant_id: str | None = None
    audience: str | None = None
    issuer: str | None = None
    jwks_url: str | None = None
    # app role value (in the token's "roles" claim) -> our role
    role_map: dict[str, str] = Field(
        default_factory=lambda: {
            "OpsCopilot.User": "user",
            "OpsCopilot.Triager": "triager",
            "OpsCopilot.Operator": "operator",
            "OpsCopilot.Admin": "admin",
        }
    )
    # Entra directory id (tid claim) -> our tenant id; unmapped directories use the tid itself
    tenant_map: dict[str, str] = Field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.audience and (self.issuer or self.tenant_id))

    def resolved_issuer(self) -> str:
        return self.issuer or f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"

    def resolved_jwks_url(self) -> str:
        return self.jwks_url or f"https://login.microsoftonline.com/{self.tenant_id}/discovery/v2.0/keys"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPSCOPILOT_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path("./var")
    store: Literal["auto", "sqlite", "cosmos"] = "auto"
    cosmos: CosmosSettings = Field(default_factory=CosmosSettings)
    entra: EntraSettings = Field(default_factory=EntraSettings)
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_048_576
    instance_id: str = ""

    @property
    def store_backend(self) -> str:
        if self.store == "auto":
            return "cosmos" if self.cosmos.endpoint else "sqlite"
        return self.store

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "opscopilot.db"
