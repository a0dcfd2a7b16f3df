"""The plugin's `COMMENTS_*` settings, read through one function with defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

# Where `make run` serves the blog and the comments API, for every site-side tool: these
# defaults, the development servers (plugins/devserver.py) and tasks.py. The service keeps the
# same addresses in comments_api/config.py, which the site never imports; a test checks that
# the two agree.
DEVELOPMENT_HOST = "127.0.0.1"
DEVELOPMENT_SITE_PORT = 8000
DEVELOPMENT_API_PORT = 8001
DEVELOPMENT_SITE_URL = f"http://{DEVELOPMENT_HOST}:{DEVELOPMENT_SITE_PORT}"
DEVELOPMENT_API_URL = f"http://{DEVELOPMENT_HOST}:{DEVELOPMENT_API_PORT}"

DEFAULTS: dict[str, Any] = {
    # Where the comments API runs; the widget and the no-JavaScript form talk to it.
    "COMMENTS_API_URL": DEVELOPMENT_API_URL,
    # Absolute address of the site, used for the thread URLs the API redirects back to.
    # Empty: SITEURL, or the development server's address when SITEURL is empty too.
    "COMMENTS_SITE_URL": "",
    # The comments policy page; empty: {SITEURL}/pages/comments-policy.html.
    "COMMENTS_POLICY_URL": "",
    # Show "If you have an account please sign in before posting your comment".
    "COMMENTS_SIGN_IN": False,
    # The sign-in form ("?next=" the post is added); empty: {COMMENTS_API_URL}/auth/sign-in.
    "COMMENTS_SIGN_IN_URL": "",
    # The label of the button for members of the organisation, who sign in with its OpenID
    # provider through the API (COMMENTS_OIDC_* there); empty: no such button.
    "COMMENTS_SIGN_IN_PROVIDER": "",
    # Fetch approved comments at build time and render them into the pages.
    "COMMENTS_SNAPSHOT": False,
    "COMMENTS_SNAPSHOT_TOKEN": "",
    "COMMENTS_SNAPSHOT_TIMEOUT": 5.0,
    "COMMENTS_SNAPSHOT_PAGE_SIZE": 500,
    # Keep the snapshot in CACHE_PATH and fetch only what changed since the last build.
    "COMMENTS_SNAPSHOT_INCREMENTAL": True,
    # Close threads of posts older than this many days (None: never).
    "COMMENTS_CLOSE_AFTER_DAYS": None,
    # Mode of posts without `Comments:` metadata: "open", "closed" or "off".
    "COMMENTS_DEFAULT": "open",
    # The badge on comments of verified members; it names no domain unless the site says so.
    "COMMENTS_VERIFIED_BADGE": "verified member",
}

MODES = ("open", "closed", "off")


@dataclass(frozen=True)
class CommentsSettings:
    api_url: str
    site_url: str
    policy_url: str
    sign_in: bool
    sign_in_url: str
    sign_in_provider: str
    snapshot: bool
    snapshot_token: str
    snapshot_timeout: float
    snapshot_page_size: int
    # The file that keeps the last snapshot and its cursor; empty: fetch it all every build.
    snapshot_cache: str
    close_after_days: int | None
    default_mode: str
    static_url: str
    verified_badge: str


def read_settings(pelican_settings: dict[str, Any]) -> CommentsSettings:
    """Build the plugin's settings from Pelican's, filling in the defaults."""

    def value(name: str) -> Any:
        return pelican_settings.get(name, DEFAULTS[name])

    site_url = str(pelican_settings.get("SITEURL") or "").rstrip("/")
    api_url = str(value("COMMENTS_API_URL") or "").rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        raise ValueError(
            f"COMMENTS_API_URL must be the comments API's absolute address, like "
            f"https://comments.example.org, not {api_url!r} (publishconf.py reads it from the "
            f"environment variable of the same name)"
        )
    default_mode = str(value("COMMENTS_DEFAULT")).strip().lower()
    if default_mode not in MODES:
        raise ValueError(f"COMMENTS_DEFAULT must be open, closed or off, not {default_mode!r}")
    close_after_days = value("COMMENTS_CLOSE_AFTER_DAYS")
    return CommentsSettings(
        api_url=api_url,
        site_url=str(value("COMMENTS_SITE_URL") or site_url or DEVELOPMENT_SITE_URL).rstrip("/"),
        policy_url=value("COMMENTS_POLICY_URL") or f"{site_url}/pages/comments-policy.html",
        sign_in=bool(value("COMMENTS_SIGN_IN")),
        sign_in_url=value("COMMENTS_SIGN_IN_URL") or f"{api_url}/auth/sign-in",
        sign_in_provider=str(value("COMMENTS_SIGN_IN_PROVIDER") or "").strip(),
        snapshot=bool(value("COMMENTS_SNAPSHOT")),
        snapshot_token=str(value("COMMENTS_SNAPSHOT_TOKEN") or ""),
        snapshot_timeout=float(value("COMMENTS_SNAPSHOT_TIMEOUT")),
        snapshot_page_size=int(value("COMMENTS_SNAPSHOT_PAGE_SIZE")),
        snapshot_cache=os.path.join(
            str(pelican_settings.get("CACHE_PATH") or "cache"), "comments", "snapshot.json"
        )
        if value("COMMENTS_SNAPSHOT_INCREMENTAL")
        else "",
        close_after_days=None if close_after_days is None else int(close_after_days),
        default_mode=default_mode,
        static_url=f"{site_url}/comments",
        verified_badge=str(value("COMMENTS_VERIFIED_BADGE")).strip()
        or DEFAULTS["COMMENTS_VERIFIED_BADGE"],
    )
