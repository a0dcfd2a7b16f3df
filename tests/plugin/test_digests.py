"""Digests of what templates read: equal values agree, any difference shows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from markupsafe import Markup
from pelican.paginator import Paginator
from pelican.settings import DEFAULT_CONFIG

from plugins.incremental.digests import Digests, Unstable


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    html: str


@dataclass(frozen=True, slots=True)
class Slotted:
    id: str


def digest(value: object) -> str:
    return Digests({}).digest(value)


def test_lists_of_equal_frozen_values_agree_and_any_field_tells_them_apart() -> None:
    contents = [Heading(2, "why", "Why"), Heading(2, "how", "How")]

    assert digest(contents) == digest([Heading(2, "why", "Why"), Heading(2, "how", "How")])
    assert digest(contents) != digest([Heading(2, "why", "Why"), Heading(3, "how", "How")])
    assert digest(contents) != digest([Heading(2, "why", "Why"), Heading(2, "how", "How?")])
    assert digest(contents) != digest([Heading(2, "how", "How"), Heading(2, "why", "Why")])
    assert digest(contents) != digest([Heading(2, "why", "Why"), Heading(2, "how", Markup("How"))])
    assert digest({"toc": contents}) != digest({"toc": contents[:1]})


def test_a_frozen_value_with_slots_is_unstable_not_an_error() -> None:
    # Without attributes to read, its page is rendered in every build.
    for value in (Slotted("one"), [Slotted("one")], {"image": Slotted("one")}):
        with pytest.raises(Unstable):
            digest(value)


def test_a_page_of_a_list_made_again_is_digested_once_and_any_field_tells_pages_apart() -> None:
    posts = [f"post {number}" for number in range(25)]
    paginator = Paginator("index.html", "index.html", posts, dict(DEFAULT_CONFIG), 10)
    digests = Digests({})

    # Pelican makes page 2 for itself, and again as page 1's next and page 3's previous.
    second = digests.digest(paginator.page(2))
    assert digests.digest(paginator.page(2)) == second
    assert len(digests.pages) == 1
    assert digests.digest(paginator.page(3)) != second
    assert len(digests.pages) == 2

    moved = paginator.page(2)
    moved.base_url = "tag/huddles.html"
    assert digests.digest(moved) != second
    shorter = paginator.page(2)
    shorter.object_list = shorter.object_list[:-1]
    assert digests.digest(shorter) != second
    assert Digests({}).digest(paginator.page(2)) == second  # the same, worked out afresh
