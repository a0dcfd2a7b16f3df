"""`invoke new-post`: a draft post with its front matter filled in and placeholder text to replace.

The placeholders are defined here once; `invoke check` refuses a post that still contains them.
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .documents import display, slug_for

__all__ = ["PLACEHOLDER_BODY", "PLACEHOLDER_SUMMARY", "scaffold_post"]

PLACEHOLDER_SUMMARY = (
    "One or two sentences that tell readers what they will learn. They appear under the title, "
    "on the home page and in search results."
)
PLACEHOLDER_BODY = (
    "Start with what happened, who was involved and why it matters.",
    "## A heading for the first section",
    "Write in short paragraphs. Remove anything that could identify a patient.",
)


def scaffold_post(
    content_dir: Path,
    title: str,
    *,
    category: str,
    authors: str,
    tags: str = "",
    timezone: str = "Europe/London",
    now: datetime | None = None,
) -> Path:
    """Write content/posts/<slug>.md as a draft with every front-matter field filled in."""
    if title.startswith("-"):
        raise ValueError(
            f"{title!r} looks like an option, not a title: give the title first, in quotes, "
            'for example `invoke new-post "Discharge before noon" --category Methods`. '
            "`invoke --help new-post` lists the options."
        )
    slug = slug_for(title)
    if not slug:
        raise ValueError("The title needs at least one letter or digit to make a slug.")
    path = Path(content_dir) / "posts" / f"{slug}.md"
    if path.exists():
        raise FileExistsError(f"{display(path)} exists already: choose another title.")
    date = (now or datetime.now(ZoneInfo(timezone))).strftime("%Y-%m-%d %H:%M")
    # A long Summary continues on indented lines, which Markdown's metadata joins again.
    summary = textwrap.fill(f"Summary: {PLACEHOLDER_SUMMARY}", width=90, subsequent_indent="    ")
    front_matter = [
        f"Title: {title}",
        f"Date: {date}",
        f"Slug: {slug}",
        f"Category: {category}",
        f"Tags: {tags}".rstrip(),
        f"Authors: {authors}",
        summary,
        "Status: draft",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(front_matter) + "\n\n" + "\n\n".join(PLACEHOLDER_BODY) + "\n", encoding="utf-8"
    )
    return path
