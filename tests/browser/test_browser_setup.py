"""The browser suite's own machinery: Debian's Chromium answers, and the
exceptions of docs/accessibility.md are read as the suite applies them."""

from tests.browser.browser import allowed_violations


def test_chromium_shows_the_portal(demo_portal, page):
    page.goto(demo_portal.url)
    assert "Seu electrònica" in page.title()
    assert page.locator("html").get_attribute("lang") == "es"


def test_the_exceptions_are_read_from_their_section_only():
    text = "\n".join(
        [
            "## Remaining violations",
            "| Page | Rule | Why | Plan |",
            "|---|---|---|---|",
            "| `home` | `color-contrast` | a widget | fix it |",
            "| `tray` | `region` | another | later |",
            "## Fixed",
            "| `home` | `image-alt` | not an exception | - |",
        ]
    )
    assert allowed_violations(text) == {
        "home": {"color-contrast"},
        "tray": {"region"},
    }
