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
from comments_api.auth.models import LoginToken, Role, User, UserSession

__all__ = [
    "SESSION_COOKIE",
    "Forbidden",
    "LoginToken",
    "Role",
    "User",
    "UserSession",
    "check_csrf",
    "check_origin",
    "csrf_token",
    "current_user",
    "require_moderator",
    "writing_user",
]
