"""The comments service: a small API that stores, moderates and serves blog comments.

The app is loaded on first use, so that importing a pure part (such as `comments_api.screening`)
does not load the web framework or the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comments_api.config import ConfigurationError, Settings

if TYPE_CHECKING:
    from comments_api.app import app_from_environment, create_app

__all__ = ["ConfigurationError", "Settings", "app_from_environment", "create_app"]


def __getattr__(name: str) -> Any:
    """`create_app` and `app_from_environment`, imported from `comments_api.app` when asked for."""
    if name in {"app_from_environment", "create_app"}:
        from comments_api import app

        return getattr(app, name)
    raise AttributeError(f"module 'comments_api' has no attribute {name!r}")
