"""An e-mail address must be one mail can reach: `a@b` is refused, naming the field, everywhere.

The comment form (JSON and plain HTML form) and sign-in (JSON and form) share one check, and the
contract's pattern says the same.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from comments_api.content.comment_input import check_email
from comments_api.errors import Invalid
from comments_api.schemas import MAIL_ADDRESS
from tests.harness import Api

pytestmark = pytest.mark.anyio

NO_DOT = "The part after the @ is not valid. It should have a dot, as in example.org."
SAMPLES = [
    "a@b",
    "ward.manager@nhs.net",
    "a@b.c",
    "a@b.c1",
    "a@localhost",
    "x@example.test",
    "Ann.O'Neill@Example.ORG",
]


def accepted(address: str) -> bool:
    try:
        check_email(address)
    except Invalid:
        return False
    return True


async def test_a_comment_from_an_address_without_a_domain_is_refused(api: Api) -> None:
    response = await api.post(email="a@b")
    assert response.status_code == 422
    assert response.json()["detail"] == "Please correct: E-mail."
    [error] = response.json()["errors"]
    assert error["field"] == "email"
    assert error["message"].startswith("Give a valid e-mail address") and NO_DOT in error["message"]
    assert (await api.post(email="ward.manager@nhs.net")).status_code == 201


async def test_the_plain_form_says_which_field_and_why(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/threads/first-post/comments",
        data={"author": "Ann", "email": "a@b", "body": "Hello"},
    )
    assert response.status_code == 422
    errors = BeautifulSoup(response.text, "lxml").select("main li")
    assert [" ".join(item.get_text().split()) for item in errors] == [
        "E-mail: Give a valid e-mail address, up to 254 characters (it is never shown). " + NO_DOT
    ]


async def test_signing_in_with_such_an_address_is_refused_too(api: Api) -> None:
    response = await api.client.post("/api/v1/auth/login", json={"email": "a@b"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["email"]
    page = await api.client.post(
        "/auth/sign-in", data={"email": "a@b", "next": ""}, headers={"Origin": "http://api.test"}
    )
    assert page.status_code == 422
    message = BeautifulSoup(page.text, "lxml").find(id="email-error").get_text()
    assert NO_DOT in message


def test_the_contracts_pattern_agrees_with_the_check() -> None:
    assert {address: bool(re.search(MAIL_ADDRESS, address)) for address in SAMPLES} == {
        address: accepted(address) for address in SAMPLES
    }
    assert not accepted("a@b")
