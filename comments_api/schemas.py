"""The shapes of the API's requests and responses (they make up the OpenAPI contract)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

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
    "SnapshotChanges",
    "SyncReport",
    "ThreadComments",
    "ThreadManifest",
    "without_control_characters",
]

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"
MAX_ID = 2**31 - 1
ThreadKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(value: str) -> str:
    """Free text keeps its line breaks but loses characters no database or page wants."""
    return _CONTROL.sub("", value.replace("\r\n", "\n"))


# The same rules the service applies, stated in the contract. Whitespace is spelled out rather
# than written \s, which means different things in different regex engines.
CONTROL = r"\x00-\x1f\x7f-\x9f"
SPACE_OR_CONTROL = CONTROL + r"\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
VISIBLE = f"[^{SPACE_OR_CONTROL}]"
LINE = f"^[^{CONTROL}]*$"
NAME = f"^[^{CONTROL}]*{VISIBLE}[^{CONTROL}]*$"
WEB_ADDRESS = (
    f"^[hH][tT][tT][pP][sS]?://[^{SPACE_OR_CONTROL}/?#@:\\[\\]]+(:[0-9]{{1,5}})?"
    f"([/?#][^{SPACE_OR_CONTROL}]*)?$"
)


def _whole_number(value: object) -> object:
    """JSON has one number type: 3.0 is the integer 3 (strings and booleans stay refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


CommentNumber = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole_number)]
EpochMilliseconds = Annotated[int, Field(ge=0, le=10**15), BeforeValidator(_whole_number)]
FreeText = Annotated[str, AfterValidator(without_control_characters)]
# The part after the @ needs a dot and ends with a letter (as every top-level domain does);
# addresses at reserved names (.test, .local, .invalid, .onion, .arpa, localhost) are refused.
RESERVED_MAIL_DOMAIN = "|".join(
    "".join(f"[{letter}{letter.upper()}]" for letter in name)
    for name in ("arpa", "invalid", "localhost", "local", "onion", "test")
)
MAIL_ADDRESS = f"^(?![^@]*@(?:[^@]*\\.)?(?:{RESERVED_MAIL_DOMAIN})$)[^@]+@[^@]+\\.[^@]*[A-Za-z]$"
EmailText = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "format": "email", "maxLength": 254, "pattern": MAIL_ADDRESS}
    ),
]


class PublicComment(BaseModel):
    """A published comment as anyone may see it (no e-mail, no client hash)."""

    id: int
    thread: str
    parent: int | None = Field(
        description="Id of the comment this replies to; a parent that is no longer shown "
        "means the reply is shown at the top level."
    )
    author: str = Field(description="Empty when `removed`.")
    website: str | None
    created: datetime
    edited: datetime | None = Field(description="When its text last changed, or null.")
    edited_by: Literal["author", "moderator"] | None = Field(
        description="Who last changed its text: its author, or a moderator (who removed a "
        "detail); null when never edited."
    )
    html: str = Field(
        description="Sanitised HTML, safe to insert into a page; empty when `removed`."
    )
    verified: bool = Field(description="Written by verified staff.")
    member: bool = Field(description="Written by a signed-in member.")
    removed: bool = Field(
        description="A published comment a moderator removed: it keeps its place (id, parent, "
        'created) so replies keep theirs; show "This comment was removed by a moderator." '
        "with no author, Reply or Report. Not counted in `count`."
    )


class ThreadComments(BaseModel):
    thread: str
    count: int = Field(description="Approved comments, not counting removed ones.")
    closed: bool
    comments: list[PublicComment]


class NewComment(BaseModel):
    """A new comment (JSON) from a guest."""

    model_config = ConfigDict(strict=True, extra="ignore")

    body: FreeText = Field(
        min_length=1,
        max_length=5000,
        pattern=VISIBLE,
        description="Markdown, 1 to 5000 characters.",
    )
    author: str = Field(max_length=80, pattern=NAME, description="Name shown with it.")
    email: EmailText = Field(max_length=254, description="Never shown to anyone.")
    website: str | None = Field(
        default=None, max_length=300, pattern=WEB_ADDRESS, description="http(s) URL, or null."
    )
    parent: CommentNumber | None = Field(default=None, description="Comment replied to.")
    notify: bool = Field(default=False, description="E-mail me when someone replies.")
    company: str = Field(default="", max_length=0, description="Leave empty (spam trap).")
    opened_at: EpochMilliseconds | None = Field(
        default=None, description="When the form was shown, epoch milliseconds."
    )


class NewCommentForm(BaseModel):
    """The same fields from a plain HTML form (`application/x-www-form-urlencoded`)."""

    body: FreeText = Field(min_length=1, max_length=5000, pattern=VISIBLE)
    author: str = Field(max_length=80, pattern=NAME)
    email: EmailText = Field(max_length=254)
    website: str = Field(default="", max_length=300, pattern=f"^$|{WEB_ADDRESS}")
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

    body: FreeText = Field(min_length=1, max_length=5000, pattern=VISIBLE)


class EditedComment(BaseModel):
    comment: PublicComment
    status: Literal["pending", "approved"]
    message: str


class Counts(BaseModel):
    counts: dict[str, int]


CHANGES_SINCE = Field(
    description="Send as `since` to /snapshot/changes for what changes after this page was read."
)


class Snapshot(BaseModel):
    comments: list[PublicComment]
    next: str | None = Field(description="Cursor of the next page, or null on the last page.")
    changes_since: str = CHANGES_SINCE


class SnapshotChanges(BaseModel):
    comments: list[PublicComment] = Field(
        description="Comments approved, changed or removed (as a note) since the cursor."
    )
    removed: list[int] = Field(
        description="Ids of comments changed since the cursor that the public no longer sees "
        "(take them out of the snapshot; ids that were never in it can be ignored)."
    )
    next: str | None = Field(description="Cursor of the next page, or null on the last page.")
    changes_since: str = CHANGES_SINCE


class ManifestThread(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    key: ThreadKey
    title: str = Field(min_length=1, max_length=500, pattern=LINE)
    url: str = Field(min_length=1, max_length=1000, pattern=LINE)
    closed: bool = False
    summary: str = Field(
        default="",
        max_length=2000,
        description="The post's summary as plain text; screening compares comments with it.",
    )
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

    reason: FreeText = Field(min_length=1, max_length=1000, pattern=VISIBLE)


class ReportAccepted(BaseModel):
    message: str


class Health(BaseModel):
    status: Literal["ok"]
