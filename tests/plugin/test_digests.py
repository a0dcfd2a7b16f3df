"""Digests of what templates read: equal values agree, any difference shows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from markupsafe import Markup

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
