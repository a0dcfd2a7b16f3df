"""The read cache changes nothing in the output: cold, warm, and after a post changes."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from plugins import read_cache
from tests.helpers import ROOT, differences
from tests.live_site import Build, build_site, six_posts

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
    [stored] = (cache / "read_cache").glob("*.pickle")
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


def test_the_cache_keeps_the_files_of_three_sets_of_settings_at_most(tmp_path: Path) -> None:
    """Each edit of a plugin's code (or of a setting) starts a new set of readings in a file of
    its own: a build loads only its own, and the two other sets written last are kept."""
    content = six_posts(tmp_path / "content")
    cache = tmp_path / "cache"
    (cache).mkdir()
    (cache / "read_cache.pickle").write_bytes(b"the single file of earlier versions")

    def files() -> set[str]:
        return {path.name for path in (cache / "read_cache").glob("*.pickle")}

    sets = []
    for version in [0, 1, 2, 3, 2]:
        build(content, tmp_path / f"out-{version}" / "out", cache, SITESUBTITLE=f"v{version}")
        sets.append(files())
    assert [len(found) for found in sets] == [1, 2, 3, 3, 3]
    assert not (cache / "read_cache.pickle").exists()
    (first,) = sets[0]
    assert first not in sets[3], "the set written longest ago was kept"
    assert sets[4] == sets[3], "going back to a kept set read it again"
    (newest,) = sets[3] - sets[2]
    assert newest in sets[4]


def test_a_damaged_cache_file_is_read_afresh(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    build(content, tmp_path / "first" / "out", cache)
    [stored] = (cache / "read_cache").glob("*.pickle")
    stored.write_bytes(b"not a pickle")
    plain = build(content, tmp_path / "plain" / "out")
    rebuilt = build(content, tmp_path / "rebuilt" / "out", cache)
    assert "read_cache: ignoring" in rebuilt.log
    assert differences(plain.output, rebuilt.output) == []


IN_ONE_PROCESS = """\
import gc, json, re, sys
from pathlib import Path
from pelican import Pelican, signals
from pelican.settings import read_settings

settings_file, posts = sys.argv[1], Path(sys.argv[2])
pelican = Pelican(read_settings(settings_file))
pelican.run()
read_cache = sys.modules["read_cache"]
loaded = []
load = read_cache.ReadCache._load
read_cache.ReadCache._load = lambda cache: (loaded.append(1), load(cache))[1]
during = []
signals.article_generator_finalized.connect(
    lambda generator: during.append([gc.get_threshold()[0], gc.get_freeze_count() > 0]), weak=False
)

def edit(name, pattern, replacement):
    post = posts / name
    post.write_text(re.sub(pattern, replacement, post.read_text(), count=1, flags=re.M))

edit("post-3.md", r"^The body of post number 3", "A new body")
pelican.run()
kept = len(loaded)
read_cache._kept.wait()  # the file this build saves in the background is in place
read_cache._kept.path.write_bytes(b"not a pickle")  # as if another build had replaced it
edit("post-5.md", r"^Title: .*$", "Title: A better title")
pelican.run()
print(json.dumps({"kept": kept, "loaded": len(loaded), "during": during,
                  "after": [gc.get_threshold()[0], gc.get_freeze_count()]}))
"""


def run_in_one_process(
    script: str, built: Build, *arguments: str
) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run `script` with the settings file of `built` (and `arguments`); its last line's JSON."""
    settings_file = built.output.parent / f"{built.output.name}-pelicanconf.py"
    result = subprocess.run(
        [sys.executable, "-c", script, str(settings_file), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def test_rebuilds_in_one_process_keep_the_cache_in_memory_until_the_file_changes(
    tmp_path: Path,
) -> None:
    """As under `invoke livereload`: one Pelican, run again after each save."""
    content = six_posts(tmp_path / "content")
    cache = tmp_path / "cache"
    first = build(content, tmp_path / "live" / "out", cache)
    result, seen = run_in_one_process(IN_ONE_PROCESS, first, str(content / "posts"))
    assert seen["kept"] == 0, "the second build read the file it had just written"
    assert seen["loaded"] == 1, "the replaced file was not read again"
    assert "read_cache: ignoring" in result.stderr
    # The collector runs less often during a build, and leaves out what lived before it; as
    # before once it ends.
    assert seen["during"] == [[read_cache.BUILD_GC_THRESHOLD, True]] * 2
    assert seen["after"] == [gc.get_threshold()[0], 0]

    clean = build(content, tmp_path / "clean" / "out")
    assert differences(clean.output, first.output) == []


PUBLICATIONS_IN_ONE_PROCESS = """\
import json, pickle, sys
from pathlib import Path
from pelican import Pelican, signals
from pelican.settings import read_settings

settings = read_settings(sys.argv[1], override={"DELETE_OUTPUT_DIRECTORY": True})
page = Path(sys.argv[2])
held, while_posts = [], []

def after_posts(generator):
    cache = sys.modules["read_cache"]._cache
    while_posts.append([len(cache.reads), len(cache.texts)])

def while_writing(generator, writer=None):
    cache = sys.modules["read_cache"]
    held.append([cache._cache is None, len(cache._kept.reads), len(cache._kept.texts)])

signals.article_generator_finalized.connect(after_posts, weak=False)
signals.article_writer_finalized.connect(while_writing, weak=False)
pelican = Pelican(settings)
read_cache = sys.modules["read_cache"]
loaded = []
load = read_cache.ReadCache._load
read_cache.ReadCache._load = lambda cache: (loaded.append(1), load(cache))[1]

def saved():
    read_cache._kept.wait()
    stored = pickle.loads(read_cache._kept.path.read_bytes())
    return [len(stored["reads"]), len(stored["texts"])]

pelican.run()
first = saved()
page.write_text(page.read_text() + "\\nOne more line.\\n")  # a page read afresh, kept with the rest
pelican.run()
print(json.dumps({"held": held, "while posts": while_posts, "loaded": len(loaded),
                  "first": first, "second": saved()}))
"""


def test_a_build_that_empties_the_output_lets_the_cache_go_once_every_source_is_read(
    tmp_path: Path,
) -> None:
    """A publication: the readings are saved, then not held while the pages are written."""
    content = six_posts(tmp_path / "content")
    cache = tmp_path / "cache"
    first = build(content, tmp_path / "first" / "out", cache)
    shutil.rmtree(cache)  # the script's first build reads every source afresh
    [page, *_] = sorted((content / "pages").glob("*.md"))
    _, seen = run_in_one_process(PUBLICATIONS_IN_ONE_PROCESS, first, str(page))
    sources = len(list(content.rglob("*.md")))
    pages = len(list((content / "pages").glob("*.md")))
    # Once the posts are read, only readings not used yet are held: none in the first build
    # (its cache was empty), the pages' in the second; while the pages are written, nothing.
    assert [reads for reads, _ in seen["while posts"]] == [0, pages]
    assert seen["held"] == [[True, 0, 0], [True, 0, 0]]
    # The file holds every source read (six posts and the site's pages) and their texts, and
    # the second build read it (the first found none) and added the edited page to it.
    assert seen["first"][0] == sources > 6
    assert seen["first"][1] >= sources
    assert seen["second"][0] == sources + 1
    assert seen["loaded"] == 2
    plain = build(content, tmp_path / "plain" / "out")
    assert differences(plain.output, first.output) == []


READS_IN_ONE_PROCESS = """\
import collections, json, pathlib, re, sys
from pelican import Pelican
from pelican.settings import read_settings

settings_file, posts = sys.argv[1], pathlib.Path(sys.argv[2])
pelican = Pelican(read_settings(settings_file))
pelican.run()
reads = collections.Counter()
read_bytes = pathlib.Path.read_bytes
pathlib.Path.read_bytes = lambda path: (reads.update([path.name]), read_bytes(path))[1]
post = posts / "post-3.md"
post.write_text(re.sub(r"^The body of post number 3", "A new body", post.read_text(), flags=re.M))
pelican.run()
print(json.dumps({name: count for name, count in reads.items() if name.endswith(".md")}))
"""


def test_a_rebuild_reads_each_source_once(tmp_path: Path) -> None:
    """Whether a source is in the cache, and its reading, come from one read of its bytes (the
    changed one is read again for the key of what its reader reads)."""
    content = six_posts(tmp_path / "content")
    first = build(content, tmp_path / "live" / "out", tmp_path / "cache")
    _, reads = run_in_one_process(READS_IN_ONE_PROCESS, first, str(content / "posts"))

    sources = sorted(path.name for path in content.rglob("*.md"))
    assert sorted(reads) == sources
    assert reads.pop("post-3.md") == 2
    assert set(reads.values()) == {1}, json.dumps(reads)
    clean = build(content, tmp_path / "clean" / "out")
    assert differences(clean.output, first.output) == []
