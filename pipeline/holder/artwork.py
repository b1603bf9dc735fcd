"""The level badge as pictures: the SVG artwork (templates/badges) and a PNG drawn from it.

`badge_svg(fw, level)` renders the level's SVG template (what `/frameworks/.../image.svg`
serves). `badge_png(fw, level)` draws the same medal with Pillow (no SVG renderer needed):
the palette is read from the rendered SVG, so the two never disagree. Both are unbaked;
`pipeline.holder.downloads` bakes the credential into them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from defusedxml import ElementTree
from flask import render_template
from PIL import Image, ImageDraw, ImageFont

from issuer.frameworks.models import Framework

SVG_NS = "{http://www.w3.org/2000/svg}"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
SCALE = 2
"""The PNG is 480 x 480: the 240-unit artwork at twice its size."""


def badge_svg(fw: Framework, level_key: str) -> str:
    """The level's badge artwork (needs a Flask app context for the templates)."""
    lv = fw.level(level_key)
    return render_template(f"badges/{lv.key}.svg", initials=fw.human_code_prefix, level_label=lv.label,
                           rank=lv.rank, ranks=len(fw.levels), framework_title=fw.title, version=fw.version)


@dataclass(frozen=True)
class Palette:
    light: str
    base: str
    deep: str
    ink: str


def palette_of(svg: str) -> Palette:
    """The four colours of a rendered medal: gradient stops, the ribbon fill, the small-text ink."""
    root = ElementTree.fromstring(svg)
    stops = [s.get("stop-color") for s in root.iter(f"{SVG_NS}stop")]
    deep = next(root.iter(f"{SVG_NS}path")).get("fill")
    ink = next(root.iter(f"{SVG_NS}text")).get("fill")
    return Palette(light=stops[0], base=stops[-1], deep=deep, ink=ink)


def font_file(bold: bool) -> Path | None:
    """DejaVu Sans (bold or regular) when installed; None otherwise."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return next((d / name for d in FONT_DIRS if (d / name).is_file()), None)


@lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_file(bold)
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _points(text: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in text.replace(",", " ").split()]
    return [(numbers[i] * SCALE, numbers[i + 1] * SCALE) for i in range(0, len(numbers), 2)]


def _gradient(size: int, top: str, bottom: str) -> Image.Image:
    a, b = _rgb(top), _rgb(bottom)
    column = Image.new("RGB", (1, size))
    for y in range(size):
        t = y / max(1, size - 1)
        column.putpixel((0, y), tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3)))
    return column.resize((size, size))


def _text(draw: ImageDraw.ImageDraw, y: float, text: str, size: int, fill: str, *, bold: bool = False,
          stroke: str | None = None) -> None:
    draw.text((120 * SCALE, y * SCALE), text, font=_font(size * SCALE, bold), fill=fill, anchor="ms",
              stroke_width=SCALE if stroke else 0, stroke_fill=stroke)


@lru_cache(maxsize=64)
def badge_png(fw: Framework, level_key: str) -> bytes:
    """The medal of `badge_svg` as a 480 x 480 PNG (transparent background); cached per level."""
    lv, ranks = fw.level(level_key), len(fw.levels)
    colours = palette_of(badge_svg(fw, level_key))
    size = 240 * SCALE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for ribbon in ("78 168 60 232 86 218 100 238 114 180", "162 168 180 232 154 218 140 238 126 180"):
        draw.polygon(_points(ribbon), fill=colours.deep)
    draw.polygon(_points("120,8 213,62 213,170 120,224 27,170 27,62"), fill=colours.deep)
    face = Image.new("L", (size, size), 0)
    ImageDraw.Draw(face).polygon(_points("120,20 203,68 203,164 120,212 37,164 37,68"), fill=255)
    image.paste(_gradient(size, colours.light, colours.base), (0, 0), face)
    overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))  # translucent parts, composited below
    glaze = ImageDraw.Draw(overlay)
    glaze.polygon(_points("120,32 193,74 193,158 120,200 47,158 47,74"), outline=(255, 255, 255, 140), width=SCALE * 2)
    _text(draw, 62, f"LEVEL {lv.rank} OF {ranks}", 11, colours.ink, bold=True)
    _text(draw, 80, fw.version, 10, colours.ink)
    _text(draw, 126, fw.human_code_prefix, 46, "#ffffff", bold=True, stroke=colours.deep)
    for i in range(ranks):
        cx, r = (120 - (ranks - 1) * 9 + i * 18) * SCALE, 5 * SCALE
        fill = (255, 255, 255, 255) if i < lv.rank else (255, 255, 255, 64)
        glaze.ellipse((cx - r, 143 * SCALE - r, cx + r, 143 * SCALE + r), fill=fill, outline=colours.deep, width=SCALE)
    image = Image.alpha_composite(image, overlay)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40 * SCALE, 155 * SCALE, 200 * SCALE, 185 * SCALE), radius=4 * SCALE, fill=colours.deep)
    _text(draw, 176, lv.label.upper(), 17, "#ffffff", bold=True)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
