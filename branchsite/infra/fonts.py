"""A font that can draw Chinese, for images the site makes (an appointment's QR card).

Pillow has no font fallback: text drawn in a font without CJK glyphs comes out as rows of empty
boxes ("tofu"), and nothing fails. So the font is looked up once, checked to really draw Chinese,
and when none is found the site says so in the log and draws English instead (`has_cjk_font()`
tells callers which to pick).

Lookup order: the path in the environment variable BRANCHSITE_CJK_FONT, fontconfig's choice for
Simplified Chinese (`fc-match`), then the usual Debian/Ubuntu paths.
"""

import functools
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

ENV_VARIABLE = "BRANCHSITE_CJK_FONT"

# Packages: fonts-noto-cjk, fonts-wqy-zenhei, fonts-wqy-microhei, fonts-droid-fallback.
KNOWN_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

# Chinese as the site draws it; a font must have a real glyph for each.
_PROBE = "银行预约"
# Never a character, so every font draws its "missing glyph" box for it.
_MISSING = "\U0010ffff"
_FC_MATCH_TIMEOUT_SECONDS = 2.0


class FontFile(NamedTuple):
    path: str
    # The face in a font collection (.ttc): Noto Sans CJK holds JP, KR, SC, TC and HK faces.
    face: int = 0


def _fc_match() -> FontFile | None:
    """fontconfig's best font for Simplified Chinese, or None without fontconfig."""
    if shutil.which("fc-match") is None:
        return None
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=_FC_MATCH_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = result.stdout.strip().partition("|")
    if result.returncode != 0 or not path:
        return None
    return FontFile(path, int(index) if index.isdigit() else 0)


def _face_index(path: str) -> int:
    # In Noto's CJK collections the Simplified Chinese face is the third; elsewhere the first.
    name = Path(path).name
    return 2 if name.startswith(("NotoSansCJK", "NotoSerifCJK")) and name.endswith(".ttc") else 0


def _candidates() -> Iterator[FontFile]:
    """Fonts to try, best first (fontconfig is asked only when the ones before fail)."""
    matched = _fc_match()
    if matched is not None:
        yield matched
    for path in KNOWN_PATHS:
        yield FontFile(path, _face_index(path))


def _drawing(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((0, 0), text, font=font, fill=255)
    return image.tobytes()


def draws_chinese(font_file: FontFile) -> bool:
    """Whether the file opens and has real glyphs (not its missing-glyph box) for Chinese."""
    if not Path(font_file.path).is_file():
        return False
    try:
        font = ImageFont.truetype(font_file.path, 32, index=font_file.face)
    except OSError:
        return False
    missing = _drawing(font, _MISSING)
    return all(font.getmask(char).getbbox() and _drawing(font, char) != missing for char in _PROBE)


@functools.cache
def cjk_font_file() -> FontFile | None:
    """The font file used for Chinese, found once per process; None when there is none."""
    override = os.environ.get(ENV_VARIABLE, "").strip()
    if override:
        chosen = FontFile(override, _face_index(override))
        if draws_chinese(chosen):
            return chosen
        logger.warning(
            "%s=%s is not a readable font with Chinese glyphs; looking for another.",
            ENV_VARIABLE,
            override,
        )
    for candidate in _candidates():
        if draws_chinese(candidate):
            return candidate
    logger.warning(
        "No font that can draw Chinese was found: images (such as appointment QR cards) will "
        "show English/ASCII text instead of Chinese. To fix it, install one "
        "(apt-get install fonts-noto-cjk) or set %s to the path of a CJK font file.",
        ENV_VARIABLE,
    )
    return None


def has_cjk_font() -> bool:
    """Whether `cjk_font` can draw Chinese; if not, draw English text."""
    return cjk_font_file() is not None


def cjk_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font of `size` pixels that draws Chinese and Latin text.

    Without a CJK font on the machine this is Pillow's default font, which draws Latin text
    only; check `has_cjk_font()` before drawing Chinese with it.
    """
    found = cjk_font_file()
    if found is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(found.path, size, index=found.face)
