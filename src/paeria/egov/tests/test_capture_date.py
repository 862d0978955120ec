"""A document's capture date (ENI FechaCaptura) is stored once, when it enters
the portal, and never changes: not at the next read, not with an edit, not
by a client's PATCH (issue 18)."""

from datetime import datetime
from lxml import etree
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.eni.bridge import export_documento
from paeria.egov.eni.schemas import qname
from paeria.egov.eni.xsd_values import parse_datetime
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent
import transaction
import unittest


ADDED = MADRID.localize(datetime(2026, 3, 2, 9, 15, 30))
LATER = "2026-03-20T12:00"
MUCH_LATER = "2026-06-01T08:00"


def exported_capture_date(documento):
    root = etree.fromstring(export_documento(documento))
    text = root.findtext(f".//{qname('enidocmeta', 'FechaCaptura')}")
    return parse_datetime(text, MADRID)


class TestCaptureDateInPython(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        unidad = base.create_unidad(self.portal)
        procedimiento = base.create_procedimiento(self.portal, unidad)
        self.expediente = base.create_expediente(unidad, procedimiento)
        with clock.travel(ADDED, tick=False):
            # No fecha_captura given, as a REST client or the demo data add it.
            self.documento = base.create_documento(self.expediente)

    def test_stored_when_added_and_fixed_across_reads(self):
        self.assertEqual(self.documento.__dict__["fecha_captura"], ADDED)
        with clock.travel(LATER):
            first = self.documento.fecha_captura
        with clock.travel(MUCH_LATER):
            second = self.documento.fecha_captura
        self.assertEqual(first, ADDED)
        self.assertEqual(second, ADDED)

    def test_an_edit_leaves_it(self):
        with clock.travel(LATER):
            self.documento.title = "Solicitud corregida"
            self.documento.file = base.named_file(base.pdf_bytes("Otra"))
            notify(ObjectModifiedEvent(self.documento))
        self.assertEqual(self.documento.fecha_captura, ADDED)

    def test_the_eni_export_says_it(self):
        with clock.travel(MUCH_LATER):
            self.assertEqual(exported_capture_date(self.documento), ADDED)

    def test_a_door_that_knows_it_gives_it(self):
        captured = MADRID.localize(datetime(2025, 11, 3, 10, 0, 0))
        documento = base.create_documento(
            self.expediente, title="Escaneado", fecha_captura=captured
        )
        self.assertEqual(documento.fecha_captura, captured)
        self.assertEqual(exported_capture_date(documento), captured)


class TestCaptureDateOverRest(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        unidad = base.create_unidad(self.portal)
        procedimiento = base.create_procedimiento(self.portal, unidad)
        self.expediente = base.create_expediente(unidad, procedimiento)
        transaction.commit()
        self.api = self.session("admin")

    def add_document(self):
        with clock.travel(ADDED, tick=False):
            response = self.api.post(
                self.expediente.absolute_url(),
                json={
                    "@type": "Documento",
                    "title": "Solicitud",
                    "tipo_documental": "TD14",
                    "file": {
                        "data": base.pdf_bytes().decode("latin-1"),
                        "encoding": "latin-1",
                        "filename": "solicitud.pdf",
                        "content-type": "application/pdf",
                    },
                },
            )
        self.assertEqual(response.status_code, 201, response.text[:500])
        return response.json()["@id"]

    def read(self, url, instant):
        with clock.travel(instant):
            response = self.api.get(url)
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.json()["fecha_captura"]

    def test_fixed_across_reads_at_different_instants(self):
        url = self.add_document()
        first = self.read(url, LATER)
        second = self.read(url, MUCH_LATER)
        self.assertEqual(first, second)
        self.assertEqual(datetime.fromisoformat(first), ADDED)

    def test_a_patch_cannot_change_it(self):
        url = self.add_document()
        stored = self.read(url, LATER)
        response = self.api.patch(url, json={"fecha_captura": "2020-01-01T10:00:00"})
        self.assertEqual(response.status_code, 400, response.text[:500])
        # plone.restapi's deserializer refuses it, naming the field.
        self.assertIn("fecha_captura", response.text)
        self.assertIn("cannot be changed", response.text)
        self.assertEqual(self.read(url, MUCH_LATER), stored)

    def test_an_edit_sending_it_back_unchanged_is_accepted(self):
        url = self.add_document()
        stored = self.read(url, LATER)
        with clock.travel(MUCH_LATER):
            response = self.api.patch(
                url, json={"title": "Corregida", "fecha_captura": stored}
            )
        self.assertEqual(response.status_code, 204, response.text[:500])
        self.assertEqual(self.read(url, MUCH_LATER), stored)
