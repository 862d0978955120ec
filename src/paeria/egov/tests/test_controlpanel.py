"""The e-Administration control panel: Classic UI (@@paeria-egov-settings) and
plone.restapi (@controlpanels/paeria-egov-settings), over the same records."""

from html import unescape
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.settings.controlpanel import IPaeriaSettingsForm
from paeria.egov.settings.interfaces import DEFAULT_ALLOWED_FORMATS
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import TEST_USER_ID
from plone.app.testing import TEST_USER_NAME
from plone.app.testing import TEST_USER_PASSWORD
from plone.testing.zope import Browser
from zExceptions import Unauthorized
from zope.interface import alsoProvides
from zope.schema import getFieldNamesInOrder
from zope.schema import ValidationError
import ast
import transaction
import unittest


PANEL = "@controlpanels/paeria-egov-settings"


def field_block(html, field):
    """The HTML of one field of a z3c.form form (label, widget, error), unescaped."""
    after = html.split(f'id="formfield-form-widgets-{field}"', 1)[1]
    return unescape(after.split('id="formfield-form-widgets-', 1)[0])


def record(name):
    return api.portal.get_registry_record(f"paeria.egov.{name}")


class TestSettings(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]

    def test_defaults(self):
        self.assertEqual(record("organo_dir3"), "L01251207")
        self.assertEqual(record("organo_name"), "Ajuntament de Lleida")
        self.assertEqual(record("allowed_formats"), DEFAULT_ALLOWED_FORMATS)
        self.assertEqual(record("max_file_size_mb"), 50)
        self.assertEqual(
            record("municipal_holidays"), ["05-11 Sant Anastasi", "09-29 Sant Miquel"]
        )
        self.assertEqual(record("holiday_subdivision"), "CT")

    def test_form_keeps_the_fields_in_order(self):
        self.assertEqual(
            getFieldNamesInOrder(IPaeriaSettingsForm),
            [
                "organo_dir3",
                "organo_name",
                "allowed_formats",
                "max_file_size_mb",
                "holidays",
                "municipal_holidays",
                "holiday_subdivision",
                "register_opening_hours",
                "logo",
                "colour_header",
                "colour_accent",
            ],
        )

    def test_checks(self):
        for name, valid, invalid, message in (
            (
                "organo_dir3",
                "L01080193",
                "L01251208",
                "The DIR3 code's INE control digit is wrong: expected 7.",
            ),
            (
                "holidays",
                ["2026-01-01 Cap d'Any", "2026-12-26"],
                ["2026-01-01 Cap d'Any", "26/12/2026 Sant Esteve"],
                "Each holiday must be a line 'YYYY-MM-DD Name'; this one is not: "
                "26/12/2026 Sant Esteve",
            ),
            (
                "municipal_holidays",
                ["02-29 Festa de traspàs"],
                ["02-30 Sant Ningú"],
                "Each local holiday must be a line 'MM-DD Name'; this one is not: "
                "02-30 Sant Ningú",
            ),
            (
                "holiday_subdivision",
                "MD",
                "XX",
                "XX is not an autonomous community code (ISO 3166-2:ES, e.g. CT for "
                "Catalonia).",
            ),
            ("max_file_size_mb", 1, 0, "Value is too small"),
        ):
            with self.subTest(name):
                field = IPaeriaSettingsForm[name]
                field.validate(valid)
                with self.assertRaises(ValidationError) as caught:
                    field.validate(invalid)
                self.assertEqual(
                    str(caught.exception)
                    if name != "max_file_size_mb"
                    else caught.exception.doc(),
                    message,
                )

    def test_configlet(self):
        tool = api.portal.get_tool("portal_controlpanel")
        (action,) = [a for a in tool.listActions() if a.id == "paeria-egov-settings"]
        self.assertEqual(action.permissions, ("Manage portal",))
        self.assertEqual(action.category, "Products")
        self.assertTrue(action.visible)

    def test_view_for_managers_only(self):
        alsoProvides(self.request, IPaeriaEgovLayer)
        base.prefer_english(self.request)
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        html = self.portal.restrictedTraverse("@@paeria-egov-settings")()
        for label in (
            "DIR3 code of the council",
            "Largest file accepted (MB)",
            "Holidays",
        ):
            self.assertIn(label, html)
        setRoles(self.portal, TEST_USER_ID, ["Member", "Tramitador"])
        with self.assertRaises(Unauthorized):
            self.portal.restrictedTraverse("@@paeria-egov-settings")


class TestClassicUI(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.browser = Browser(self.layer["app"])
        self.browser.handleErrors = False
        self.browser.addHeader(
            "Authorization", f"Basic {SITE_OWNER_NAME}:{SITE_OWNER_PASSWORD}"
        )
        self.browser.addHeader("Accept-Language", "en")
        self.browser.open(f"{self.portal.absolute_url()}/@@paeria-egov-settings")

    def test_save(self):
        self.browser.getControl(name="form.widgets.max_file_size_mb").value = "10"
        self.browser.getControl(name="form.widgets.organo_name").value = "Paeria"
        self.browser.getControl(
            name="form.widgets.holidays"
        ).value = "2026-01-01 Cap d'Any\n2026-04-06 Dilluns de Pasqua"
        self.browser.getControl(name="form.buttons.save").click()
        self.assertIn("Changes saved", self.browser.contents)
        transaction.begin()
        self.assertEqual(record("max_file_size_mb"), 10)
        self.assertEqual(record("organo_name"), "Paeria")
        self.assertEqual(
            record("holidays"), ["2026-01-01 Cap d'Any", "2026-04-06 Dilluns de Pasqua"]
        )

    def test_errors_are_shown_under_their_field_and_nothing_is_saved(self):
        before = record("holidays")
        self.browser.getControl(name="form.widgets.organo_dir3").value = "L01251208"
        self.browser.getControl(name="form.widgets.holidays").value = "1 de gener"
        self.browser.getControl(name="form.widgets.max_file_size_mb").value = "10"
        self.browser.getControl(name="form.buttons.save").click()
        self.assertNotIn("Changes saved", self.browser.contents)
        for field, message in (
            ("organo_dir3", "The DIR3 code's INE control digit is wrong: expected 7."),
            (
                "holidays",
                "Each holiday must be a line 'YYYY-MM-DD Name'; this one is not: "
                "1 de gener",
            ),
        ):
            with self.subTest(field):
                # z3c.form renders the error inside the field's own block.
                block = field_block(self.browser.contents, field)
                self.assertIn(f'<div class="invalid-feedback">{message}</div>', block)
        transaction.begin()
        self.assertEqual(record("organo_dir3"), "L01251207")
        self.assertEqual(record("holidays"), before)
        self.assertEqual(record("max_file_size_mb"), 50)


class TestREST(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.session = base.api_session(self.portal.absolute_url())

    def tearDown(self):
        self.session.close()

    def test_listed_among_the_control_panels(self):
        response = self.session.get("@controlpanels")
        self.assertEqual(response.status_code, 200)
        (panel,) = [p for p in response.json() if p["@id"].endswith("/" + PANEL)]
        self.assertEqual(panel["title"], "e-Administration settings")

    def test_get(self):
        response = self.session.get(PANEL)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["data"]["organo_dir3"], "L01251207")
        self.assertEqual(body["data"]["max_file_size_mb"], 50)
        self.assertEqual(
            set(body["schema"]["properties"]),
            {
                "organo_dir3",
                "organo_name",
                "allowed_formats",
                "max_file_size_mb",
                "holidays",
                "municipal_holidays",
                "holiday_subdivision",
                "register_opening_hours",
                "logo",
                "colour_header",
                "colour_accent",
            },
        )

    def test_patch_some_settings(self):
        for payload in (
            {"max_file_size_mb": 10},
            {"holidays": ["2026-01-01 Cap d'Any"]},
            {"organo_dir3": "L01080193", "organo_name": "Ajuntament de Barcelona"},
            {"allowed_formats": ["application/pdf", "text/plain"]},
        ):
            with self.subTest(payload):
                response = self.session.patch(PANEL, json=payload)
                self.assertEqual(response.status_code, 204, response.text[:300])
                transaction.begin()
                for name, value in payload.items():
                    self.assertEqual(record(name), value)

    def test_patch_refused(self):
        for payload, field, message in (
            (
                {"organo_dir3": "L01251208", "max_file_size_mb": 10},
                "organo_dir3",
                "The DIR3 code's INE control digit is wrong: expected 7.",
            ),
            (
                {"holidays": ["2026-13-01 Mai"], "organo_name": "Paeria"},
                "holidays",
                "Each holiday must be a line 'YYYY-MM-DD Name'; this one is not: "
                "2026-13-01 Mai",
            ),
            (
                {"holiday_subdivision": "XX"},
                "holiday_subdivision",
                "XX is not an autonomous community code (ISO 3166-2:ES, e.g. CT for "
                "Catalonia).",
            ),
            ({"max_file_size_mb": 0}, "max_file_size_mb", "Value is too small"),
        ):
            with self.subTest(field):
                response = self.session.patch(PANEL, json=payload)
                self.assertEqual(response.status_code, 400, response.text[:300])
                errors = ast.literal_eval(response.json()["message"])
                self.assertEqual(
                    [(e["field"], e["message"]) for e in errors], [(field, message)]
                )
                transaction.begin()
                # The valid settings sent along were not stored either.
                self.assertEqual(record("organo_dir3"), "L01251207")
                self.assertEqual(record("organo_name"), "Ajuntament de Lleida")
                self.assertEqual(record("max_file_size_mb"), 50)

    def test_only_managers(self):
        setRoles(self.portal, TEST_USER_ID, ["Member", "Tramitador"])
        transaction.commit()
        session = base.api_session(
            self.portal.absolute_url(), TEST_USER_NAME, TEST_USER_PASSWORD
        )
        self.addCleanup(session.close)
        # Logged in without the permission: 403 (401 is for the anonymous).
        self.assertEqual(session.get(PANEL).status_code, 403)
        self.assertEqual(
            session.patch(PANEL, json={"max_file_size_mb": 1}).status_code, 403
        )
        transaction.begin()
        self.assertEqual(record("max_file_size_mb"), 50)
