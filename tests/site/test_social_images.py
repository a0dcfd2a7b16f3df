"""Every published post has a 1200 × 630 preview image, by absolute URL, drawn once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from plugins.social.image import theme_colours
from tests.helpers import ROOT
from tests.site.building import BuiltSite, build_site, published_posts

POST = """Title: {title}
Date: 2024-05-01 10:00
Slug: preview
Category: Methods
Authors: Priya Raman
Summary: A post for the preview-image test.

A paragraph of text.
"""


def hex_colour(pixel: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*pixel[:3])


def test_every_post_has_a_1200_by_630_preview_image_by_absolute_url(site: BuiltSite) -> None:
    colours = theme_colours(ROOT / "theme" / "static" / "css" / "site.css")
    for post in published_posts():
        soup = site.soup(f"{post.slug}.html")
        image_url = soup.find("meta", property="og:image")["content"]
        assert image_url.startswith(f"{site.siteurl}/social/{post.slug}-"), image_url
        assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == (
            "summary_large_image"
        )
        assert soup.find("meta", property="og:image:alt")["content"].endswith(post.value("title"))
        image_file = site.file_for(image_url)
        assert image_file is not None, f"{image_url} is not in the output"
        with Image.open(image_file) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))
            assert hex_colour(image.getpixel((5, 300))) == colours.accent.lower()
            assert hex_colour(image.getpixel((1190, 10))) == colours.background.lower()


def test_an_unchanged_post_keeps_its_cached_image_and_a_new_title_draws_a_new_one(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    post = content / "posts" / "preview.md"
    cache = tmp_path / "cache"

    def build(round_number: int) -> Path:
        site = build_site(
            tmp_path / f"output-{round_number}",
            "https://blog.example.org",
            PATH=str(content),
            PAGE_PATHS=[],
            CACHE_PATH=str(cache),
        )
        image_url = site.soup("preview.html").find("meta", property="og:image")["content"]
        assert image_url.startswith("https://blog.example.org/social/preview-")
        cached = cache / "social-images" / image_url.rsplit("/", 1)[1]
        assert site.file_for(image_url).read_bytes() == cached.read_bytes()
        # Only whole images in the cache: each is written beside and renamed into place.
        assert [path.name for path in cached.parent.iterdir() if path.name.startswith(".")] == []
        return cached

    post.write_text(POST.format(title="First title"))
    first = build(1)
    drawn_at = first.stat().st_mtime_ns
    again = build(2)
    assert again == first and again.stat().st_mtime_ns == drawn_at, "drawn again"
    post.write_text(POST.format(title="A better title"))
    renamed = build(3)
    assert renamed != first and renamed.exists()


def test_a_rebuild_in_one_process_keeps_the_image_objects_that_show_the_same(
    tmp_path: Path,
) -> None:
    """The live preview builds again in one process: an unchanged post keeps its image object
    (so the incremental plugin's digest of it is already known), a new title gets a new one."""
    from pelican import signals

    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    post = content / "posts" / "preview.md"
    seen: list[object] = []

    def note(generators: list[Any]) -> None:  # once every plugin has seen the posts
        articles = next(g for g in generators if hasattr(g, "articles")).articles
        seen.append(next(a for a in articles if a.slug == "preview").preview_image)

    def build(round_number: int) -> None:
        build_site(
            tmp_path / f"output-{round_number}",
            "https://blog.example.org",
            PATH=str(content),
            PAGE_PATHS=[],
            CACHE_PATH=str(tmp_path / "cache"),
        )

    signals.all_generators_finalized.connect(note)
    try:
        post.write_text(POST.format(title="First title"))
        build(1)
        build(2)
        post.write_text(POST.format(title="A better title"))
        build(3)
    finally:
        signals.all_generators_finalized.disconnect(note)
    first, again, renamed = seen
    assert again is first
    assert renamed is not first and renamed.alt.endswith("A better title")  # type: ignore[attr-defined]
