"""Members and moderators: passwordless sign-in, sessions, roles, CSRF and Origin checks."""

from comments_api.auth.dependencies import (
    SESSION_COOKIE,
    Forbidden,
    check_csrf,
    check_origin,
    csrf_token,
    current_user,
    require_moderator,
    writing_user,
)

__all__ = [
    "SESSION_COOKIE",
    "Forbidden",
    "check_csrf",
    "check_origin",
    "csrf_token",
    "current_user",
    "require_moderator",
    "writing_user",
]
