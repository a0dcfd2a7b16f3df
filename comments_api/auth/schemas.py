"""Request and response shapes of the sign-in endpoints (part of the OpenAPI contract)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from comments_api.schemas import EmailText

__all__ = ["LinkToken", "LoginAccepted", "LoginRequest", "Me", "MeUser"]


class LoginRequest(BaseModel):
    """Ask for a sign-in link by e-mail."""

    model_config = ConfigDict(strict=True, extra="ignore")

    email: EmailText = Field(max_length=254, description="Where to send the link.")
    next: str | None = Field(
        default=None,
        max_length=1000,
        description="Where to return after signing in: a page of the blog (other addresses "
        "are replaced by the blog's home page).",
    )


class LinkToken(BaseModel):
    """The form the sign-in link's page posts: the link's token, used up by signing in."""

    token: str = Field(
        min_length=1, max_length=500, description="The `token` of the e-mailed sign-in link."
    )
    display_name: str | None = Field(
        default=None,
        max_length=80,
        description="The name to show with one's comments, asked of members who have none "
        "yet (1 to 80 characters, no control characters). Left empty, their comments show "
        '"Member" until they choose one.',
    )


class LoginAccepted(BaseModel):
    message: str


class MeUser(BaseModel):
    display_name: str
    role: Literal["member", "moderator", "admin"]
    verified: bool
    signed_in_with_provider: bool = Field(
        False,
        description="Signed in through the organisation's OpenID provider (its own session "
        "there outlives a sign-out here; /auth/oidc/sign-out ends it too).",
    )


class Me(BaseModel):
    signed_in: bool
    user: MeUser | None
    login_url: str = Field(
        description="The sign-in form, returning to `next` (or else the calling page) when that "
        "is a page of the blog or of this service, and to the blog's home page otherwise."
    )
