"""Reading a new comment from JSON or from a plain HTML form, with errors that name the field."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ValidationError

from comments_api.errors import Invalid, Unreadable
from comments_api.field_messages import FIELD_MESSAGES, MISSING_MESSAGES
from comments_api.schemas import WEB_ADDRESS, NewComment, NewCommentForm

ModelT = TypeVar("ModelT", bound=BaseModel)

__all__ = ["check_email", "check_website", "parse_form", "parse_json"]

MISSING_EMAIL = MISSING_MESSAGES["email"]
TRUE_WORDS = {"on", "true", "1", "yes"}


def _schema_problems(exc: ValidationError) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    for error in exc.errors():
        location = error.get("loc", ())
        field = str(location[0]) if location else "request_body"
        errors.append((field, FIELD_MESSAGES.get(field, str(error.get("msg")))))
    return errors


def _address_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say about the address: that it is empty, or not an address."""
    email = data.get("email")
    if not isinstance(email, str):
        return []  # missing or of the wrong type: the schema reports it
    if not email.strip():
        return [("email", MISSING_EMAIL)]
    try:
        check_email(email.strip())
    except Invalid as refusal:
        return [(error.field, error.message) for error in refusal.errors]
    return []


def _refusal(errors: list[tuple[str, str]]) -> Invalid:
    """One refusal naming every field that needs correcting, in the order of the form."""
    order = list(FIELD_MESSAGES)
    first: dict[str, tuple[str, str]] = {}
    for field, message in errors:
        first.setdefault(field, (field, message))
    ranked = sorted(first.values(), key=lambda e: order.index(e[0]) if e[0] in order else 99)
    return Invalid.correct(ranked)


def _validated(model: type[ModelT], data: Any) -> ModelT:
    """The submitted comment, or one refusal that lists every field to correct at once."""
    if not isinstance(data, dict):
        raise Invalid(
            "Send the comment as a JSON object.",
            [("request_body", "Expected a JSON object with at least a `body` field.")],
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = _schema_problems(exc)
    # Refused anyway: name the address too. A comment the schema accepts has its address
    # checked by the service, after the thread (an unknown thread is refused first).
    reported = {field for field, _ in problems}
    problems += [p for p in _address_problems(data) if p[0] not in reported]
    raise _refusal(problems)


def parse_json(raw: bytes) -> NewComment:
    """A new comment from a JSON body; malformed JSON is refused as unreadable."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unreadable(
            "The request body is not valid JSON; send a JSON object.",
            [("request_body", f"Malformed JSON: {exc}")],
        ) from None
    return _validated(NewComment, data)


def parse_form(fields: dict[str, str]) -> NewComment:
    """A new comment from form fields (all strings), converted to the JSON shape."""
    form = _validated(NewCommentForm, fields)
    return NewComment.model_construct(
        body=form.body,
        author=form.author or None,
        email=form.email or None,
        website=form.website or None,
        parent=int(form.parent) if form.parent else None,
        notify=form.notify in TRUE_WORDS,
        company=form.company,
        opened_at=int(form.opened_at) if form.opened_at else None,
    )


def check_email(address: str) -> str:
    """The normalised address, or a refusal naming the field and what is wrong with it.

    Only addresses mail can reach from anywhere: the part after the @ needs a dot and a real
    top-level domain (`a@b` is refused), and reserved names (.test, localhost...) are refused.
    The DNS is not asked.
    """
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        # The validator's words, in the blog's: "@" for "@-sign", a dot for "a period".
        why = str(exc).replace("@-sign", "@").replace("a period", "a dot, as in example.org")
        raise Invalid.correct([("email", f"{FIELD_MESSAGES['email']} {why}")]) from None


def check_website(url: str) -> str:
    """An absolute http(s) URL with a host, or a refusal naming the field."""
    if not re.fullmatch(WEB_ADDRESS, url):
        raise Invalid.correct([("website", FIELD_MESSAGES["website"])])
    return url
