"""The shapes of the API's requests and responses (they make up the OpenAPI contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "KEY_PATTERN",
    "MAX_ID",
    "CommentEdit",
    "CreatedComment",
    "Counts",
    "EditedComment",
    "Health",
    "ManifestThread",
    "NewComment",
    "NewCommentForm",
    "PublicComment",
    "ReportAccepted",
    "ReportIn",
    "Snapshot",
    "SyncReport",
    "ThreadComments",
    "ThreadManifest",
]

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"
MAX_ID = 2**31 - 1
ThreadKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]


class PublicComment(BaseModel):
    """A published comment as anyone may see it (no e-mail, no client hash)."""

    id: int
    thread: str
    parent: int | None = Field(
        description="Id of the comment this replies to; a parent that is no longer shown "
        "means the reply is shown at the top level."
    )
    author: str
    website: str | None
    created: datetime
    edited: datetime | None
    html: str = Field(description="Sanitised HTML, safe to insert into a page.")
    verified: bool = Field(description="Written by verified staff.")
    member: bool = Field(description="Written by a signed-in member.")


class ThreadComments(BaseModel):
    thread: str
    count: int
    closed: bool
    comments: list[PublicComment]


class NewComment(BaseModel):
    """A new comment (JSON). Guests must give `author` and `email`."""

    model_config = ConfigDict(strict=True, extra="ignore")

    body: str = Field(min_length=1, max_length=5000, description="Markdown, 1 to 5000 characters.")
    author: str | None = Field(default=None, max_length=80, description="Name shown with it.")
    email: str | None = Field(default=None, max_length=254, description="Never shown to anyone.")
    website: str | None = Field(default=None, max_length=300, description="http(s) URL or empty.")
    parent: int | None = Field(default=None, ge=1, le=MAX_ID, description="Comment replied to.")
    notify: bool = Field(default=False, description="E-mail me when someone replies.")
    company: str = Field(default="", max_length=0, description="Leave empty (spam trap).")
    opened_at: int | None = Field(
        default=None, ge=0, le=10**15, description="When the form was shown, epoch milliseconds."
    )


class NewCommentForm(BaseModel):
    """The same fields from a plain HTML form (`application/x-www-form-urlencoded`)."""

    body: str = Field(min_length=1, max_length=5000)
    author: str = Field(default="", max_length=80)
    email: str = Field(default="", max_length=254)
    website: str = Field(default="", max_length=300)
    parent: str = Field(default="", pattern=r"^[0-9]{0,9}$")
    notify: Literal["", "on", "off", "true", "false", "1", "0", "yes", "no"] = ""
    company: str = Field(default="", max_length=0)
    opened_at: str = Field(default="", pattern=r"^[0-9]{0,15}$")


class CreatedComment(BaseModel):
    comment: PublicComment
    status: Literal["pending", "approved"]
    edit_token: str = Field(description="Send as X-Edit-Token to edit or delete; shown only once.")
    editable_until: datetime
    message: str


class CommentEdit(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    body: str = Field(min_length=1, max_length=5000)


class EditedComment(BaseModel):
    comment: PublicComment
    status: Literal["pending", "approved"]
    message: str


class Counts(BaseModel):
    counts: dict[str, int]


class Snapshot(BaseModel):
    comments: list[PublicComment]
    next: str | None = Field(description="Cursor of the next page, or null on the last page.")


class ManifestThread(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    key: ThreadKey
    title: str = Field(min_length=1, max_length=500)
    url: str = Field(min_length=1, max_length=1000)
    closed: bool = False
    published: datetime | None = Field(
        default=None,
        strict=False,
        description="Publication time (ISO 8601); threads close N days after it when set.",
    )


class ThreadManifest(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    threads: list[ManifestThread] = Field(max_length=100_000)


class SyncReport(BaseModel):
    created: int
    updated: int
    retired: int


class ReportIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    reason: str = Field(min_length=1, max_length=1000)


class ReportAccepted(BaseModel):
    message: str


class Health(BaseModel):
    status: Literal["ok"]
