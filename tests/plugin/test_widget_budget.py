"""The widget's weight budget (≤ 5,000 bytes gzipped per page, as shipped) and its docs."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from plugins.comments.widget import STATIC, WIDGET_FILES, shipped
from tests.helpers import ROOT
from tests.live_site import Build, build_site, content_folder, post

BUDGET_BYTES = 5_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("budget")
    content = content_folder(root / "content")
    post(content, "open-post", "An open post")
    build = build_site(content, root / "output")
    assert build.result.returncode == 0, build.log
    return build


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def widget_files_loaded_by(page: Path) -> set[str]:
    """The widget's files (under /comments/) that one page's <head> loads."""
    head = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").head
    addresses = [
        tag.get("src") or tag.get("href") or "" for tag in head.find_all(["script", "link"])
    ]
    return {address.rsplit("/", 1)[1] for address in addresses if "/comments/" in address}


@pytest.mark.slow
def test_no_page_loads_more_than_5000_bytes_of_widget_gzipped_as_shipped(site: Build) -> None:
    loads = {
        page.relative_to(site.output).as_posix(): widget_files_loaded_by(page)
        for page in site.output.rglob("*.html")
    }
    assert loads["open-post.html"] == {"comments.js", "comments.css"}
    assert loads["index.html"] == {"counts.js"}
    for page, names in loads.items():
        sizes = {name: gzipped_size(site.output / "comments" / name) for name in names}
        assert sum(sizes.values()) <= BUDGET_BYTES, f"{page}: gzipped {sizes} > {BUDGET_BYTES} B"


def test_what_ships_is_the_source_minified() -> None:
    for name in WIDGET_FILES:
        source = (STATIC / name).read_text(encoding="utf-8")
        assert len(shipped(name)) < len(source), f"{name} ships unminified"


def test_widget_makes_no_third_party_requests_and_sets_no_cookies() -> None:
    scripts = shipped("comments.js") + shipped("counts.js")
    styles = shipped("comments.css")
    assert "document.cookie" not in scripts
    assert "http://" not in scripts and "https://" not in scripts
    assert "url(" not in styles and "@import" not in styles


def test_every_comments_setting_is_documented_in_the_readme() -> None:
    from plugins.comments.settings import DEFAULTS

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Comments settings") :]
    section = section[: section.index("\n## ", 1)]
    documented = set(re.findall(r"`(COMMENTS_[A-Z_]+)`", section))
    assert set(DEFAULTS) <= documented
    assert "`Comments:`" in section and "`Comments-Thread:`" in section
