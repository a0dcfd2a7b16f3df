"""Lists of a tag's posts: the same list as Pelican's, with a set lookup for `in`."""

from __future__ import annotations

from types import SimpleNamespace

from plugins.read_cache.members import Members, index_members


class Post:
    """As Pelican's posts: equal only to itself."""


class Named:
    """As Pelican's tags: equal by value."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Named) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


def test_members_answer_in_as_a_list_does_and_follow_every_change() -> None:
    first, second, third, fourth = Post(), Post(), Post(), Post()
    members = Members([first, second])
    assert members == [first, second]
    assert first in members and third not in members

    members.append(third)
    assert third in members
    members.remove(first)
    assert first not in members
    members[0] = fourth
    assert fourth in members and second not in members
    members += [first]
    assert first in members
    del members[-1]
    assert first not in members
    members.insert(0, second)
    members.extend([first])
    assert second in members and first in members
    assert members.pop() is first and first not in members
    members *= 0
    assert fourth not in members and list(members) == []
    members.append(first)
    members.clear()
    assert first not in members and list(members) == []


def test_an_equal_object_counts_as_in_the_list_as_for_a_list() -> None:
    members = Members([Named("safety")])
    assert Named("safety") in members
    assert Named("falls") not in members
    assert "safety" not in members


def test_tag_category_and_author_lists_become_members_with_the_same_posts_in_order() -> None:
    posts = [Post() for _ in range(5)]
    generator = SimpleNamespace(
        tags={"a": posts[:3], "b": posts[3:]},
        categories=[("news", posts[::2]), ("notes", posts[1::2])],
        authors=[("ada", list(posts))],
    )

    index_members(generator)

    for lists in (
        list(generator.tags.values()),
        [pair[1] for pair in generator.categories],
        [pair[1] for pair in generator.authors],
    ):
        assert all(type(found) is Members for found in lists)
    assert generator.tags == {"a": posts[:3], "b": posts[3:]}
    assert generator.categories == [("news", posts[::2]), ("notes", posts[1::2])]
    assert generator.authors == [("ada", posts)]
    # What Pelican computes for each tag page: the posts of the tag in the order of dates.
    dates = list(reversed(posts))
    assert [post for post in dates if post in generator.tags["a"]] == dates[2:]
