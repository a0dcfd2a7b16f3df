"""An incremental rebuild writes the same tree as a clean build, and renders only what changed."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import ROOT, differences, tree
from tests.live_site import Build, build_site, content_folder

pytestmark = pytest.mark.slow

INCREMENTAL = ["comments", "reading", "social", "incremental"]
CLEAN = ["comments", "reading", "social"]
# Small lists, so that a post more or less shifts every later page of the index and the tags.
SETTINGS = {"DEFAULT_PAGINATION": 2, "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html"}


def write_post(content: Path, slug: str, title: str, date: str, tags: str, *extra: str) -> None:
    lines = [f"Title: {title}", f"Date: {date}", f"Slug: {slug}", "Category: Notes"]
    lines += [f"Tags: {tags}", f"Summary: What {title.lower()} is about.", *extra]
    body = f"The body of {title.lower()}, with [a link]({{filename}}post-1.md)."
    (content / "posts" / f"{slug}.md").write_text("\n".join(lines) + "\n\n" + body + "\n")


def site(folder: Path) -> Path:
    content = content_folder(folder)
    tags = ["huddles, safety", "safety, flow", "flow", "huddles", "measurement, flow", "safety"]
    for number, tag_list in enumerate(tags, start=1):
        date = f"{2029 + number % 2}-0{number}-10 09:00"
        write_post(content, f"post-{number}", f"Post number {number}", date, tag_list)
    write_post(content, "waiting", "A draft for later", "2030-09-01 09:00", "flow", "Status: draft")
    return content


def build(content: Path, output: Path, plugins: list[str]) -> Build:
    output.parent.mkdir(parents=True, exist_ok=True)
    done = build_site(content, output, PLUGINS=plugins, **SETTINGS)
    assert done.result.returncode == 0, done.log
    return done


def rendered(output: Path) -> list[str]:
    """The pages the last incremental build rendered, relative to the output folder."""
    state = pickle.loads(
        (output.parent / f"{output.name}-cache" / "incremental.pickle").read_bytes()
    )
    return sorted(Path(path).relative_to(output).as_posix() for path in state["rendered"])


def edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text()
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, f"{pattern!r} is not in {path}"
    path.write_text(changed)


CHANGES: dict[str, Callable[[Path], None]] = {
    "body": lambda posts: edit(posts / "post-3.md", r"^The body of post number 3", "A new body"),
    "title": lambda posts: edit(posts / "post-3.md", r"^Title: .*$", "Title: A better title"),
    "tags": lambda posts: edit(posts / "post-3.md", r"^Tags: .*$", "Tags: measurement, huddles"),
    "date": lambda posts: edit(posts / "post-2.md", r"^Date: .*$", "Date: 2031-12-01 08:00"),
    "published": lambda posts: edit(posts / "waiting.md", r"^Status: draft\n", ""),
    "deleted": lambda posts: (posts / "post-4.md").unlink(),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_rebuild_after_a_change_writes_what_a_clean_build_writes(
    tmp_path: Path, change: str
) -> None:
    content = site(tmp_path / "content")
    output = tmp_path / "incremental" / "out"
    before = build(content, output, INCREMENTAL)
    original = tree(before.output)

    CHANGES[change](content / "posts")
    build(content, output, INCREMENTAL)
    clean = build(content, tmp_path / "clean" / "out", CLEAN)

    assert differences(clean.output, output) == []
    assert tree(output) != original, "the change did not reach the output"
    assert len(rendered(output)) < len(original), "every page was rendered again"


def modified_times(output: Path) -> dict[Path, int]:
    """Every output file but the theme's static files, which Pelican copies on every build."""
    return {
        path: path.stat().st_mtime_ns
        for path in output.rglob("*")
        if path.is_file() and path.relative_to(output).parts[0] != "theme"
    }


def test_an_unchanged_rebuild_renders_and_rewrites_nothing(tmp_path: Path) -> None:
    content = site(tmp_path / "content")
    output = tmp_path / "out"
    build(content, output, INCREMENTAL)
    written = modified_times(output)

    build(content, output, INCREMENTAL)

    assert rendered(output) == []
    now = modified_times(output)
    assert [path for path in written if now.get(path) != written[path]] == []
    assert now.keys() == written.keys()


def test_a_body_change_renders_only_the_page_that_shows_the_body(tmp_path: Path) -> None:
    content = site(tmp_path / "content")
    output = tmp_path / "out"
    build(content, output, INCREMENTAL)

    CHANGES["body"](content / "posts")
    build(content, output, INCREMENTAL)

    # The posts have a Summary of their own, so only the post's page shows its body.
    assert rendered(output) == ["post-3.html"]
    assert "A new body" in (output / "post-3.html").read_text()


def test_a_title_change_renders_the_pages_that_show_the_title(tmp_path: Path) -> None:
    content = site(tmp_path / "content")
    output = tmp_path / "out"
    first = build(content, output, INCREMENTAL)
    showing = sorted(
        name
        for name, data in tree(first.output).items()
        if name.endswith((".html", ".xml")) and b"Post number 3" in data
    )

    CHANGES["title"](content / "posts")
    build(content, output, INCREMENTAL)

    assert "post-3.html" in showing and "index.html" in showing
    assert set(showing) <= set(rendered(output))
    assert len(rendered(output)) < len(tree(output))


IN_ONE_PROCESS = """\
import re, sys
from pathlib import Path
from pelican import Pelican
from pelican.settings import read_settings

settings_file, posts = sys.argv[1], Path(sys.argv[2])
pelican = Pelican(read_settings(settings_file))
pelican.run()
for name, pattern, replacement in [
    ("post-3.md", r"^Title: .*$", "Title: A better title"),
    ("post-5.md", r"^The body of post number 5", "A new body"),
]:
    post = posts / name
    post.write_text(re.sub(pattern, replacement, post.read_text(), count=1, flags=re.M))
    pelican.run()
"""


def test_rebuilds_in_one_process_write_what_a_clean_build_writes(tmp_path: Path) -> None:
    """As under `invoke livereload`: one Pelican, run again after each save."""
    content = site(tmp_path / "content")
    output = tmp_path / "live" / "out"
    build(content, output, INCREMENTAL)
    settings_file = output.parent / f"{output.name}-pelicanconf.py"
    script = tmp_path / "rebuilds.py"
    script.write_text(IN_ONE_PROCESS)
    result = subprocess.run(
        [sys.executable, str(script), str(settings_file), str(content / "posts")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "A new body" in (content / "posts" / "post-5.md").read_text()

    clean = build(content, tmp_path / "clean" / "out", CLEAN)
    assert differences(clean.output, output) == []
    assert rendered(output) and len(rendered(output)) < len(tree(output))
