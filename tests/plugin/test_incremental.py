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
from tests.live_site import Build, build_site, six_posts

pytestmark = pytest.mark.slow

INCREMENTAL = ["comments", "reading", "social", "incremental"]
CLEAN = ["comments", "reading", "social"]
# Small lists, so that a post more or less shifts every later page of the index and the tags;
# feeds of every kind, as a published site has them.
SETTINGS = {
    "DEFAULT_PAGINATION": 2,
    "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html",
    "FEED_ALL_ATOM": "feeds/all.atom.xml",
    "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
    "TAG_FEED_ATOM": "feeds/tag-{slug}.atom.xml",
}


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
    content = six_posts(tmp_path / "content")
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
    content = six_posts(tmp_path / "content")
    output = tmp_path / "out"
    build(content, output, INCREMENTAL)
    written = modified_times(output)

    build(content, output, INCREMENTAL)

    assert rendered(output) == []
    now = modified_times(output)
    assert [path for path in written if now.get(path) != written[path]] == []
    assert now.keys() == written.keys()


def test_a_build_that_empties_the_output_first_records_nothing(tmp_path: Path) -> None:
    """publishconf.py empties the output before each build: no page could be kept, so the
    plugin records nothing; a later incremental build still writes what a clean build does."""
    content = six_posts(tmp_path / "content")
    output = tmp_path / "site" / "out"
    state = output.parent / f"{output.name}-cache" / "incremental.pickle"
    output.parent.mkdir(parents=True)
    published = build_site(
        content, output, PLUGINS=INCREMENTAL, DELETE_OUTPUT_DIRECTORY=True, **SETTINGS
    )
    assert published.result.returncode == 0, published.log
    assert not state.exists()
    assert differences(build(content, tmp_path / "clean" / "out", CLEAN).output, output) == []

    build(content, output, INCREMENTAL)
    recorded = state.stat().st_mtime_ns
    CHANGES["title"](content / "posts")
    published = build_site(
        content, output, PLUGINS=INCREMENTAL, DELETE_OUTPUT_DIRECTORY=True, **SETTINGS
    )
    assert published.result.returncode == 0, published.log
    assert state.stat().st_mtime_ns == recorded
    CHANGES["body"](content / "posts")
    build(content, output, INCREMENTAL)
    clean = build(content, tmp_path / "clean-after" / "out", CLEAN)
    assert differences(clean.output, output) == []


def test_a_body_change_renders_only_the_page_that_shows_the_body(tmp_path: Path) -> None:
    content = six_posts(tmp_path / "content")
    output = tmp_path / "out"
    build(content, output, INCREMENTAL)

    CHANGES["body"](content / "posts")
    build(content, output, INCREMENTAL)

    # The posts have a Summary of their own, so only the post's page shows its body, and the
    # feeds that carry the post (whole, as feeds do).
    showing = sorted(name for name, data in tree(output).items() if b"A new body" in data)
    assert rendered(output) == showing
    assert "post-3.html" in showing
    assert "feeds/all.atom.xml" in showing and "feeds/tag-flow.atom.xml" in showing
    assert "feeds/tag-huddles.atom.xml" not in showing


def test_a_title_change_renders_the_pages_that_show_the_title(tmp_path: Path) -> None:
    content = six_posts(tmp_path / "content")
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
    ("post-2.md", r"^Tags: .*$", "Tags: huddles"),
]:
    post = posts / name
    post.write_text(re.sub(pattern, replacement, post.read_text(), count=1, flags=re.M))
    pelican.run()
"""


def run_in_one_process(script: str, output: Path, *arguments: str) -> str:
    """Run `script` with the settings file of the build in `output` (and `arguments`)."""
    settings_file = output.parent / f"{output.name}-pelicanconf.py"
    result = subprocess.run(
        [sys.executable, "-c", script, str(settings_file), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rebuilds_in_one_process_write_what_a_clean_build_writes(tmp_path: Path) -> None:
    """As under `invoke livereload`: one Pelican, run again after each save."""
    content = six_posts(tmp_path / "content")
    output = tmp_path / "live" / "out"
    build(content, output, INCREMENTAL)
    run_in_one_process(IN_ONE_PROCESS, output, str(content / "posts"))
    assert "A new body" in (content / "posts" / "post-5.md").read_text()

    clean = build(content, tmp_path / "clean" / "out", CLEAN)
    assert differences(clean.output, output) == []
    assert rendered(output) and len(rendered(output)) < len(tree(output))


AFTER_ONE_BUILD = """\
import gc, sys, weakref
from pelican import Pelican, signals
from pelican.settings import read_settings

pelican = Pelican(read_settings(sys.argv[1]))
first_posts = []
signals.article_generator_finalized.connect(
    lambda generator: first_posts or first_posts.extend(map(weakref.ref, generator.articles)),
    weak=False,
)
pelican.run()
pelican.run()
gc.collect()
print(len(first_posts), sum(post() is not None for post in first_posts))
"""


def test_a_build_in_one_process_lets_the_posts_of_the_build_before_go(tmp_path: Path) -> None:
    """One Pelican run again after each save holds one build's posts, not every build's."""
    content = six_posts(tmp_path / "content")
    output = tmp_path / "live" / "out"
    build(content, output, INCREMENTAL)
    posts, still_held = map(int, run_in_one_process(AFTER_ONE_BUILD, output).split()[-2:])
    assert posts >= 5
    assert still_held == 0
