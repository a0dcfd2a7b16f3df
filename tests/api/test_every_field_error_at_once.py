"""A comment with several bad fields gets one answer that names every one of them.

A writer who left the name empty, mistyped the address and the website and forgot the text
should fix all of it in one go, not discover the problems one post at a time: in the JSON
`errors` list and on the HTML page a plain form post gets.
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.harness import Api

pytestmark = pytest.mark.anyio

URL = "/api/v1/threads/first-post/comments"
EVERY_FIELD = ["body", "author", "email", "website"]
LABELS = ["Comment:", "Name:", "E-mail:", "Website:"]
BAD_COMMENTS = {
    "empty strings": {"body": "", "author": "", "email": "", "website": "not a web address"},
    "missing name and address": {"body": "  ", "website": "ftp://example.org/"},
    "address that is no address": {
        "body": "",
        "author": " ",
        "email": "no-at-sign",
        "website": "javascript:alert(1)",
    },
}


@pytest.mark.parametrize("fields", BAD_COMMENTS.values(), ids=BAD_COMMENTS.keys())
async def test_json_names_every_bad_field_in_one_answer(api: Api, fields: dict[str, Any]) -> None:
    response = await api.client.post(URL, json=fields)

    assert response.status_code == 422
    body = response.json()
    assert [error["field"] for error in body["errors"]] == EVERY_FIELD
    assert body["detail"] == "Please correct: Comment, Name, E-mail, Website."
    assert all(error["message"] for error in body["errors"])
    assert (await api.list())["comments"] == []


@pytest.mark.parametrize("fields", BAD_COMMENTS.values(), ids=BAD_COMMENTS.keys())
async def test_the_form_error_page_lists_every_bad_field(api: Api, fields: dict[str, Any]) -> None:
    response = await api.client.post(URL, data=fields)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(response.text, "lxml")
    listed = [item.find("strong").get_text() for item in page.select(".problem li")]
    assert listed == LABELS
    back = page.find("a", href="http://blog.test/posts/first.html#comments")
    assert back is not None, "the page links back to the post"


async def test_a_bad_address_is_named_beside_other_mistakes(api: Api) -> None:
    response = await api.post(email="ada-at-example.org", website="example.org")

    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert list(errors) == ["email", "website"]
    assert "valid e-mail address" in errors["email"]


async def test_an_empty_address_alone_is_named(api: Api) -> None:
    response = await api.post(email="   ")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "email", "message": "Give your e-mail address (it is never shown)."}
    ]
