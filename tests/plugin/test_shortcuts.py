"""Shortcuts through Pelican's repeated work: the same answers, worked out once or not at all."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pelican.contents
import pelican.urlwrappers
import pelican.utils
import pytest
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Tag

from plugins.read_cache import shortcuts

PELICAN_SLUGIFY = pelican.utils.slugify
PELICAN_RELATIVE_PATH = pelican.contents.Content.get_relative_source_path
PELICAN_UPDATE_CONTENT = pelican.contents.Content._update_content
PELICAN_STATIC_LINKS = pelican.contents.Content.get_static_links


@pytest.fixture
def installed() -> Iterator[None]:
    shortcuts._slug.cache_clear()
    shortcuts._relative_paths.clear()
    shortcuts.install()
    try:
        yield
    finally:
        shortcuts.uninstall()


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    calls: list[Any] = []
    original = getattr(shortcuts, name)

    def counted(*arguments: Any) -> Any:
        calls.append(arguments)
        return original(*arguments)

    monkeypatch.setattr(shortcuts, name, counted)
    return calls


NAMES = [
    "Quality improvement",
    "<em>Huddles</em> &amp; handovers",
    "Café à la carte",
    "Straße — 2026",
    "C++ in the ward",
    "",
]
SUBSTITUTIONS = [
    [],
    DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"],
    [(r"\+", "plus"), (r"[^\w\s-]", ""), (r"\s+", "_")],
]


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize("preserve_case", [False, True])
@pytest.mark.parametrize("use_unicode", [False, True])
def test_a_remembered_slug_is_pelicans_own(preserve_case: bool, use_unicode: bool) -> None:
    for name in NAMES:
        for substitutions in SUBSTITUTIONS:
            expected = PELICAN_SLUGIFY(name, substitutions, preserve_case, use_unicode)
            for _ in range(2):
                found = pelican.urlwrappers.slugify(name, substitutions, preserve_case, use_unicode)
                assert found == expected, (name, substitutions)


@pytest.mark.usefixtures("installed")
def test_a_name_is_slugified_once_however_often_its_tags_are_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = counting(monkeypatch, "_original_slugify")
    settings = dict(DEFAULT_CONFIG)
    tags = [Tag(name, settings) for name in ["Safety", "Huddles", "safety", "Flow", "Huddles"]]

    ordered = sorted(tags)
    assert [tag.slug for tag in ordered] == ["flow", "huddles", "huddles", "safety", "safety"]
    assert tags[0] == tags[2] and tags[1] != tags[3]
    assert sorted({str(arguments[0]) for arguments in calls}) == [
        "Flow",
        "Huddles",
        "Safety",
        "safety",
    ]
    assert len(calls) == 4


def article(settings: dict[str, Any], source: str) -> Article:
    metadata = {"title": "A post", "date": datetime.datetime(2026, 12, 1)}
    return Article("<p>Body.</p>", metadata, settings, source)


@pytest.mark.usefixtures("installed")
def test_a_relative_path_is_pelicans_own_and_follows_the_source_and_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting(monkeypatch, "_original_relative_path")
    settings = dict(DEFAULT_CONFIG, PATH=str(tmp_path / "content"))
    post = article(settings, str(tmp_path / "content" / "posts" / "first.md"))
    before = len(calls)

    assert post.url == "a-post.html"
    for _ in range(3):
        assert post.get_relative_source_path() == "posts/first.md"
    assert len(calls) == before  # worked out once, when the post was made

    post.source_path = str(tmp_path / "content" / "posts" / "renamed.md")
    assert post.get_relative_source_path() == "posts/renamed.md"
    assert post.get_relative_source_path(str(tmp_path / "content" / "a.md")) == "a.md"
    post.settings = dict(settings, PATH=str(tmp_path))
    assert post.get_relative_source_path() == "content/posts/renamed.md"
    assert post.get_relative_source_path() == PELICAN_RELATIVE_PATH(post)


@pytest.mark.usefixtures("installed")
def test_a_relative_content_folder_is_taken_from_the_working_folder_of_the_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder / "content").mkdir(parents=True)
    settings = dict(DEFAULT_CONFIG, PATH="content")
    post = article(settings, str(tmp_path / "one" / "content" / "post.md"))

    monkeypatch.chdir(tmp_path / "one")
    assert post.get_relative_source_path() == "post.md"
    monkeypatch.chdir(tmp_path / "two")
    expected = PELICAN_RELATIVE_PATH(post)
    assert expected == os.path.join("..", "..", "one", "content", "post.md")
    assert post.get_relative_source_path() == expected


def test_after_the_build_pelican_has_its_own_functions_back() -> None:
    shortcuts.install()
    assert pelican.urlwrappers.slugify is not PELICAN_SLUGIFY
    shortcuts.uninstall()
    assert pelican.urlwrappers.slugify is PELICAN_SLUGIFY
    assert pelican.contents.slugify is PELICAN_SLUGIFY
    assert pelican.contents.Content.get_relative_source_path is PELICAN_RELATIVE_PATH
    assert pelican.contents.Content._update_content is PELICAN_UPDATE_CONTENT
    assert pelican.contents.Content.get_static_links is PELICAN_STATIC_LINKS


def linked_site(folder: Path, **settings: Any) -> tuple[Article, dict[str, Any]]:
    """A post that another post links to, in the context Pelican's writer gives both."""
    all_settings = dict(DEFAULT_CONFIG, PATH=str(folder), **settings)
    other = article(all_settings, str(folder / "posts" / "other.md"))
    other.slug = "the-other-post"
    context = {"generated_content": {"posts/other.md": other}, "static_content": {}}
    context["localsiteurl"] = ""
    post = article(all_settings, str(folder / "posts" / "post.md"))
    post._context = context
    return post, context


BODIES = [
    "<p>No link to another post here.</p>",
    '<p>See <a href="{filename}other.md">the other post</a>.</p>',
    '<p>A pipe | in a sentence, and <a href="|filename|other.md">an old-style link</a>.</p>',
    "<pre><code>if (a) { return b; }</code></pre>",
    "",
]


@pytest.mark.usefixtures("installed")
def test_a_body_is_given_its_links_as_pelican_gives_them(tmp_path: Path) -> None:
    post, _ = linked_site(tmp_path)
    for body in BODIES:
        assert post._update_content(body, "") == PELICAN_UPDATE_CONTENT(post, body, ""), body
    assert 'href="/the-other-post.html"' in post._update_content(BODIES[1], "")


@pytest.mark.usefixtures("installed")
def test_a_body_without_a_brace_or_a_bar_is_not_scanned_for_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned = counting(monkeypatch, "_original_update_content")
    post, _ = linked_site(tmp_path)

    body = BODIES[0]
    assert post._update_content(body, "") is body
    assert scanned == []
    post._update_content(BODIES[1], "")
    post._update_content(BODIES[3], "")
    assert len(scanned) == 2


@pytest.mark.usefixtures("installed")
def test_a_site_with_its_own_link_pattern_is_always_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned = counting(monkeypatch, "_original_update_content")
    post, _ = linked_site(tmp_path, INTRASITE_LINK_REGEX="@(?P<what>.*?)@")
    body = '<p>See <a href="@filename@other.md">the other post</a>.</p>'

    assert 'href="/the-other-post.html"' in post._update_content(body, "")
    assert len(scanned) == 1


@pytest.mark.usefixtures("installed")
def test_static_links_are_pelicans_own_and_a_body_without_marks_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned = counting(monkeypatch, "_original_static_links")
    post, _ = linked_site(tmp_path)
    for body in [*BODIES, '<img src="{static}/images/chart.svg" alt="A chart">']:
        post._content = body
        assert post.get_static_links() == PELICAN_STATIC_LINKS(post), body
    assert post.get_static_links() == {"images/chart.svg"}
    post._content = BODIES[0]
    before = len(scanned)
    assert post.get_static_links() == set()
    assert len(scanned) == before
