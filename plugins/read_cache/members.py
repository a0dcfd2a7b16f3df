"""Lists of a tag's, category's or author's posts that tell at once whether a post is in them.

Pelican writes each tag, category and author page with
`dates = [article for article in self.dates if article in articles]`: every post of the site
checked against the list of that tag's posts, one by one. Over all tags that is the number of
posts times the number of tag uses, which grows with the square of the site (about 3 million
comparisons at 1,000 posts, 75 million at 5,000). `Members` is a list, with the same posts in
the same order, whose `in` looks the post up in a set of identities instead; anything that
changes the list forgets the set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, SupportsIndex

__all__ = ["Members", "index_members"]


class Members(list[Any]):
    """A list whose `item in members` is a set lookup by identity (see the module)."""

    __slots__ = ("_identities",)

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._identities: frozenset[int] | None = None

    def __contains__(self, item: object) -> bool:
        if self._identities is None:
            self._identities = frozenset(map(id, self))
        if id(item) in self._identities:
            return True
        # Not the same object: an equal one still counts, as for a list.
        return any(member == item for member in self) if _compares_by_value(item) else False

    def _changed(self) -> None:
        self._identities = None

    def append(self, item: Any) -> None:
        self._changed()
        super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        self._changed()
        super().extend(items)

    def insert(self, index: SupportsIndex, item: Any) -> None:
        self._changed()
        super().insert(index, item)

    def remove(self, item: Any) -> None:
        self._changed()
        super().remove(item)

    def pop(self, index: SupportsIndex = -1) -> Any:
        self._changed()
        return super().pop(index)

    def clear(self) -> None:
        self._changed()
        super().clear()

    def __setitem__(self, index: Any, value: Any) -> None:
        self._changed()
        super().__setitem__(index, value)

    def __delitem__(self, index: Any) -> None:
        self._changed()
        super().__delitem__(index)

    def __iadd__(self, items: Iterable[Any]) -> Members:  # type: ignore[misc]
        self._changed()
        return super().__iadd__(items)

    def __imul__(self, times: SupportsIndex) -> Members:
        self._changed()
        return super().__imul__(times)


def _compares_by_value(item: object) -> bool:
    """Whether `item`'s type defines its own equality (Pelican's posts do not)."""
    return type(item).__eq__ is not object.__eq__


def index_members(generator: Any) -> None:
    """Make the articles generator's tag, category and author lists `Members`, in place."""
    tags = getattr(generator, "tags", None)
    if isinstance(tags, dict):
        for tag, posts in tags.items():
            if type(posts) is list:
                tags[tag] = Members(posts)
    for name in ("categories", "authors"):
        pairs = getattr(generator, name, None)
        if not isinstance(pairs, list):
            continue
        for position, pair in enumerate(pairs):
            if isinstance(pair, tuple) and len(pair) == 2 and type(pair[1]) is list:
                pairs[position] = (pair[0], Members(pair[1]))
