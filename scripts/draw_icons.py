"""Draw the Teams app icons in appPackage/: a shield sheltering a heart.

    .venv/bin/python scripts/draw_icons.py

color.png is 192×192 on the app's accent colour; outline.png is 32×32, white on transparent (Teams
accepts no other colour there). Shapes are drawn at several times the size and scaled down, which
gives smooth edges without a font or an SVG renderer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageDraw

APP_PACKAGE = Path(__file__).resolve().parents[1] / "appPackage"
ACCENT = (14, 101, 112)  # #0E6570, the manifest's accentColor
WHITE = (255, 255, 255)
SUPERSAMPLE = 8

Point = tuple[float, float]


def shield(cx: float, top: float, width: float, height: float) -> list[Point]:
    """A shield: flat top with rounded shoulders, straight sides, curving to a point below."""
    half = width / 2
    corner = width * 0.12
    side_end = top + height * 0.45
    tip = (cx, top + height)
    points: list[Point] = []
    # Top edge, left shoulder to right shoulder, with rounded corners.
    for angle in range(180, 271, 5):
        a = math.radians(angle)
        points.append(
            (cx - half + corner + corner * math.cos(a), top + corner + corner * math.sin(a))
        )
    for angle in range(270, 361, 5):
        a = math.radians(angle)
        points.append(
            (cx + half - corner + corner * math.cos(a), top + corner + corner * math.sin(a))
        )
    # Right side down, then a quadratic curve to the tip.
    points.append((cx + half, side_end))
    points.extend(_quadratic((cx + half, side_end), (cx + half, top + height * 0.82), tip))
    points.extend(_quadratic(tip, (cx - half, top + height * 0.82), (cx - half, side_end))[1:])
    return points


def heart(cx: float, cy: float, size: float) -> list[Point]:
    """The classic parametric heart, `size` wide, centred on (cx, cy)."""
    points = []
    for step in range(360):
        t = math.radians(step)
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        points.append((cx + x * size / 32, cy - (y + 2.5) * size / 32))
    return points


def _quadratic(start: Point, control: Point, end: Point, steps: int = 40) -> list[Point]:
    result = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        result.append(
            (
                u * u * start[0] + 2 * u * t * control[0] + t * t * end[0],
                u * u * start[1] + 2 * u * t * control[1] + t * t * end[1],
            )
        )
    return result


def _scaled(points: Iterable[Point]) -> list[Point]:
    return [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in points]


def draw_color() -> Image.Image:
    size = 192
    big = Image.new("RGB", (size * SUPERSAMPLE, size * SUPERSAMPLE), ACCENT)
    draw = ImageDraw.Draw(big)
    draw.polygon(_scaled(shield(96, 38, 100, 118)), fill=WHITE)
    draw.polygon(_scaled(heart(96, 90, 52)), fill=ACCENT)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def draw_outline() -> Image.Image:
    size = 32
    # Only the alpha channel carries the drawing; every pixel's colour is white.
    alpha = Image.new("L", (size * SUPERSAMPLE, size * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(alpha)
    outline = _scaled(shield(16, 4, 22, 25))
    draw.line([*outline, outline[0], outline[1]], fill=255, width=2 * SUPERSAMPLE, joint="curve")
    draw.polygon(_scaled(heart(16, 14.6, 12)), fill=255)
    alpha = alpha.resize((size, size), Image.Resampling.LANCZOS)
    icon = Image.new("RGBA", (size, size), (*WHITE, 0))
    icon.putalpha(alpha)
    return icon


def main() -> None:
    APP_PACKAGE.mkdir(exist_ok=True)
    draw_color().save(APP_PACKAGE / "color.png", optimize=True)
    draw_outline().save(APP_PACKAGE / "outline.png", optimize=True)
    print(f"Wrote {APP_PACKAGE / 'color.png'} and {APP_PACKAGE / 'outline.png'}")


if __name__ == "__main__":
    main()
