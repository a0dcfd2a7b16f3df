"""Related posts: most shared tags first, then the same category, then the newest posts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

RELATED_POSTS = 3
# Per tag, only its newest posts are candidates, so the work grows with the number of posts,
# not with its square, even when one tag is on every post.
CANDIDATES_PER_TAG = 50


def related_posts(articles: list[Any], count: int = RELATED_POSTS) -> dict[Any, list[Any]]:
    """For each article, up to `count` others; `articles` is newest first (Pelican's order)."""
    position = {article: index for index, article in enumerate(articles)}
    by_tag: dict[str, list[Any]] = defaultdict(list)
    by_category: dict[str, list[Any]] = defaultdict(list)
    for article in articles:
        for tag in getattr(article, "tags", []):
            by_tag[tag.slug].append(article)
        by_category[article.category.slug].append(article)

    related: dict[Any, list[Any]] = {}
    for article in articles:
        shared: dict[Any, int] = defaultdict(int)
        for tag in getattr(article, "tags", []):
            for other in by_tag[tag.slug][:CANDIDATES_PER_TAG]:
                if other is not article:
                    shared[other] += 1
        same_category = by_category[article.category.slug]
        ranked = sorted(
            shared,
            key=lambda other: (
                -shared[other],
                other.category.slug != article.category.slug,
                position[other],
            ),
        )
        chosen = ranked[:count]
        # Each fallback list is newest first; a post is skipped at most `count` times in it.
        for fallback in (same_category, articles):
            for other in fallback[: count * 2 + 1]:
                if len(chosen) >= count:
                    break
                if other is not article and other not in chosen:
                    chosen.append(other)
        related[article] = chosen
    return related


class RelatedPosts:
    """`related_posts`, remembered for the next build of this process (the live preview's).

    What it chooses depends only on each post's position, tags and category; while those are
    as in the last build (a body or a title changed), the same choice is given again, for
    this build's articles.
    """

    def __init__(self) -> None:
        self.signature: tuple[Any, ...] | None = None
        self.chosen: dict[str, list[str]] = {}

    def __call__(self, articles: list[Any], count: int = RELATED_POSTS) -> dict[Any, list[Any]]:
        signature = (
            count,
            *(
                (
                    article.source_path,
                    article.category.slug,
                    *(tag.slug for tag in getattr(article, "tags", [])),
                )
                for article in articles
            ),
        )
        if signature == self.signature:
            by_source = {article.source_path: article for article in articles}
            return {
                by_source[source]: [by_source[other] for other in others]
                for source, others in self.chosen.items()
            }
        related = related_posts(articles, count)
        self.signature = signature
        self.chosen = {
            article.source_path: [other.source_path for other in others]
            for article, others in related.items()
        }
        return related
