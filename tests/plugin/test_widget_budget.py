"""The widget's weight budget (≤ 5,000 bytes gzipped, as shipped) and its documentation."""

from __future__ import annotations

import gzip
import re

from tests.helpers import ROOT

STATIC = ROOT / "plugins" / "comments" / "static"
BUDGET_BYTES = 5_000


def gzipped_size(name: str) -> int:
    return len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9, mtime=0))


def test_widget_script_and_styles_fit_the_5000_byte_budget_gzipped() -> None:
    sizes = {name: gzipped_size(name) for name in ("comments.js", "comments.css")}
    assert sum(sizes.values()) <= BUDGET_BYTES, f"gzipped sizes {sizes} exceed {BUDGET_BYTES} B"


def test_widget_makes_no_third_party_requests_and_sets_no_cookies() -> None:
    script = (STATIC / "comments.js").read_text()
    styles = (STATIC / "comments.css").read_text()
    assert "document.cookie" not in script
    assert "http://" not in script and "https://" not in script
    assert "url(" not in styles and "@import" not in styles


def test_every_comments_setting_is_documented_in_the_readme() -> None:
    from plugins.comments.settings import DEFAULTS

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Comments settings") :]
    section = section[: section.index("\n## ", 1)]
    documented = set(re.findall(r"`(COMMENTS_[A-Z_]+)`", section))
    assert set(DEFAULTS) <= documented
    assert "`Comments:`" in section and "`Comments-Thread:`" in section
