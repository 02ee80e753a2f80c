"""Draw the LinkWorker icon (two linked rings on a teal tile) as PNG and multi-size ICO.

The committed files in ``resources/icons/`` were made by this script; run it again after
changing the design: ``python installer/make_icon.py``. ``linkworker.svg`` is the same
drawing by hand, for the README and Linux desktop files.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
TEAL, WHITE, GOLD = (31, 111, 139, 255), (255, 255, 255, 255), (244, 196, 48, 255)
SIZE = 256


def draw(size: int = SIZE) -> Image.Image:
    """Drawn at 4x and scaled down, so the edges are smooth at every size."""
    big = size * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = big / 256
    pen.rounded_rectangle((8 * unit, 8 * unit, 248 * unit, 248 * unit), radius=44 * unit,
                          fill=TEAL)
    width = round(22 * unit)
    pen.ellipse((40 * unit, 72 * unit, 152 * unit, 184 * unit), outline=WHITE, width=width)
    pen.ellipse((104 * unit, 72 * unit, 216 * unit, 184 * unit), outline=GOLD, width=width)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    image = draw()
    image.save(ICONS / "linkworker.png", optimize=True)
    image.save(ICONS / "linkworker.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48),
                                                 (64, 64), (128, 128), (256, 256)])


if __name__ == "__main__":
    main()
