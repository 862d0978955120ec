"""The REST toolkit (restapi/service.py): every custom endpoint is registered
for the add-on's layer, and every refusal answers the one error body
(docs/rest.md, "Errors")::

    {"error": {"type": "…", "message": "…", "fields": {"<field>": "…"}}}
"""

from lxml import etree
from paeria.egov.registro.register import register_entry
from paeria.egov.restapi.service import error_body
from paeria.egov.restapi.service import Refused
from paeria.egov.restapi.service import Service
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.uuid.interfaces import IUUID
from zope.i18nmessageid import MessageFactory
from zope.publisher.browser import TestRequest
import pathlib
import transaction
import unittest


PACKAGE = pathlib.Path(__file__).resolve().parents[1]
PLONE_SERVICE = "{http://namespaces.plone.org/plone}service"
LAYER = "paeria.egov.interfaces.IPaeriaEgovLayer"
_ = MessageFactory("paeria.egov")


def service_registrations():
    """(zcml file, factory, layer) of every plone:service of the package."""
    for path in sorted(PACKAGE.rglob("*.zcml")):
        for element in etree.parse(str(path)).iter(PLONE_SERVICE):
            yield (
                path.relative_to(PACKAGE),
                element.get("factory"),
                element.get("layer"),
            )


class TestServiceRegistrations(unittest.TestCase):
    def test_every_service_is_registered_for_the_layer(self):
        registrations = list(service_registrations())
        self.assertGreater(len(registrations), 20)
        for path, factory, layer in registrations:
            with self.subTest(zcml=str(path), factory=factory):
                self.assertEqual(layer, LAYER)


class TestErrorBody(unittest.TestCase):
    def test_message_and_fields_translated_fields_sorted(self):
        request = TestRequest()
        body = error_body(
            request,
            "BadRequest",
            _("x", default="Refused: ${what}.", mapping={"what": "b, a"}),
            {"b": _("y", default="Bad b."), "a": "Bad a."},
        )
        self.assertEqual(
            body,
            {
                "error": {
                    "type": "BadRequest",
                    "message": "Refused: b, a.",
                    "fields": {"a": "Bad a.", "b": "Bad b."},
                }
            },
        )
        self.assertEqual(list(body["error"]["fields"]), ["a", "b"])

    def test_no_fields_no_member(self):
        body = error_body(TestRequest(), "NotFound", "Nothing here.")
        self.assertEqual(
            body, {"error": {"type": "NotFound", "message": "Nothing here."}}
        )

    def test_a_refusal_raised_in_reply_is_rendered(self):
        class Refusing(Service):
            def check_permission(self):
                pass

            def reply(self):
                raise Refused(409, "Conflict", "Taken.", {"id": "Taken."})

        request = TestRequest()
        service = Refusing()  # plone.rest's factory sets both
        service.context, service.request = None, request
        text = service.render()
        self.assertEqual(request.response.getStatus(), 409)
        self.assertIn('"fields": {\n      "id": "Taken."', text)


class TestEveryEndpointRefusesInOneShape(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING
    maxDiff = None

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        fixture = self.fixture = WorkflowFixture(self.portal)
        self.expediente = fixture.expediente("en_tramitacion")
        self.documento = fixture.documento(self.expediente, "firmado")
        self.subsanacion = fixture.expediente("subsanacion", title="Subsanació")
        self.solicitud = fixture.solicitud(self.expediente)
        self.other = fixture.expediente("en_tramitacion", title="Altre")
        self.asiento = self.register()
        transaction.commit()
        self.entries = sorted(self.portal["registro"].objectIds())

    def register(self):
        return register_entry(
            {
                "canal": "telematico",
                "interesado_identifier": base.VALID_NIF,
                "interesado_name": "Maria Puig i Soler",
                "resumen": "Sol·licitud",
                "unidad_destino": IUUID(self.fixture.unidad),
                "procedimiento": IUUID(self.fixture.procedimiento),
            },
            files=[
                {
                    "data": base.pdf_bytes("Plano"),
                    "filename": "plano.pdf",
                    "content_type": "application/pdf",
                }
            ],
        )

    def refusals(self):
        """(name, user, method, address, request arguments, status, whether
        the refusal names fields)."""
        expediente = self.expediente.absolute_url()
        workflow = "paeria_documento_workflow"
        return (
            (
                "@registrar",
                "admin",
                "post",
                "registro/@registrar",
                {"data": b"[]"},
                400,
                True,
            ),
            (
                "@libro-registro",
                "admin",
                "get",
                "registro/@libro-registro",
                {"params": {"b_size": "many"}},
                400,
                True,
            ),
            (
                "@abrir-expediente",
                "admin",
                "post",
                f"{self.asiento.absolute_url()}/@abrir-expediente",
                {"json": {}},
                400,
                False,
            ),
            (
                "@notificar",
                "tramitador",
                "post",
                f"{expediente}/@notificar",
                {"json": {"documento": "nope"}},
                400,
                True,
            ),
            (
                "@notificar not an object",
                "tramitador",
                "post",
                f"{expediente}/@notificar",
                {"data": b"[]"},
                400,
                False,
            ),
            (
                "@asignar not staff",
                "responsable",
                "post",
                f"{expediente}/@asignar",
                {"json": {"tramitador": "tramitador_otra"}},
                400,
                True,
            ),
            (
                "@asignar not responsable",
                "tramitador",
                "post",
                f"{expediente}/@asignar",
                {"json": {"tramitador": "tramitador"}},
                403,
                False,
            ),
            (
                "@emitir",
                "colaborador",
                "post",
                f"{self.solicitud.absolute_url()}/@emitir",
                {"json": {}},
                400,
                True,
            ),
            (
                "@eni-import",
                "admin",
                "post",
                f"{self.fixture.unidad.absolute_url()}/@eni-import",
                {"json": {"file": 1}},
                400,
                True,
            ),
            (
                "@eni-import refused file",
                "admin",
                "post",
                f"{self.fixture.unidad.absolute_url()}/@eni-import",
                {"data": b"<x/>", "headers": {"Content-Type": "application/xml"}},
                400,
                True,
            ),
            (
                "@eni",
                "admin",
                "get",
                f"{expediente}/@eni",
                {"params": {"format": "pdf"}},
                400,
                False,
            ),
            (
                "@journal",
                "admin",
                "get",
                "@journal",
                {"params": {"from": "yesterday"}},
                400,
                True,
            ),
            (
                "@paeria-workflows",
                "admin",
                "patch",
                f"@paeria-workflows/{workflow}",
                {"data": b"[]"},
                400,
                True,
            ),
            (
                "@iniciar",
                "interesado",
                "post",
                f"{self.fixture.procedimiento.absolute_url()}/@iniciar",
                {"json": {"interesado_name": "X"}},
                400,
                True,
            ),
            (
                "@instancia-generica",
                "interesado",
                "post",
                "tramites/@instancia-generica",
                {"json": {"numero": "1"}},
                400,
                True,
            ),
            (
                "@aportar",
                "interesado",
                "post",
                f"{self.subsanacion.absolute_url()}/@aportar",
                {"json": {"files": "x"}},
                400,
                True,
            ),
            (
                "@aportar not waiting",
                "interesado",
                "post",
                f"{expediente}/@aportar",
                {"json": {}},
                403,
                False,
            ),
            (
                "@search",
                "admin",
                "get",
                "@search",
                {"params": {"b_size": "x"}},
                400,
                True,
            ),
            (
                "@workflow",
                "admin",
                "post",
                f"{expediente}/@workflow/bailar",
                {"json": {}},
                400,
                False,
            ),
            (
                "@copy",
                "admin",
                "post",
                "unidades/@copy",
                {"json": {"source": self.documento.absolute_url()}},
                400,
                False,
            ),
            (
                "@move of a record",
                "admin",
                "post",
                f"{self.other.absolute_url()}/@move",
                {"json": {"source": self.documento.absolute_url()}},
                403,
                False,
            ),
            (
                "@verificar",
                "admin",
                "get",
                "@verificar",
                {"params": {"csv": "NOPE"}},
                404,
                False,
            ),
            (
                "@firmar",
                "admin",
                "post",
                "@firmar",
                {"json": {"documents": "not a list", "pin": "x"}},
                400,
                True,
            ),
        )

    def assertOneShape(self, response, with_fields):
        body = response.json()
        self.assertEqual(list(body), ["error"], body)
        error = body["error"]
        self.assertIn(set(error), ({"type", "message"}, {"type", "message", "fields"}))
        self.assertIsInstance(error["type"], str)
        self.assertIsInstance(error["message"], str)
        self.assertTrue(error["message"].strip())
        self.assertEqual("fields" in error, with_fields, error)
        for name, message in error.get("fields", {}).items():
            self.assertIsInstance(name, str)
            self.assertIsInstance(message, str)
            self.assertTrue(message.strip())

    def test_every_refusal_has_the_one_shape(self):
        for name, user, method, url, kwargs, status, fields in self.refusals():
            with self.subTest(name):
                session = self.session(user)
                if "data" in kwargs and "headers" not in kwargs:
                    kwargs = kwargs | {"headers": {"Content-Type": "application/json"}}
                response = getattr(session, method)(url, **kwargs)
                self.assertEqual(response.status_code, status, response.text[:500])
                self.assertOneShape(response, fields)
        self.refresh()
        self.assertEqual(sorted(self.portal["registro"].objectIds()), self.entries)
        self.assertEqual(api.content.get_state(self.documento), "firmado")
