"""What the browser suite shares: Debian's Chromium driven by Playwright, the
demo's people logging in, axe-core's WCAG 2.1 A/AA check of every page with
the exceptions docs/accessibility.md lists, and screenshots on request."""

from pathlib import Path
import os
import re
import shutil


ROOT = Path(__file__).resolve().parents[2]
ACCESSIBILITY_DOC = ROOT / "docs" / "accessibility.md"
SCREENSHOTS = ROOT / "docs" / "screenshots"

#: Debian's package, never a browser Playwright downloads (no `playwright install`).
CHROMIUM = os.environ.get("PAERIA_CHROMIUM", "/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "paeria-demo"


def chromium_missing():
    """Why Chromium cannot be used here, or None."""
    if shutil.which(CHROMIUM) is None:
        return (
            f"the browser suite needs Debian's Chromium at {CHROMIUM} "
            "(`apt-get install chromium`; .ci/run installs it, or set PAERIA_CHROMIUM)"
        )
    return None


def launch(playwright):
    arguments = ["--no-sandbox"] if os.geteuid() == 0 else []
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=arguments
    )


# -- Allowed violations: docs/accessibility.md's table ------------------------------

ROW = re.compile(r"^\|\s*`(?P<page>[\w-]+)`\s*\|\s*`(?P<rule>[\w-]+)`\s*\|")


def allowed_violations(text=None):
    """``{page: {rule}}`` from the table of docs/accessibility.md's section
    "Remaining violations" (rows ``| `page` | `rule` | why | plan |``)."""
    text = ACCESSIBILITY_DOC.read_text() if text is None else text
    section = text.partition("## Remaining violations")[2].split("\n## ", 1)[0]
    allowed = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            allowed.setdefault(match["page"], set()).add(match["rule"])
    return allowed


class AccessibilityLedger:
    """The rules axe found on each page the suite visited."""

    def __init__(self, axe):
        self.axe = axe
        self.found = {}  # page key -> {rule: [target, …]}

    def check(self, page, key):
        """Run axe on ``page`` as the page ``key``; return the violations that
        docs/accessibility.md does not allow there, as readable lines."""
        screenshot(page, key)
        results = self.axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}
        )
        violations = results.response["violations"]
        found = self.found.setdefault(key, {})
        for violation in violations:
            targets = [str(node["target"]) for node in violation["nodes"]]
            found.setdefault(violation["id"], []).extend(targets)
        allowed = allowed_violations().get(key, set())
        return [
            f"{key}: {violation['id']} ({violation['help']}) at "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            for violation in violations
            if violation["id"] not in allowed
        ]


def screenshot(page, name):
    """docs/screenshots/<name>.png, only when PAERIA_SCREENSHOTS=1."""
    if os.environ.get("PAERIA_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, portal_url, username, password=DEMO_PASSWORD):
    """Through the login form, as a person does."""
    page.goto(f"{portal_url}/login")
    page.fill("#__ac_name", username)
    page.fill("#__ac_password", password)
    page.click("#buttons-login")
    page.wait_for_load_state()
