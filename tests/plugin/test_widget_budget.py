"""The widget's weight budget: comments.js and comments.css as shipped, gzipped, ≤ 5 KB."""

from __future__ import annotations

import gzip

from tests.helpers import ROOT

STATIC = ROOT / "plugins" / "comments" / "static"
BUDGET_BYTES = 5 * 1024


def gzipped_size(name: str) -> int:
    return len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9, mtime=0))


def test_widget_script_and_styles_fit_the_five_kilobyte_budget_gzipped() -> None:
    sizes = {name: gzipped_size(name) for name in ("comments.js", "comments.css")}
    assert sum(sizes.values()) <= BUDGET_BYTES, f"gzipped sizes {sizes} exceed {BUDGET_BYTES} B"


def test_widget_makes_no_third_party_requests_and_sets_no_cookies() -> None:
    script = (STATIC / "comments.js").read_text()
    styles = (STATIC / "comments.css").read_text()
    assert "document.cookie" not in script
    assert "http://" not in script and "https://" not in script.replace("/^https?:\\/\\//", "")
    assert "url(" not in styles and "@import" not in styles
