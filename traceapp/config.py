"""Every setting TraceApp reads from the environment, in one place.

docs/configuration.md lists the same variables for operators; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEV_SECRET_KEY = "dev-secret-change-me"
DEV_KEY_PASSPHRASE = "dev-passphrase-change-me"


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or unusable."""


def _default_instance_dir() -> Path:
    return Path(os.environ.get("TRACEAPP_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


def _whole_number(text: str, name: str) -> int:
    if not text.strip().isdigit():
        raise ConfigError(f"{name} must be a whole number, not {text!r}")
    return int(text)


def _seconds(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 3600:
        raise ConfigError(f"{name} must be a number of seconds from 0 to 3600, not {text!r}")
    return value


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    instance_dir: Path = field(default_factory=_default_instance_dir)
    database_url: str = ""
    keys_dir: Path = Path()
    key_passphrase: str = DEV_KEY_PASSPHRASE
    issuer: str = "VN-CB-LMHTX"
    public_base_url: str = "http://127.0.0.1:5000"
    secret_key: str = DEV_SECRET_KEY
    redis_url: str | None = None
    scan_salt: str = ""
    label_font: str | None = None
    proxy_hops: int = 0
    # Seconds between writes of buffered scans; 0: written at 500 waiting, on flush
    # and at exit only (tests: their sessions share one connection, no thread may).
    scan_flush_seconds: float = 0.2
    # How long a batch's records and rendered page parts are kept per process.
    verification_cache_seconds: float = 5.0

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        """Read the settings from TRACEAPP_* environment variables, with safe defaults."""
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("TRACEAPP_INSTANCE_DIR", Path.cwd() / "instance")).resolve()
        secret_key = env.get("TRACEAPP_SECRET_KEY", DEV_SECRET_KEY)
        return cls(
            env=env.get("TRACEAPP_ENV", "development"),
            instance_dir=instance_dir,
            database_url=env.get(
                "TRACEAPP_DATABASE_URL", f"sqlite:///{instance_dir / 'traceapp.db'}"
            ),
            keys_dir=Path(env.get("TRACEAPP_KEYS_DIR", instance_dir / "keys")),
            key_passphrase=env.get("TRACEAPP_KEY_PASSPHRASE", DEV_KEY_PASSPHRASE),
            issuer=env.get("TRACEAPP_ISSUER", "VN-CB-LMHTX"),
            public_base_url=env.get("TRACEAPP_PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip(
                "/"
            ),
            secret_key=secret_key,
            redis_url=env.get("TRACEAPP_REDIS_URL") or None,
            scan_salt=env.get("TRACEAPP_SCAN_SALT", secret_key),
            label_font=env.get("TRACEAPP_LABEL_FONT") or None,
            proxy_hops=_whole_number(env.get("TRACEAPP_PROXY_HOPS", "0"), "TRACEAPP_PROXY_HOPS"),
            scan_flush_seconds=_seconds(
                env.get("TRACEAPP_SCAN_FLUSH_SECONDS", "0.2"), "TRACEAPP_SCAN_FLUSH_SECONDS"
            ),
            verification_cache_seconds=_seconds(
                env.get("TRACEAPP_VERIFICATION_CACHE_SECONDS", "5"),
                "TRACEAPP_VERIFICATION_CACHE_SECONDS",
            ),
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def check_safe(self) -> None:
        """Refuse to run in production with development secrets."""
        if not self.is_production:
            return
        if self.secret_key == DEV_SECRET_KEY:
            raise ConfigError("TRACEAPP_SECRET_KEY must be set in production")
        if self.key_passphrase == DEV_KEY_PASSPHRASE:
            raise ConfigError("TRACEAPP_KEY_PASSPHRASE must be set in production")
        if not self.public_base_url.startswith("https://"):
            raise ConfigError("TRACEAPP_PUBLIC_BASE_URL must be an https:// URL in production")
