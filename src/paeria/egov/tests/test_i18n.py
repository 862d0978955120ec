"""Every user-facing message has its Spanish and Catalan translation, and the
committed catalogues are in step with the code (`make i18n` was run)."""

from pathlib import Path
import re
import subprocess
import sys
import tempfile
import unittest


PACKAGE = Path(__file__).resolve().parent.parent
LOCALES = PACKAGE / "locales"
I18NDUDE = Path(sys.executable).parent / "i18ndude"
QUOTED = r'"(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*'
ENTRY = re.compile(
    rf"^(?P<flags>(?:#.*\n)*)msgid (?P<msgid>{QUOTED})\nmsgstr (?P<msgstr>{QUOTED})",
    re.MULTILINE,
)


def _join(quoted):
    return "".join(part[1:-1] for part in quoted.split("\n"))


def read_catalogue(path):
    entries = {}
    for match in ENTRY.finditer(path.read_text(encoding="utf-8")):
        msgid = _join(match["msgid"])
        if msgid:
            entries[msgid] = (_join(match["msgstr"]), "fuzzy" in match["flags"])
    return entries


class TestCatalogues(unittest.TestCase):
    def setUp(self):
        self.pot = read_catalogue(LOCALES / "paeria.egov.pot")

    def test_template_has_messages(self):
        self.assertGreater(len(self.pot), 100)

    def test_spanish_and_catalan_are_complete(self):
        for language in ("es", "ca"):
            catalogue = read_catalogue(
                LOCALES / language / "LC_MESSAGES" / "paeria.egov.po"
            )
            missing = sorted(
                m for m in self.pot if not catalogue.get(m, ("", False))[0]
            )
            fuzzy = sorted(m for m, (_, is_fuzzy) in catalogue.items() if is_fuzzy)
            with self.subTest(language=language):
                self.assertEqual(missing, [], f"untranslated in {language}")
                self.assertEqual(fuzzy, [], f"fuzzy in {language}")

    def test_english_catalogue_lists_every_message(self):
        catalogue = read_catalogue(LOCALES / "en" / "LC_MESSAGES" / "paeria.egov.po")
        self.assertEqual(sorted(set(self.pot) - set(catalogue)), [])

    @unittest.skipUnless(I18NDUDE.exists(), "i18ndude is installed by `make install`")
    def test_template_is_in_step_with_the_code(self):
        with tempfile.TemporaryDirectory() as scratch:
            fresh = Path(scratch) / "fresh.pot"
            subprocess.run(
                [
                    str(I18NDUDE),
                    "rebuild-pot",
                    "--pot",
                    str(fresh),
                    "--create",
                    "paeria.egov",
                    str(PACKAGE),
                ],
                check=True,
                capture_output=True,
            )
            extracted = set(read_catalogue(fresh))
        self.assertEqual(
            sorted(extracted ^ set(self.pot)), [], "run `make i18n` and translate"
        )


class TestWorkflowTitlesInPloneDomain(unittest.TestCase):
    """Plone's state menu translates workflow titles in the `plone` domain."""

    from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING as layer

    def test_state_titles_translated_for_the_state_menu(self):
        from plone import api
        from zope.i18n import translate

        workflow = api.portal.get_tool("portal_workflow")["paeria_expediente_workflow"]
        spanish = read_catalogue(LOCALES / "es" / "LC_MESSAGES" / "paeria.egov.po")
        for state in workflow.states.objectValues():
            with self.subTest(state=state.getId()):
                expected = spanish[state.title][0]
                self.assertTrue(expected)
                self.assertEqual(
                    translate(state.title, domain="plone", target_language="es"),
                    expected,
                )
