"""No payload of the XSS corpus ever yields executable markup, stored or served."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree
from sqlalchemy import select

from comments_api.content.rendering import ALLOWED_TAGS, render_comment
from comments_api.db.tables import Comment
from tests.harness import ApiFactory
from tests.helpers import BUILD_TOKEN

CORPUS = Path(__file__).resolve().parent.parent / "data" / "xss_payloads.txt"
PAYLOADS = [
    line.replace("\\n", "\n").replace("\\x00", "\x00")
    for line in CORPUS.read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def executable_markup(html: str) -> list[str]:
    """Everything in the HTML a browser could run or that could load active content."""
    problems = []
    for element in BeautifulSoup(html, "lxml").find_all(True):
        if element.name in {"html", "body"}:
            continue
        if element.name not in ALLOWED_TAGS:
            problems.append(f"element <{element.name}>")
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or name.lower() in {
                "style",
                "src",
                "srcdoc",
                "formaction",
                "action",
            }:
                problems.append(f"attribute {name}={text!r}")
            if name == "href" and not text.strip().lower().startswith(SAFE_SCHEMES):
                problems.append(f"link to {text!r}")
        if element.name == "a" and element.get("href"):
            rel = set(element.get("rel") or [])
            if not {"nofollow", "ugc", "noopener"} <= rel:
                problems.append(f"link without rel=nofollow ugc noopener: {element}")
    return problems


def test_the_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 50


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendering_a_payload_yields_no_executable_markup(payload: str) -> None:
    assert executable_markup(render_comment(payload)) == []


@pytest.mark.anyio
async def test_stored_and_served_html_is_inert(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    for payload in PAYLOADS:
        response = await api.post(body=payload, author='<b onmouseover="x">Mal</b>')
        assert response.status_code == 201, (payload, response.text)
        assert executable_markup(response.json()["comment"]["html"]) == [], payload

    with api.app.state.service.storage.reading() as session:
        stored = list(session.scalars(select(Comment.body_html)))
    assert len(stored) == len(PAYLOADS)
    for html in stored:
        assert executable_markup(html) == [], html

    listing = await api.list()
    assert listing["count"] == len(PAYLOADS)
    for comment in listing["comments"]:
        assert executable_markup(comment["html"]) == []
        assert comment["author"] == '<b onmouseover="x">Mal</b>'  # text, escaped by the page

    snapshot = await api.client.get(
        "/api/v1/snapshot", headers={"Authorization": f"Bearer {BUILD_TOKEN}"}
    )
    for comment in snapshot.json()["comments"]:
        assert executable_markup(comment["html"]) == []

    for path in ("/api/v1/feed.atom", "/api/v1/threads/first-post/feed.atom"):
        feed = etree.fromstring((await api.client.get(path)).content)
        namespace = {"atom": "http://www.w3.org/2005/Atom"}
        contents = feed.findall("atom:entry/atom:content", namespace)
        assert contents
        for content in contents:
            assert content.get("type") == "html"
            assert executable_markup(content.text or "") == []
        assert feed.findall(".//{http://www.w3.org/2005/Atom}script") == []
