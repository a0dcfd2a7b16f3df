"""How long a post takes to read."""

from __future__ import annotations

import hashlib
import math
import re

# A common figure for adults reading non-fiction on a screen.
WORDS_PER_MINUTE = 230
# Rebuilds in one process (`invoke livereload`) ask again for every post: the answers are kept
# by a digest of the body (not the body itself), for as many posts as a large site has.
KEPT = 50_000

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_minutes: dict[bytes, int] = {}


def reading_minutes(html: str) -> int:
    """Whole minutes to read the post's body (at least one)."""
    key = hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    found = _minutes.get(key)
    if found is None:
        if len(_minutes) >= KEPT:
            _minutes.clear()
        words = len(_WORD.findall(_TAG.sub(" ", html)))
        found = _minutes[key] = max(1, math.ceil(words / WORDS_PER_MINUTE))
    return found
