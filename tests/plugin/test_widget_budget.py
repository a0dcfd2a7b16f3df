"""The widget's weight budget (≤ 5,000 bytes gzipped, as shipped) and its documentation."""

from __future__ import annotations

import gzip
import re

from plugins.comments.widget import STATIC, WIDGET_FILES, shipped
from tests.helpers import ROOT

BUDGET_BYTES = 5_000


def gzipped_size(text: str) -> int:
    return len(gzip.compress(text.encode(), compresslevel=9, mtime=0))


def test_every_widget_file_together_fits_the_5000_byte_budget_gzipped_as_shipped() -> None:
    sizes = {name: gzipped_size(shipped(name)) for name in WIDGET_FILES}
    assert {"comments.js", "comments.css", "counts.js"} <= set(sizes)
    assert sum(sizes.values()) <= BUDGET_BYTES, f"gzipped sizes {sizes} exceed {BUDGET_BYTES} B"


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
