"""The Classic UI add forms (++add++<Type>): the validators' messages appear
under their field, nothing is stored when a form is refused, and a valid form
creates the content with its computed metadata."""

from datetime import date
from html import unescape
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import last_number
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import TEST_USER_ID
from plone.testing.zope import Browser
from urllib.parse import urlencode
import hashlib
import transaction
import unittest


def field_block(html, field):
    """The HTML of one field of a z3c.form form (label, widget, error), unescaped."""
    after = html.split(f'id="formfield-form-widgets-{field}"', 1)[1]
    return unescape(after.split('id="formfield-form-widgets-', 1)[0])


def errors_under(html, field):
    """The errors z3c.form shows in ``field``'s block, in page order."""
    block = field_block(html, field)
    marker = '<div class="invalid-feedback">'
    return [part.split("</div>", 1)[0].strip() for part in block.split(marker)[1:]]


class FormTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Tuesday 2 Jun 2026 in Madrid: expedientes are numbered 2026/…
        base.travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(self.portal)
        self.procedimiento = base.create_procedimiento(
            self.portal, self.unidad, publish=True
        )
        transaction.commit()
        self.browser = Browser(self.layer["app"])
        self.browser.handleErrors = False
        self.browser.addHeader(
            "Authorization", f"Basic {SITE_OWNER_NAME}:{SITE_OWNER_PASSWORD}"
        )
        self.browser.addHeader("Accept-Language", "en")

    def count(self, portal_type):
        transaction.begin()
        return len(api.content.find(portal_type=portal_type))

    def submit_expediente(self, rows, procedimiento=None):
        """Fill ++add++Expediente as a browser would after adding ``rows`` to
        the interested parties' grid (done by JavaScript, so posted here)."""
        procedimiento = procedimiento or self.procedimiento
        add_url = f"{self.unidad.absolute_url()}/++add++Expediente"
        self.browser.open(add_url)
        data = [
            ("_authenticator", self.browser.getControl(name="_authenticator").value),
            ("form.widgets.IBasic.title", "Obra menor al carrer Major"),
            ("form.widgets.IBasic.description", ""),
            ("form.widgets.procedimiento:list", procedimiento.UID()),
            ("form.widgets.procedimiento-empty-marker", "1"),
            ("form.widgets.interesados.count", str(len(rows))),
        ]
        for position, row in enumerate(rows):
            prefix = f"form.widgets.interesados.{position}.widgets."
            data += [
                (prefix + "identifier_type:list", row["identifier_type"]),
                (prefix + "identifier_type-empty-marker", "1"),
                (prefix + "identifier", row["identifier"]),
                (prefix + "name", row["name"]),
                (prefix + "representative", ""),
                (prefix + "notification_channel:list", "electronica"),
                (prefix + "notification_channel-empty-marker", "1"),
                (prefix + "email", ""),
                (f"form.widgets.interesados.{position}-empty-marker", "1"),
            ]
        data.append(("form.buttons.save", "Save"))
        self.browser.post(add_url, urlencode(data))


class TestExpedienteAddForm(FormTestCase):
    def test_an_invalid_nif_is_shown_under_the_field(self):
        self.submit_expediente(
            [base.interesado(), base.interesado(identifier="87654321A")]
        )
        self.assertIn("++add++Expediente", self.browser.url)
        self.assertEqual(
            errors_under(self.browser.contents, "interesados"),
            ["Interested party 2: The NIF check letter is wrong: expected X."],
        )
        self.assertEqual(errors_under(self.browser.contents, "procedimiento"), [])
        self.assertEqual(self.count("Expediente"), 0)
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 0)

    def test_a_valid_expediente(self):
        self.submit_expediente(
            [base.interesado(identifier="x-1234567-l", identifier_type="NIE")]
        )
        self.assertNotIn("++add++", self.browser.url)
        self.assertEqual(self.count("Expediente"), 1)
        (brain,) = api.content.find(portal_type="Expediente")
        self.assertTrue(self.browser.url.startswith(brain.getURL()), self.browser.url)
        expediente = brain.getObject()
        self.assertEqual(expediente.fecha_apertura.date(), date(2026, 6, 2))
        self.assertEqual(expediente.numero, "2026/000001")
        self.assertEqual(expediente.interesados[0]["identifier"], "X1234567L")
        self.assertEqual(expediente.clasificacion, base.VALID_SIA)
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 1)
        # The expediente's page shows its number.
        self.assertIn(expediente.numero, self.browser.contents)

    def test_only_a_published_procedure_of_the_unit(self):
        cases = base.procedures_that_take_no_expedientes(self.portal, self.unidad)
        transaction.commit()
        for procedimiento, words in cases:
            with self.subTest(procedure=procedimiento.getId()):
                self.submit_expediente([base.interesado()], procedimiento)
                self.assertIn("++add++Expediente", self.browser.url)
                (error,) = errors_under(self.browser.contents, "procedimiento")
                self.assertIn(words, error)
        self.assertEqual(self.count("Expediente"), 0)
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 0)


class TestExpedienteEditForm(FormTestCase):
    def setUp(self):
        super().setUp()
        self.expediente = base.create_expediente(self.unidad, self.procedimiento)
        transaction.commit()
        self.browser.open(f"{self.expediente.absolute_url()}/@@edit")

    def test_computed_fields_are_not_editable(self):
        for name in ("numero", "eni_identifier", "fecha_limite"):
            with self.subTest(name), self.assertRaises(LookupError):
                self.browser.getControl(name=f"form.widgets.{name}")

    def test_an_invalid_nif_is_refused(self):
        identifier = "form.widgets.interesados.0.widgets.identifier"
        self.browser.getControl(name=identifier).value = "87654321A"
        self.browser.getControl(name="form.buttons.save").click()
        # The grid's hidden template row (submitted by the browser too) shows
        # its own empty cells' errors; the field's error comes after it.
        self.assertEqual(
            errors_under(self.browser.contents, "interesados")[-1],
            "Interested party 1: The NIF check letter is wrong: expected X.",
        )
        transaction.begin()
        self.assertEqual(self.expediente.interesados[0]["identifier"], base.VALID_NIF)

        self.browser.getControl(name=identifier).value = "87.654.321-x"
        self.browser.getControl(name="form.buttons.save").click()
        self.assertIn("Changes saved", self.browser.contents)
        transaction.begin()
        self.assertEqual(self.expediente.interesados[0]["identifier"], "87654321X")
        (brain,) = api.content.find(interesados_ids="87654321X")
        self.assertEqual(brain.UID, self.expediente.UID())


class TestOtherAddForms(FormTestCase):
    def test_unidad_with_an_invalid_dir3_code(self):
        self.browser.open(f"{self.portal.absolute_url()}/unidades/++add++Unidad")
        self.browser.getControl(name="form.widgets.IBasic.title").value = "Cultura"
        self.browser.getControl(name="form.widgets.dir3_code").value = "L01251208"
        self.browser.getControl(name="form.buttons.save").click()
        self.assertEqual(
            errors_under(self.browser.contents, "dir3_code"),
            ["The DIR3 code's INE control digit is wrong: expected 7."],
        )
        self.assertEqual(self.count("Unidad"), 1)
        self.assertIsNone(api.group.get(groupname="cultura-tramitadores"))

        self.browser.getControl(name="form.widgets.dir3_code").value = "LA0054321"
        self.browser.getControl(name="form.buttons.save").click()
        self.assertEqual(self.count("Unidad"), 2)
        self.assertIsNotNone(api.group.get(groupname="cultura-tramitadores"))

    def test_procedimiento_with_an_invalid_sia_code(self):
        self.browser.open(f"{self.portal.absolute_url()}/tramites/++add++Procedimiento")
        self.browser.getControl(name="form.widgets.IBasic.title").value = "Gual"
        self.browser.getControl(name="form.widgets.sia_code").value = "123456789"
        self.browser.getControl(name="form.widgets.responsible_unit:list").value = [
            self.unidad.UID()
        ]
        self.browser.getControl(name="form.buttons.save").click()
        self.assertEqual(
            errors_under(self.browser.contents, "sia_code"),
            ["The SIA code must have at most 8 digits; this one has 9."],
        )
        self.assertEqual(self.count("Procedimiento"), 1)

    def test_documento(self):
        expediente = base.create_expediente(self.unidad, self.procedimiento)
        transaction.commit()
        self.browser.open(f"{expediente.absolute_url()}/++add++Documento")
        data = base.pdf_bytes("Informe de la unitat")
        self.browser.getControl(name="form.widgets.IBasic.title").value = "Informe"
        self.browser.getControl(name="form.widgets.file").add_file(
            data, "application/pdf", "informe.pdf"
        )
        self.browser.getControl(name="form.widgets.tipo_documental:list").value = [
            "TD13"
        ]
        self.browser.getControl(name="form.widgets.estado_elaboracion:list").value = [
            "EE02"
        ]
        self.browser.getControl(name="form.buttons.save").click()
        # A copy must name its original: an invariant, shown above the fields.
        self.assertIn(
            "Identifier of the original: a copy (EE02, EE03, EE04) must give the "
            "ENI identifier of the document it copies.",
            unescape(self.browser.contents),
        )
        self.assertEqual(self.count("Documento"), 0)

        self.browser.getControl(
            name="form.widgets.id_documento_origen"
        ).value = "ES_L01251207_2024_REG000123"
        self.browser.getControl(name="form.widgets.file").add_file(
            data, "application/pdf", "informe.pdf"
        )
        self.browser.getControl(name="form.buttons.save").click()
        self.assertEqual(self.count("Documento"), 1)
        (brain,) = api.content.find(portal_type="Documento")
        self.assertEqual(brain.huella, hashlib.sha256(data).hexdigest())
        self.assertEqual(brain.orden, 1)
        self.assertEqual(brain.tipo_documental, "TD13")
