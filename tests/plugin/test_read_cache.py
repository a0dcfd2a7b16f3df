"""The read cache changes nothing in the output: cold, warm, and after a post changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, differences
from tests.live_site import Build, build_site

pytestmark = pytest.mark.slow

WITH_CACHE = ["comments", "read_cache"]
WITHOUT_CACHE = ["comments"]


def build(content: Path, output: Path, cache: Path | None = None, **more: object) -> Build:
    settings = (
        {"PLUGINS": WITH_CACHE, "CACHE_PATH": str(cache)} if cache else {"PLUGINS": WITHOUT_CACHE}
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    done = build_site(content, output, READ_CACHE_WORKERS=2, **settings, **more)
    assert done.result.returncode == 0, done.log
    return done


def test_cold_warm_and_changed_builds_match_builds_without_it(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"

    plain = build(content, tmp_path / "plain" / "out")
    cold = build(content, tmp_path / "cold" / "out", cache)
    stored = cache / "read_cache.pickle"
    assert stored.is_file(), cold.log
    assert len(list((cache / "templates").iterdir())) >= 10, "the compiled templates were kept"
    assert differences(plain.output, cold.output) == []

    written = stored.stat().st_mtime_ns
    warm = build(content, tmp_path / "warm" / "out", cache)
    assert differences(plain.output, warm.output) == []
    assert stored.stat().st_mtime_ns == written, "a build with nothing new rewrote the cache"

    posts = sorted((content / "posts").glob("*.md"))
    post = next(path for path in posts if "Status: draft" not in path.read_text())
    text = post.read_text()
    title = next(line for line in text.splitlines() if line.startswith("Title: "))
    post.write_text(
        text.replace(title, title + ' -- "revised"') + '\nA new closing line -- with "quotes".\n'
    )
    changed = build(content, tmp_path / "changed" / "out", cache)
    clean = build(content, tmp_path / "clean" / "out")
    assert differences(clean.output, changed.output) == []
    assert differences(plain.output, changed.output) != [], "the change did not reach the output"
    assert stored.stat().st_mtime_ns != written


def test_a_changed_template_is_compiled_again(tmp_path: Path) -> None:
    content, theme, cache = tmp_path / "content", tmp_path / "theme", tmp_path / "cache"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(ROOT / "theme", theme)
    first = build(content, tmp_path / "first" / "out", cache, THEME=str(theme))
    assert "Changed in the theme" not in first.page("index.html")

    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</body>", "<p>Changed in the theme</p></body>"))
    second = build(content, tmp_path / "second" / "out", cache, THEME=str(theme))
    assert "Changed in the theme" in second.page("index.html")
    assert "Changed in the theme" in second.page("archives.html")


def test_a_damaged_cache_file_is_read_afresh(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "read_cache.pickle").write_bytes(b"not a pickle")
    plain = build(content, tmp_path / "plain" / "out")
    rebuilt = build(content, tmp_path / "rebuilt" / "out", cache)
    assert "read_cache: ignoring" in rebuilt.log
    assert differences(plain.output, rebuilt.output) == []
