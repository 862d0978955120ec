"""The workflows over HTTP: plone.restapi's @workflow as the unit's staff, a
refused transition answered 400 with its readable violation and nothing
changed, records that nobody (Manager included) modifies or deletes, another
unit's staff kept out, and the Classic UI showing a refusal as a message."""

from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.protect.authenticator import createToken
from urllib.parse import unquote
import transaction
import unittest


DENIED = (401, 403, 404)


class WorkflowHTTPTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)

    def state(self, obj):
        return api.content.get_state(obj)

    def transition(self, session, obj, transition, **body):
        return session.post(f"{obj.absolute_url()}/@workflow/{transition}", json=body)


class TestTransitionsAsStaff(WorkflowHTTPTestCase):
    def test_tramitador_and_responsable_take_an_expediente_to_resolution(self):
        expediente = self.fixture.expediente("iniciado")
        resolucion = self.fixture.documento(expediente, tipo_documental="TD01")
        transaction.commit()
        tramitador = self.session("tramitador")
        responsable = self.session("responsable")
        steps = (
            (tramitador, expediente, "tramitar", "en_tramitacion"),
            (tramitador, resolucion, "enviar_firma", "pendiente_firma"),
            (responsable, resolucion, "firmar", "firmado"),
            (responsable, expediente, "resolver", "resuelto"),
            (responsable, expediente, "cerrar", "cerrado"),
        )
        for session, obj, transition, state in steps:
            with self.subTest(transition=transition):
                response = self.transition(session, obj, transition)
                self.assertEqual(response.status_code, 200, response.text)
                self.assertEqual(response.json()["review_state"], state)
        self.refresh()
        self.assertEqual(self.state(expediente), "cerrado")
        self.assertEqual(expediente.eni_state, "E02")
        (record,) = resolucion.signatures
        self.assertEqual(record.signer_id, "responsable")
        self.assertEqual(record.csv_value, resolucion.csv)
        # The catalog follows: the ENI state is searchable.
        body = responsable.get(
            "@search", params={"eni_state": "E02", "metadata_fields": "eni_state"}
        ).json()
        self.assertEqual(
            [item["@id"] for item in body["items"]], [expediente.absolute_url()]
        )

    def test_transitions_beyond_the_role_are_refused(self):
        documento = self.fixture.documento(state="pendiente_firma")
        expediente = documento.aq_parent
        transaction.commit()
        tramitador = self.session("tramitador")
        admin = self.session("admin")
        for session, obj, transition in (
            (tramitador, documento, "firmar"),
            (admin, documento, "firmar"),  # signing is personal: no administrator
            (tramitador, expediente, "resolver"),
        ):
            with self.subTest(transition=transition):
                response = self.transition(session, obj, transition)
                # A transition the user's roles do not grant is forbidden
                # (services/workflow.py; stock plone.restapi says 400).
                self.assertEqual(response.status_code, 403, response.text)
                self.assertEqual(response.json()["error"]["type"], "Forbidden")
        self.refresh()
        self.assertEqual(self.state(documento), "pendiente_firma")
        self.assertEqual(self.state(expediente), "en_tramitacion")


class TestRefusedTransitions(WorkflowHTTPTestCase):
    def snapshot(self, obj):
        self.refresh()
        return (
            self.state(obj),
            len(
                obj.workflow_history[
                    api.portal.get_tool("portal_workflow").getChainFor(obj)[0]
                ]
            ),
            obj.modified(),
            obj.EffectiveDate(),
            obj._p_serial,
        )

    def test_resolver_without_signed_resolution(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        before = self.snapshot(expediente)
        response = self.transition(self.session("responsable"), expediente, "resolver")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "error": {
                    "type": "Bad Request",
                    "message": "The expediente cannot be resolved without a signed "
                    "resolution document (document type TD01).",
                }
            },
        )
        # Nothing committed: not even the effective date plone.restapi stamps
        # before transitioning.
        self.assertEqual(self.snapshot(expediente), before)

    def test_reabrir_needs_a_comment(self):
        expediente = self.fixture.expediente("cerrado")
        transaction.commit()
        responsable = self.session("responsable")
        before = self.snapshot(expediente)
        response = self.transition(responsable, expediente, "reabrir", comment=" ")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["error"]["message"],
            "Reopening a closed expediente needs a comment saying why.",
        )
        self.assertEqual(self.snapshot(expediente), before)
        response = self.transition(
            responsable, expediente, "reabrir", comment="Recurs estimat"
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.refresh()
        self.assertEqual(self.state(expediente), "en_tramitacion")
        self.assertEqual(
            expediente.workflow_history["paeria_expediente_workflow"][-1]["comments"],
            "Recurs estimat",
        )

    def test_messages_in_the_users_language(self):
        expediente = self.fixture.expediente("cerrado")
        transaction.commit()
        session = self.session("responsable")
        session.headers["Accept-Language"] = "es"
        response = self.transition(session, expediente, "reabrir")
        self.assertEqual(response.status_code, 400)
        # Translated when the catalogue has it; the msgid's default otherwise.
        self.assertTrue(response.json()["error"]["message"])
        self.assertNotIn("error_reabrir_without_comment", response.text)


class TestRecordsOverHTTP(WorkflowHTTPTestCase):
    """Signed documents and closed expedientes: read-only for the site owner
    (Manager) too."""

    def test_signed_document(self):
        documento = self.fixture.documento(state="firmado")
        other = self.fixture.expediente("en_tramitacion", title="Un altre")
        transaction.commit()
        admin = self.session("admin")
        url = documento.absolute_url()
        self.assertEqual(admin.get(url).status_code, 200)
        for method, kwargs in (
            ("patch", {"json": {"title": "Canviat"}}),
            ("delete", {}),
        ):
            with self.subTest(method=method):
                response = getattr(admin, method)(url, **kwargs)
                self.assertIn(response.status_code, (401, 403), response.text)
        # Moving it reaches the object (the Manager may move out of the
        # expediente): refused there, with a readable 403.
        response = admin.post(f"{other.absolute_url()}/@move", json={"source": url})
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(response.json()["error"]["type"], "Forbidden")
        self.assertEqual(
            response.json()["error"]["message"],
            "The document “Document firmado” is a record (signed, incorporated or "
            "annulled): it cannot be moved or renamed.",
        )
        self.refresh()
        self.assertEqual(documento.Title(), "Document firmado")
        self.assertIn(documento.getId(), documento.aq_parent)
        self.assertEqual(list(other.objectIds()), [])

    def test_closed_expediente(self):
        expediente = self.fixture.expediente("cerrado")
        transaction.commit()
        admin = self.session("admin")
        url = expediente.absolute_url()
        response = admin.patch(url, json={"title": "Canviat"})
        self.assertIn(response.status_code, (401, 403), response.text)
        response = admin.post(
            url,
            json={
                "@type": "Documento",
                "title": "Tard",
                "tipo_documental": "TD14",
                "file": {
                    "data": "JVBERi0xLjQK",
                    "encoding": "base64",
                    "filename": "tard.pdf",
                    "content-type": "application/pdf",
                },
            },
        )
        self.assertIn(response.status_code, (401, 403), response.text)
        self.assertIn(admin.delete(url).status_code, (401, 403))
        self.refresh()
        self.assertEqual(expediente.Title(), "Expedient cerrado")
        self.assertEqual(len(expediente.objectIds()), 1)
        self.assertIn(expediente.getId(), self.fixture.unidad)


class TestOtherUnit(WorkflowHTTPTestCase):
    def test_staff_of_another_unit_see_and_do_nothing(self):
        expediente = self.fixture.expediente("en_tramitacion")
        documento = self.fixture.documento(expediente, "firmado")
        transaction.commit()
        outsider = self.session("tramitador_otra")
        for obj in (expediente, documento):
            with self.subTest(obj=obj.portal_type):
                self.assertIn(outsider.get(obj.absolute_url()).status_code, DENIED)
        response = self.transition(outsider, expediente, "requerir_subsanacion")
        self.assertIn(response.status_code, DENIED)
        body = outsider.get("@search", params={"portal_type": "Expediente"}).json()
        self.assertEqual(body["items_total"], 0)
        self.refresh()
        self.assertEqual(self.state(expediente), "en_tramitacion")
        # While the unit's own staff see it.
        body = (
            self.session("tramitador")
            .get("@search", params={"portal_type": "Expediente"})
            .json()
        )
        self.assertEqual(body["items_total"], 1)


class TestClassicUI(WorkflowHTTPTestCase):
    def test_refusal_shown_as_a_message_on_the_object(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        with api.env.adopt_user(username="responsable"):
            token = createToken()
        session = self.session("responsable")
        session.headers["Accept"] = "text/html"
        response = session.get(
            f"{expediente.absolute_url()}/content_status_modify",
            params={"workflow_action": "resolver", "_authenticator": token},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302, response.text[:500])
        self.assertEqual(response.headers["Location"], expediente.absolute_url())
        cookie = unquote(response.cookies.get("statusmessages", ""))
        self.assertTrue(cookie)
        page = session.get(expediente.absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(
            "The expediente cannot be resolved without a signed resolution document",
            page.text,
        )
        self.refresh()
        self.assertEqual(self.state(expediente), "en_tramitacion")

    def test_state_menu_offers_only_the_users_transitions(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        url = expediente.absolute_url()
        offered = {}
        for user_id in ("tramitador", "responsable", "auditor"):
            session = self.session(user_id)
            session.headers["Accept"] = "text/html"
            page = session.get(url)
            self.assertEqual(page.status_code, 200)
            offered[user_id] = {
                transition
                for transition in ("requerir_subsanacion", "resolver", "cerrar")
                if f"workflow_action={transition}" in page.text
            }
        self.assertEqual(offered["tramitador"], {"requerir_subsanacion"})
        self.assertEqual(offered["responsable"], {"requerir_subsanacion", "resolver"})
        self.assertEqual(offered["auditor"], set())
