"""A social preview image for every post (`og:image`, `twitter:card`), drawn at build time.

Enable with `PLUGINS = [..., "social"]`. Each published post gets `article.preview_image` (its
absolute URL, width, height and alt text). The images are drawn with Pillow from the title and
category in the theme's colours, kept in Pelican's cache folder under a hash of what they show,
and linked (or copied) into `output/social/`; an unchanged post is never drawn twice. Many new
images are drawn in a process per CPU (`READ_CACHE_WORKERS` sets how many; 1 draws serially).
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals

from .image import HEIGHT, WIDTH, Colours, content_hash, draw_preview, theme_colours

__all__ = ["PreviewImage", "register"]

logger = logging.getLogger(__name__)

OUTPUT_FOLDER = "social"
CACHE_FOLDER = "social-images"
CONTEXT_KEY = "social_preview_images"
# Below this many images to draw, starting a pool costs more than it saves.
POOL_MINIMUM = 16


@dataclass(frozen=True)
class PreviewImage:
    url: str
    width: int
    height: int
    alt: str
    cached: Path


def _plain(text: str) -> str:
    """Text without the markup typogrify adds (as the templates' |striptags)."""
    return str(Markup(text).striptags())


# The last build's images, for the next build in this process.
_kept_images: dict[PreviewImage, PreviewImage] = {}


def attach_preview_images(generator: Any) -> None:
    """Draw (or find in the cache) each published post's preview image."""
    settings = generator.settings
    stylesheet = Path(settings["THEME"]) / "static" / "css" / "site.css"
    colours = theme_colours(stylesheet)
    cache = Path(settings["CACHE_PATH"]) / CACHE_FOLDER
    site_name = _plain(settings["SITENAME"])
    images: list[PreviewImage] = []
    kept = {image: image for image in _kept_images}
    missing: list[tuple[str, str, str, Colours, Path]] = []
    for article in generator.articles:
        title, category = _plain(article.title), _plain(article.category.name)
        name = f"{article.slug}-{content_hash(title, category, site_name, colours)}.png"
        cached = cache / name
        if not cached.exists():
            missing.append((title, category, site_name, colours, cached))
        image = PreviewImage(
            url=f"{settings['SITEURL']}/{OUTPUT_FOLDER}/{name}",
            width=WIDTH,
            height=HEIGHT,
            alt=f"{category}: {title}",
            cached=cached,
        )
        # The same object as the last build's when it shows the same: what a rebuild in one
        # process (the live preview) compares of it is then already known.
        article.preview_image = kept.setdefault(image, image)
        images.append(article.preview_image)
    _kept_images.clear()
    _kept_images.update((image, image) for image in images)
    _draw_all(missing, int(settings.get("READ_CACHE_WORKERS") or os.cpu_count() or 1))
    generator.context[CONTEXT_KEY] = images


def _draw(arguments: tuple[str, str, str, Colours, Path]) -> None:
    draw_preview(*arguments)


def _draw_all(missing: list[tuple[str, str, str, Colours, Path]], workers: int) -> None:
    """Draw the images not in the cache yet: in a process per CPU when there are many."""
    if workers > 1 and len(missing) >= POOL_MINIMUM:
        try:
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
                list(pool.map(_draw, missing, chunksize=max(1, len(missing) // (workers * 4))))
            return
        except Exception as problem:  # no pool here: draw them in this process
            logger.warning("social: drawing in one process (%s)", problem)
    for arguments in missing:
        if not arguments[-1].exists():
            _draw(arguments)


class PreviewImagesGenerator:
    """Copies the posts' preview images from the cache into the output (`get_generators`)."""

    def __init__(self, context: dict[str, Any], output_path: str, **_: Any) -> None:
        self.context = context
        self.output_path = output_path

    def generate_output(self, writer: Any) -> None:
        folder = Path(self.output_path) / OUTPUT_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        images = self.context.get(CONTEXT_KEY, [])
        for image in images:
            target = folder / image.cached.name
            if not target.exists():
                _place(image.cached, target)
        # The folder is this plugin's: an image of an older title or of a deleted post goes,
        # as it would be absent from a clean build.
        current = {image.cached.name for image in images}
        for stale in folder.iterdir():
            if stale.name not in current and stale.is_file():
                stale.unlink()


def _place(cached: Path, target: Path) -> None:
    """A hard link to the cached image (a drawn image is never rewritten in place, a new
    drawing is a new file); a copy where the two folders cannot share a file."""
    try:
        os.link(cached, target)
    except OSError:
        shutil.copyfile(cached, target)


def preview_images_generator(pelican: Any) -> type[PreviewImagesGenerator]:
    return PreviewImagesGenerator


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.article_generator_finalized.connect(attach_preview_images)
    signals.get_generators.connect(preview_images_generator)
