"""The theme stands on its own: without the comments plugin, `Comments: off` is still obeyed."""

from __future__ import annotations

from pathlib import Path

from tests.site.building import build_site

POST = """Title: {title}
Date: 2024-05-01 10:00
Slug: {slug}
Category: Methods
Authors: Priya Raman
Summary: A short post for the theme test.
{extra}
A paragraph of text.
"""


def test_without_the_plugin_comments_off_hides_the_section_and_the_link(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "open.md").write_text(POST.format(title="Open", slug="open", extra=""))
    (content / "posts" / "quiet.md").write_text(
        POST.format(title="Quiet", slug="quiet", extra="Comments: off\n")
    )
    site = build_site(
        tmp_path / "output", "http://127.0.0.1:9", PATH=str(content), PLUGINS=[], PAGE_PATHS=[]
    )

    open_page = site.soup("open.html")
    quiet_page = site.soup("quiet.html")
    assert open_page.find(id="comments") is not None
    assert open_page.find("a", href="#comments").get_text() == "Read comments (0)"
    assert quiet_page.find(id="comments") is None
    assert quiet_page.find("a", href="#comments") is None
