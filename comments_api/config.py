"""Settings: one frozen object built once from `COMMENTS_*` environment variables."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal, get_args, get_type_hints
from urllib.parse import urlsplit

__all__ = [
    "DEVELOPMENT_API_PORT",
    "DEVELOPMENT_API_URL",
    "DEVELOPMENT_HOST",
    "DEVELOPMENT_SECRET",
    "DEVELOPMENT_SITE_PORT",
    "DEVELOPMENT_SITE_URL",
    "ENVIRONMENTS",
    "MODERATION_POLICIES",
    "ConfigurationError",
    "Environment",
    "ModerationPolicyName",
    "Settings",
    "origin_of",
]

logger = logging.getLogger("comments_api")

DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"
# Where `make run` serves the blog and the API (the site's own copy is in the comments plugin's
# settings, which cannot import the service; tests/test_layout.py checks that they agree).
DEVELOPMENT_HOST = "127.0.0.1"
DEVELOPMENT_SITE_PORT = 8000
DEVELOPMENT_API_PORT = 8001
DEVELOPMENT_SITE_URL = f"http://{DEVELOPMENT_HOST}:{DEVELOPMENT_SITE_PORT}"
DEVELOPMENT_API_URL = f"http://{DEVELOPMENT_HOST}:{DEVELOPMENT_API_PORT}"
# A new policy or environment is one more name here; checks and messages follow from these.
ModerationPolicyName = Literal[
    "screen", "hold-guests", "hold-first-time-guests", "hold-all", "publish"
]
Environment = Literal["development", "test", "production"]
MODERATION_POLICIES: tuple[str, ...] = get_args(ModerationPolicyName)
ENVIRONMENTS: tuple[str, ...] = get_args(Environment)


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the message names the variable and the fix."""


def _split_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())


def _boolean(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")


def _integer(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}.")
    return value


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an absolute URL, or "" for anything else."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def at_least(minimum: int, default: int) -> int:
    """A whole-number setting that refuses values below `minimum` (0 otherwise)."""
    return field(default=default, metadata={"minimum": minimum})


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told; see the README's Operators' guide for each one."""

    env: Environment = "development"
    database_url: str = "sqlite:///comments.sqlite3"
    secret_key: str = DEVELOPMENT_SECRET
    site_url: str = DEVELOPMENT_SITE_URL
    site_name: str = "Improvement Network Blog"
    allowed_origins: tuple[str, ...] = (
        DEVELOPMENT_SITE_URL,
        f"http://localhost:{DEVELOPMENT_SITE_PORT}",
    )
    moderation: ModerationPolicyName = "hold-first-time-guests"
    edit_window_minutes: int = at_least(1, 15)
    close_after_days: int = 0
    min_submit_seconds: int = 3
    rate_limits_enabled: bool = True
    rate_limit_create: str = "5/minute;30/hour"
    rate_limit_edit: str = "30/hour"
    rate_limit_report: str = "10/hour"
    redis_url: str = ""
    build_token: str = ""
    deploy_token: str = ""
    threads_file: str = ""
    migrate_on_start: bool = True
    trusted_proxies: str = "127.0.0.1"
    db_pool_size: int = at_least(1, 10)
    # Bounded waits on the database (see the Operators' guide); 0 turns a limit off.
    db_connect_timeout_seconds: int = at_least(1, 5)
    db_statement_timeout_seconds: int = 30
    db_lock_timeout_seconds: int = 2
    db_busy_timeout_seconds: int = at_least(1, 10)
    db_read_timeout_seconds: int = at_least(1, 3)
    # Slow or oversized clients, closed where `comments-api serve` runs uvicorn.
    request_timeout_seconds: int = at_least(1, 15)
    keep_alive_seconds: int = at_least(1, 5)
    max_header_bytes: int = at_least(1024, 64 * 1024)
    list_cache_threads: int = at_least(1, 2000)
    public_url: str = ""
    verified_domains: tuple[str, ...] = ()
    session_days: int = at_least(1, 30)
    # Mail (see comments_api/mail): an empty host keeps messages queued, unsent.
    smtp_host: str = ""
    smtp_port: int = at_least(1, 25)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_starttls: bool = False
    smtp_timeout_seconds: int = at_least(1, 10)
    mail_interval_seconds: int = at_least(1, 10)
    mail_retry_seconds: int = at_least(1, 30)
    # Without a mail server: write each message to this folder and the log (development).
    mail_folder: str = ""
    # Moderators' e-mail, spam thresholds, retention (see the Operators' guide).
    moderator_emails: tuple[str, ...] = ()
    moderator_digest: int = 0
    moderation_link_hours: int = at_least(1, 72)
    spam_hold_score: int = at_least(1, 50)
    spam_score: int = at_least(1, 90)
    trusted_domains: tuple[str, ...] = ()
    retention_days: int = 0
    # The static site's build hook (see the Operators' guide): called once changes settle.
    build_hook_url: str = ""
    build_hook_token: str = ""
    build_hook_seconds: int = 120
    # Sign-in with the organisation's OpenID Connect provider (see "Signing in with your
    # organisation's accounts" in the Operators' guide); an empty issuer turns it off.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_button_label: str = "Sign in with your network account"
    oidc_scopes: str = "openid email profile"
    oidc_name_claim: str = "name"
    oidc_email_claim: str = "email"
    # Empty claim: every account of the provider is a verified member.
    oidc_verified_claim: str = ""
    oidc_verified_value: str = ""
    # Empty claim: the provider makes nobody a moderator.
    oidc_moderator_claim: str = ""
    oidc_moderator_value: str = "moderators"
    oidc_leeway_seconds: int = 60
    oidc_timeout_seconds: int = at_least(1, 5)

    def __post_init__(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise ConfigurationError(
                f"COMMENTS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.env!r}."
            )
        if self.moderation not in MODERATION_POLICIES:
            raise ConfigurationError(
                f"COMMENTS_MODERATION must be one of {', '.join(MODERATION_POLICIES)}, "
                f"not {self.moderation!r}."
            )
        if self.env == "production" and (
            not self.secret_key or self.secret_key == DEVELOPMENT_SECRET
        ):
            raise ConfigurationError(
                "COMMENTS_SECRET_KEY is required when COMMENTS_ENV=production: set it to a long "
                "random string, e.g. the output of `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`."
            )
        if self.env == "production" and len(self.secret_key) < 32:
            raise ConfigurationError("COMMENTS_SECRET_KEY must be at least 32 characters long.")
        if self.public_url and not origin_of(self.public_url):
            raise ConfigurationError(
                f"COMMENTS_PUBLIC_URL must be an absolute http(s) URL, not {self.public_url!r}."
            )
        if self.env == "production" and not self.public_url:
            raise ConfigurationError(
                "COMMENTS_PUBLIC_URL is required when COMMENTS_ENV=production: set it to the "
                "address readers reach this API at, e.g. https://comments.example.org (sign-in "
                "links in e-mails point there)."
            )
        if not 0 < self.spam_hold_score <= self.spam_score <= 100:
            raise ConfigurationError(
                "COMMENTS_SPAM_HOLD_SCORE and COMMENTS_SPAM_SCORE need 0 < hold <= spam <= 100, "
                f"not {self.spam_hold_score} and {self.spam_score}."
            )
        if self.mail_folder and (self.production or self.smtp_host):
            raise ConfigurationError(
                "COMMENTS_MAIL_FOLDER keeps mail on this machine, for development: unset it, and "
                "set COMMENTS_SMTP_HOST so that mail reaches people."
                if self.production
                else "COMMENTS_MAIL_FOLDER and COMMENTS_SMTP_HOST are both set: mail goes either "
                "to a folder or to a mail server; unset one of them."
            )
        if 0 < self.db_read_timeout_seconds <= self.db_lock_timeout_seconds:
            raise ConfigurationError(
                "COMMENTS_DB_READ_TIMEOUT_SECONDS must be longer than "
                f"COMMENTS_DB_LOCK_TIMEOUT_SECONDS ({self.db_read_timeout_seconds} is not more "
                f"than {self.db_lock_timeout_seconds}), so that a read waiting for a lock is "
                "answered with the lock as its cause."
            )
        if not self.site_name.strip():
            raise ConfigurationError(
                "COMMENTS_SITE_NAME must not be empty: set it to the blog's name, as in "
                "pelicanconf.py's SITENAME."
            )
        if not origin_of(self.site_url):
            raise ConfigurationError(
                f"COMMENTS_SITE_URL must be an absolute http(s) URL, not {self.site_url!r}."
            )
        if self.build_hook_url and (
            urlsplit(self.build_hook_url).scheme not in {"http", "https"}
            or not origin_of(self.build_hook_url)
        ):
            raise ConfigurationError(
                "COMMENTS_BUILD_HOOK_URL must be an absolute http(s) URL, e.g. "
                "https://api.github.com/repos/OWNER/REPO/dispatches, not "
                f"{self.build_hook_url!r}."
            )
        self._check_sign_in_provider()

    def _check_sign_in_provider(self) -> None:
        if not self.oidc_issuer:
            return
        issuer = urlsplit(self.oidc_issuer)
        if issuer.scheme not in {"http", "https"} or not issuer.netloc:
            raise ConfigurationError(
                "COMMENTS_OIDC_ISSUER must be the provider's absolute address, like "
                f"https://id.example.org/realms/network, not {self.oidc_issuer!r}."
            )
        if self.production and issuer.scheme != "https":
            raise ConfigurationError(
                "COMMENTS_OIDC_ISSUER must start with https:// when COMMENTS_ENV=production."
            )
        if not self.oidc_client_id:
            raise ConfigurationError(
                "COMMENTS_OIDC_CLIENT_ID is required with COMMENTS_OIDC_ISSUER: set it to the "
                "client id the provider gave this service."
            )
        if "openid" not in self.oidc_scopes.split():
            raise ConfigurationError(
                f"COMMENTS_OIDC_SCOPES must include openid, not {self.oidc_scopes!r}."
            )
        if not self.oidc_button_label.strip():
            raise ConfigurationError(
                "COMMENTS_OIDC_BUTTON_LABEL must not be empty: it is the sign-in button's text."
            )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def site_origin(self) -> str:
        return origin_of(self.site_url)

    @property
    def origins(self) -> frozenset[str]:
        """Origins allowed to call the API from a browser: the allowlist plus the site itself."""
        return frozenset((*self.allowed_origins, self.site_origin))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `COMMENTS_*` variables once; unknown names are logged and ignored."""
        source = os.environ if environ is None else environ
        values: dict[str, object] = {}
        known = {f.name for f in fields(cls)}
        env = source.get("COMMENTS_ENV", "development").strip() or "development"
        for name, raw in source.items():
            if not name.startswith("COMMENTS_"):
                continue
            key = name.removeprefix("COMMENTS_").lower()
            if key not in known:
                if name not in _SITE_SIDE_SETTINGS:
                    logger.warning("Ignoring unknown setting %s (see the Operators' guide).", name)
                continue
            values[key] = _cast(key, name, raw)
        if env == "development":
            values.setdefault("threads_file", "output/comments/threads.json")
            if not values.get("smtp_host"):
                values.setdefault("mail_folder", "mail")
        if env == "test":
            values.setdefault("min_submit_seconds", 0)
        return cls(**values)  # type: ignore[arg-type]


# Names the site build and `make run` use (pelicanconf/publishconf, tasks.py); the API ignores them.
_SITE_SIDE_SETTINGS = frozenset({"COMMENTS_API_URL", "COMMENTS_API_PORT"})


def _cast(key: str, name: str, raw: str) -> object:
    """The variable's text as the type of the field it sets (its minimum, for whole numbers)."""
    kind = _FIELD_TYPES[key]
    if kind is int:
        return _integer(name, raw, _MINIMUMS.get(key, 0))
    if kind is bool:
        return _boolean(name, raw)
    if kind == tuple[str, ...]:
        return _split_list(raw)
    value = raw.strip()
    if key in {"site_url", "public_url"}:
        value = value.rstrip("/")
    return value


_FIELD_TYPES = get_type_hints(Settings)
_MINIMUMS = {item.name: item.metadata["minimum"] for item in fields(Settings) if item.metadata}
