"""Every setting TraceApp reads from the environment, in one place.

docs/configuration.md lists the same variables for operators; keep the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from limits import parse_many

from keys.bundle import DEFAULT_MAX_AGE_DAYS
from labels import PrintOptions

DEV_SECRET_KEY = "dev-secret-change-me"
DEV_KEY_PASSPHRASE = "dev-passphrase-change-me"


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or unusable."""


def _default_instance_dir() -> Path:
    return Path(os.environ.get("TRACEAPP_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    value = text.strip().lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no"):
        return False
    raise ConfigError(f"{name} must be on or off (1/0, true/false), not {text!r}")


def _seconds(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 <= value < 86_400):
        raise ConfigError(f"{name} must be a number of seconds from 0 to 86400, not {text!r}")
    return value


def _rate_limit(env: Mapping[str, str], name: str, default: str) -> str:
    text = env.get(name) or default
    try:
        parse_many(text)
    except ValueError:
        raise ConfigError(
            f"{name} must be a rate limit such as '120/minute' or '10/second;500/hour',"
            f" not {text!r}"
        ) from None
    return text


def _pooler(text: str) -> str:
    if text.strip() not in ("", "transaction"):
        raise ConfigError(
            f"TRACEAPP_DATABASE_POOLER must be 'transaction' (PgBouncer in transaction mode)"
            f" or empty, not {text!r}"
        )
    return text.strip()


def _replica_url(text: str) -> str | None:
    url = text.strip()
    if url and not url.startswith("postgresql"):
        raise ConfigError(
            "TRACEAPP_DATABASE_REPLICA_URL must be a PostgreSQL URL (a streaming standby of"
            f" the primary), not {text!r}"
        )
    return url or None


def _whole_number(text: str, name: str) -> int:
    if not text.strip().isdigit():
        raise ConfigError(f"{name} must be a whole number, not {text!r}")
    return int(text)


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    instance_dir: Path = field(default_factory=_default_instance_dir)
    database_url: str = ""
    database_pooler: str = ""
    # A streaming standby for the reads that may lag (statistics, the Union dashboard):
    # traceapp/infrastructure/reporting.py. None: every read goes to the primary.
    database_replica_url: str | None = None
    keys_dir: Path = Path()
    key_passphrase: str = DEV_KEY_PASSPHRASE
    issuer: str = "VN-CB-LMHTX"
    public_base_url: str = "http://127.0.0.1:5000"
    secret_key: str = DEV_SECRET_KEY
    redis_url: str | None = None
    scan_salt: str = ""
    label_font: str | None = None
    label_font_bold: str | None = None
    proxy_hops: int = 0
    # Seconds between writes of buffered scans; 0: written at 500 waiting, on flush
    # and at exit only (tests: their sessions share one connection, no thread may).
    scan_flush_seconds: float = 0.2
    # Months of raw scans kept beside the current one (`traceapp scans maintain` drops
    # older ones; their roll-ups stay); 0 keeps every raw scan.
    scan_retention_months: int = 24
    # How long a batch's records and rendered page parts are kept per process.
    # The Cooperative Union's hotline, shown to consumers with every red or amber verdict.
    union_hotline: str | None = None
    verification_cache_seconds: float = 5.0
    rate_limits: bool = True
    # Scans (and the public pages) per client address, and scans per code: why these
    # figures, docs/verification.md "Rate limits".
    rate_limit_public: str = "600/minute"
    rate_limit_public_per_code: str = "30/minute"
    rate_limit_sign_in: str = "10/minute"
    rate_limit_api: str = "600/minute"
    rate_limit_api_auth_failures: str = "20/minute"
    rate_limit_key_prefix: str = "traceapp"
    # Reports are rare and written by hand; a crowd behind one carrier address still fits.
    rate_limit_report: str = "20/hour"
    # The inspectors' app warns when its offline data is older than this.
    bundle_max_age_days: int = DEFAULT_MAX_AGE_DAYS
    print_workers: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
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
            database_pooler=_pooler(env.get("TRACEAPP_DATABASE_POOLER", "")),
            database_replica_url=_replica_url(env.get("TRACEAPP_DATABASE_REPLICA_URL", "")),
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
            label_font_bold=env.get("TRACEAPP_LABEL_FONT_BOLD") or None,
            proxy_hops=_whole_number(env.get("TRACEAPP_PROXY_HOPS", "0"), "TRACEAPP_PROXY_HOPS"),
            scan_flush_seconds=_seconds(
                env.get("TRACEAPP_SCAN_FLUSH_SECONDS", "0.2"), "TRACEAPP_SCAN_FLUSH_SECONDS"
            ),
            scan_retention_months=_whole_number(
                env.get("TRACEAPP_SCAN_RETENTION_MONTHS", "24"), "TRACEAPP_SCAN_RETENTION_MONTHS"
            ),
            union_hotline=env.get("TRACEAPP_UNION_HOTLINE", "").strip() or None,
            verification_cache_seconds=_seconds(
                env.get("TRACEAPP_VERIFICATION_CACHE_SECONDS", "5"),
                "TRACEAPP_VERIFICATION_CACHE_SECONDS",
            ),
            rate_limits=_switch(env, "TRACEAPP_RATE_LIMITS", True),
            rate_limit_public=_rate_limit(env, "TRACEAPP_RATE_LIMIT_PUBLIC", "600/minute"),
            rate_limit_public_per_code=_rate_limit(
                env, "TRACEAPP_RATE_LIMIT_PUBLIC_PER_CODE", "30/minute"
            ),
            rate_limit_sign_in=_rate_limit(env, "TRACEAPP_RATE_LIMIT_SIGN_IN", "10/minute"),
            rate_limit_api=_rate_limit(env, "TRACEAPP_RATE_LIMIT_API", "600/minute"),
            rate_limit_api_auth_failures=_rate_limit(
                env, "TRACEAPP_RATE_LIMIT_API_AUTH_FAILURES", "20/minute"
            ),
            rate_limit_key_prefix=env.get("TRACEAPP_RATE_LIMIT_KEY_PREFIX") or "traceapp",
            rate_limit_report=_rate_limit(env, "TRACEAPP_RATE_LIMIT_REPORT", "20/hour"),
            bundle_max_age_days=_whole_number(
                env.get("TRACEAPP_BUNDLE_MAX_AGE_DAYS", str(DEFAULT_MAX_AGE_DAYS)),
                "TRACEAPP_BUNDLE_MAX_AGE_DAYS",
            ),
            print_workers=_whole_number(
                env.get("TRACEAPP_PRINT_WORKERS", "1"), "TRACEAPP_PRINT_WORKERS"
            ),
        )

    def print_options(self) -> PrintOptions:
        """The print options every label rendering starts from (the configured fonts)."""
        return PrintOptions(font_path=self.label_font, bold_font_path=self.label_font_bold)

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
