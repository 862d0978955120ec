"""Rebuild the paeria.egov message catalogue and sync the es, ca and en translations.

Messages are extracted from Python (``_("…")``), page templates, ZCML and
GenericSetup XML with i18ndude. New messages arrive with an empty translation:
fill them in; the suite's catalogue test fails while a Spanish or Catalan one is
missing."""

from pathlib import Path
import subprocess
import sys


DOMAIN = "paeria.egov"
LANGUAGES = ("es", "ca", "en")
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "paeria" / "egov"
LOCALES = PACKAGE / "locales"
I18NDUDE = str(Path(sys.executable).parent / "i18ndude")


def main():
    pot = LOCALES / f"{DOMAIN}.pot"
    LOCALES.mkdir(exist_ok=True)
    subprocess.run(
        [I18NDUDE, "rebuild-pot", "--pot", str(pot), "--create", DOMAIN, str(PACKAGE)],
        check=True,
    )
    catalogues = []
    for language in LANGUAGES:
        folder = LOCALES / language / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        catalogue = folder / f"{DOMAIN}.po"
        if not catalogue.exists():
            catalogue.write_text(
                "\n".join(
                    [
                        'msgid ""',
                        'msgstr ""',
                        '"Project-Id-Version: paeria.egov\\n"',
                        '"MIME-Version: 1.0\\n"',
                        '"Content-Type: text/plain; charset=utf-8\\n"',
                        '"Content-Transfer-Encoding: 8bit\\n"',
                        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
                        f'"Language: {language}\\n"',
                        f'"Language-Code: {language}\\n"',
                        f'"Language-Name: {language}\\n"',
                        '"Preferred-Encodings: utf-8\\n"',
                        f'"Domain: {DOMAIN}\\n"',
                        "",
                    ]
                ),
                encoding="utf-8",
            )
        catalogues.append(str(catalogue))
    subprocess.run([I18NDUDE, "sync", "--pot", str(pot), *catalogues], check=True)
    write_workflow_titles()


WORKFLOW_SOURCE = "/profiles/default/workflows/"


def write_workflow_titles():
    """Plone's state menu and history translate workflow state and transition
    titles in the ``plone`` domain; give it ours, taken from this domain's
    catalogues so that each text is translated in one place only."""
    for language in LANGUAGES:
        folder = LOCALES / language / "LC_MESSAGES"
        source = (folder / f"{DOMAIN}.po").read_text(encoding="utf-8")
        header, *entries = source.split("\n\n")
        kept = [entry for entry in entries if WORKFLOW_SOURCE in entry]
        header = header.replace(f'"Domain: {DOMAIN}\\n"', '"Domain: plone\\n"')
        (folder / "plone.po").write_text(
            "\n\n".join([header, *kept]).rstrip() + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
