"""Whether a post shows its table of contents: the `Toc:` metadata key, or its length."""

from __future__ import annotations

import enum

# Posts with this many section headings get a table of contents unless `Toc: off`.
TOC_MIN_SECTIONS = 4

_ON = {"on", "yes", "true"}
_OFF = {"off", "no", "false"}


class TocChoice(enum.Enum):
    AUTO = "auto"
    ON = "on"
    OFF = "off"


def parse_toc_choice(value: object) -> TocChoice:
    """Read a post's `Toc:` value; raise ValueError saying what is allowed."""
    if value is None:
        return TocChoice.AUTO
    text = str(value).strip().lower()
    if text in _ON:
        return TocChoice.ON
    if text in _OFF:
        return TocChoice.OFF
    raise ValueError(f"{value!r} is neither on nor off (write `Toc: on` or `Toc: off`)")


def wants_toc(choice: TocChoice, sections: int) -> bool:
    """A table of contents is worth showing with at least two sections (four unless asked)."""
    if choice is TocChoice.OFF:
        return False
    return sections >= (2 if choice is TocChoice.ON else TOC_MIN_SECTIONS)
