"""Personal data: warn before posting, and let commenters delete everything of theirs."""

from __future__ import annotations

import json
from typing import Any

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response

from comments_api.errors import ERROR_RESPONSES, ApiError, please_correct
from comments_api.mail.signed_links import LinkProblem
from comments_api.privacy.deletion import (
    address_of_deletion_link,
    ask_for_deletion,
    delete_by_link,
)
from comments_api.schemas import SPACE_OR_CONTROL
from comments_api.screening.personal_data import find_personal_data
from comments_api.web.dependencies import (
    FORM_TYPES,
    QueryToken,
    content_type,
    read_body,
    read_form,
    service,
)
from comments_api.web.pages.email_links import HTML, page, problem_page

router = APIRouter(prefix="/api/v1", tags=["privacy"])

ACCEPTED = (
    "If we hold comments written with that address, we have sent it a link to delete them. "
    "The link works for 24 hours."
)


class PersonalDataCheck(BaseModel):
    body: str = Field(max_length=5000, description="The comment as written so far (Markdown).")


class PersonalDataFindingOut(BaseModel):
    kind: str = Field(description="nhs_number, date_of_birth or phone_number.")
    reason: str = Field(description="What it looks like, in words to show the writer.")


class PersonalDataReport(BaseModel):
    findings: list[PersonalDataFindingOut]


# Whitespace spelled out (see schemas.py): the schema's \s and the server's disagree on U+0085.
SOME_ADDRESS = f"^[^@{SPACE_OR_CONTROL}]+@[^@{SPACE_OR_CONTROL}]+$"


class DeletionRequest(BaseModel):
    email: str = Field(
        max_length=254, pattern=SOME_ADDRESS, description="The address you commented with."
    )


class DeletionAccepted(BaseModel):
    message: str


@router.post(
    "/check-personal-data",
    response_model=PersonalDataReport,
    summary="Warn about likely patient-identifying details before posting",
    responses={code: ERROR_RESPONSES[code] for code in (400, 422)},
)
def check_personal_data(check: PersonalDataCheck) -> PersonalDataReport:
    """Finds NHS numbers, dates of birth and phone numbers; the text is neither echoed nor kept."""
    seen: dict[tuple[str, str], PersonalDataFindingOut] = {}
    for finding in find_personal_data(check.body):
        seen.setdefault(
            (finding.kind, finding.reason),
            PersonalDataFindingOut(kind=finding.kind, reason=finding.reason),
        )
    return PersonalDataReport(findings=list(seen.values()))


async def _deletion_request(request: Request) -> tuple[bool, DeletionRequest]:
    raw = await read_body(request)
    is_form = content_type(request) in FORM_TYPES
    data: Any
    if is_form:
        data = await read_form(request, raw)
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(
                400,
                'Send a JSON object like {"email": "you@example.org"}.',
                [("request_body", "Malformed JSON.")],
            ) from None
    try:
        return is_form, DeletionRequest.model_validate(data)
    except ValidationError:
        raise ApiError(
            422,
            please_correct(["email"]),
            [("email", "Give the e-mail address you commented with.")],
        ) from None


@router.post(
    "/privacy/delete-request",
    status_code=202,
    response_model=DeletionAccepted,
    summary="E-mail a link that deletes every comment of an address",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DeletionRequest"}},
                "application/x-www-form-urlencoded": {
                    "schema": {"$ref": "#/components/schemas/DeletionRequest"}
                },
            },
        }
    },
    responses={
        202: {
            "description": "Accepted (the same answer for known and unknown addresses); form "
            "posts get an HTML page.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **{code: ERROR_RESPONSES[code] for code in (400, 413, 422)},
    },
)
async def deletion_request(request: Request) -> Response:
    """Always 202, whether or not the address is known; the link goes to the address only."""
    comments = service(request)
    is_form, asked = await _deletion_request(request)
    address = asked.email.strip().lower()

    def queue() -> None:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            return  # no comment can have been written with it: nothing to send
        ask_for_deletion(comments.storage, comments.settings, address)

    await run_in_threadpool(queue)
    if is_form:
        return page(
            "Check your e-mail", ACCEPTED, status_code=202, back_url=comments.settings.site_url
        )
    return JSONResponse({"message": ACCEPTED}, status_code=202)


@router.get(
    "/privacy/delete",
    include_in_schema=False,
    responses=HTML,
    summary="Confirm deleting your comments",
)
def confirm_deletion(request: Request, token: QueryToken) -> HTMLResponse:
    """Shows what will be deleted; nothing happens until the button is pressed."""
    comments = service(request)
    site = comments.settings.site_url
    try:
        address = address_of_deletion_link(comments.storage, comments.settings, token)
    except LinkProblem as problem:
        return problem_page(problem, site)
    return page(
        "Delete your comments?",
        f"Every comment written with {address} will be deleted, with the address itself. "
        "Replies by others stay; your part shows as “Comment deleted”. This cannot be undone.",
        form_action=str(request.url),
        button="Delete my comments",
        back_url=site,
    )


@router.post(
    "/privacy/delete",
    include_in_schema=False,
    responses=HTML,
    summary="Delete your comments (from the link)",
)
def perform_deletion(request: Request, token: QueryToken) -> HTMLResponse:
    comments = service(request)
    site = comments.settings.site_url
    try:
        result = delete_by_link(comments.storage, comments.settings, token)
    except LinkProblem as problem:
        return problem_page(problem, site)
    return page(
        "Your comments are deleted",
        f"We deleted {result.comments_removed} comment(s) and your e-mail address.",
        back_url=site,
    )
