"""The council's colours: ``#RRGGBB`` values and their contrast with white,
as WCAG 2.1 defines it (success criterion 1.4.3: at least 4.5 to 1 for
text). Plone-free."""

import re


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
#: WCAG 2.1 AA for normal text (1.4.3) and for user interface parts (1.4.11: 3).
AA_TEXT = 4.5


def is_hex_colour(value):
    return bool(value) and bool(HEX_COLOUR.match(value))


def relative_luminance(colour):
    """WCAG 2.1's relative luminance of ``#RRGGBB``, from 0 (black) to 1."""
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        linear = value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        channels.append(linear)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first, second):
    """From 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def readable_on_white(colour):
    """True when white text on ``colour`` (and ``colour`` on white) meets AA."""
    return is_hex_colour(colour) and contrast_ratio(colour, WHITE) >= AA_TEXT
