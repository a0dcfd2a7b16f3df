"""Related posts, and the choice a rebuild in the same process reuses while tags stay put."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from plugins.reading.related import RelatedPosts, related_posts


@dataclass(eq=False)  # hashed by identity, as Pelican's articles are
class Article:
    source_path: str
    title: str
    category: Any
    tags: list[Any] = field(default_factory=list)


def post(number: int, category: str, *tags: str) -> Article:
    return Article(
        f"/site/content/posts/post-{number}.md",
        f"Post {number}",
        SimpleNamespace(slug=category),
        [SimpleNamespace(slug=tag) for tag in tags],
    )


def posts() -> list[Article]:
    """Newest first, as Pelican lists them; each build makes new objects of the same posts."""
    return [
        post(5, "methods", "flow", "safety"),
        post(4, "stories", "huddles"),
        post(3, "methods", "flow"),
        post(2, "methods", "safety", "flow"),
        post(1, "stories", "huddles", "safety"),
    ]


def titles(chosen: dict[Any, list[Any]]) -> dict[str, list[str]]:
    return {article.title: [other.title for other in others] for article, others in chosen.items()}


def test_posts_sharing_more_tags_come_first_then_the_category_then_the_newest() -> None:
    chosen = titles(related_posts(posts(), 3))
    assert chosen["Post 5"] == ["Post 2", "Post 3", "Post 1"]
    assert chosen["Post 4"] == ["Post 1", "Post 5", "Post 3"]


def test_a_rebuild_gets_the_same_choice_for_its_own_articles() -> None:
    remembered = RelatedPosts()
    first = remembered(posts(), 3)
    articles = posts()

    again = remembered(articles, 3)

    assert titles(again) == titles(first)
    every_one = {id(article) for article in articles}
    assert {id(article) for article in again} == every_one
    assert {id(other) for others in again.values() for other in others} <= every_one


def test_a_changed_tag_is_chosen_afresh() -> None:
    remembered = RelatedPosts()
    remembered(posts(), 3)
    articles = posts()
    articles[1].tags = [SimpleNamespace(slug="flow"), SimpleNamespace(slug="safety")]

    again = titles(remembered(articles, 3))

    assert again == titles(related_posts(articles, 3))
    assert again["Post 4"][0] == "Post 5"
