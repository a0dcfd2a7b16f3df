"""How long a post takes to read."""

from __future__ import annotations

import math
import re

# A common figure for adults reading non-fiction on a screen.
WORDS_PER_MINUTE = 230
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def reading_minutes(html: str) -> int:
    """Whole minutes to read the post's body (at least one)."""
    words = len(_WORD.findall(_TAG.sub(" ", html)))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
