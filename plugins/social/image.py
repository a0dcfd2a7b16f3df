"""The preview image of a post (1200 × 630, PNG): its category and title in the theme's colours."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
# Changing the drawing below changes this, so every cached image is drawn again.
DRAWING_VERSION = "1"

_COLOUR = re.compile(r"--(?P<name>[a-z-]+):\s*(?P<value>#[0-9a-fA-F]{6})\s*;")


@dataclass(frozen=True)
class Colours:
    """The light scheme of the theme (theme/static/css/site.css owns them)."""

    background: str
    surface: str
    text: str
    muted: str
    accent: str


def theme_colours(stylesheet: Path) -> Colours:
    """Read the light scheme's custom properties from the first `:root` block of site.css."""
    css = stylesheet.read_text(encoding="utf-8")
    first_root = css[css.index(":root") : css.index("}", css.index(":root"))]
    found = {match["name"]: match["value"] for match in _COLOUR.finditer(first_root)}
    return Colours(found["bg"], found["surface"], found["text"], found["muted"], found["accent"])


def content_hash(title: str, category: str, site_name: str, colours: Colours) -> str:
    """What the image depends on, hashed: same inputs, same file, drawn once."""
    key = "\0".join([DRAWING_VERSION, title, category, site_name, repr(colours)])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own scalable font: the same image on every machine, no system fonts needed.
    return ImageFont.load_default(size=size)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:  # type: ignore[arg-type]
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def draw_preview(title: str, category: str, site_name: str, colours: Colours, path: Path) -> None:
    """Draw the image and save it as PNG at `path`."""
    image = Image.new("RGB", (WIDTH, HEIGHT), colours.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=colours.accent)
    draw.rectangle((0, HEIGHT - 110, WIDTH, HEIGHT), fill=colours.surface)
    draw.text((MARGIN, MARGIN), category.upper(), font=_font(34), fill=colours.accent)
    text_width = WIDTH - 2 * MARGIN
    for size in (76, 64, 54, 46):
        title_font = _font(size)
        lines = _wrapped(draw, title, title_font, text_width)
        if len(lines) <= 4:
            break
    lines = lines[:4]
    top = MARGIN + 70
    for line in lines:
        draw.text((MARGIN, top), line, font=title_font, fill=colours.text)
        top += int(size * 1.2)
    draw.text((MARGIN, HEIGHT - 78), site_name, font=_font(34), fill=colours.muted)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed into place: a build stopped halfway leaves no cut-off image in
    # the cache, and a file already linked into an output is never rewritten.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    # Not `optimize=True`: it triples the drawing time of a first build for 4 % smaller files.
    image.save(partial, format="PNG")
    os.replace(partial, path)
