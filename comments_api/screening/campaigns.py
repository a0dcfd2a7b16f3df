"""Near-duplicate campaigns: the same pitch posted in several threads with small changes.

Texts are compared by their word shingles (runs of `SHINGLE_WORDS` words) with the links cut
out, so a campaign that rotates its URLs or swaps a word still matches. The caller hands in
the recent comments; this module only compares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from comments_api.screening.links import text_without_links

__all__ = [
    "CAMPAIGN_WINDOW",
    "MINIMUM_SHINGLES",
    "NEAR_DUPLICATE_SIMILARITY",
    "near_duplicates",
    "shingles",
]

CAMPAIGN_WINDOW = 500  # how many of the most recent comments a new one is compared with
SHINGLE_WORDS = 3
MINIMUM_SHINGLES = 6  # shorter texts ("Thanks, very useful!") repeat innocently
NEAR_DUPLICATE_SIMILARITY = 0.5  # Jaccard similarity of the shingle sets
WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=4096)  # the recent comments are compared again with every new one
def shingles(text: str) -> frozenset[str]:
    """The set of `SHINGLE_WORDS`-word runs of the text, lower case, links cut out."""
    words = WORD.findall(text_without_links(text).lower())
    return frozenset(
        " ".join(words[start : start + SHINGLE_WORDS])
        for start in range(len(words) - SHINGLE_WORDS + 1)
    )


def near_duplicates(text: str, recent: Iterable[tuple[str, str]], thread_key: str) -> set[str]:
    """The other threads among `recent` (thread key, text) where nearly this text was posted."""
    mine = shingles(text)
    if len(mine) < MINIMUM_SHINGLES:
        return set()
    threads: set[str] = set()
    for other_thread, other_text in recent:
        if other_thread == thread_key or other_thread in threads:
            continue
        theirs = shingles(other_text)
        if len(theirs) < MINIMUM_SHINGLES:
            continue
        if len(mine & theirs) / len(mine | theirs) >= NEAR_DUPLICATE_SIMILARITY:
            threads.add(other_thread)
    return threads
