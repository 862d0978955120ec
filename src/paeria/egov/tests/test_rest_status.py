"""The status codes of plone.restapi's @workflow, @copy and @move on this site
(services/workflow.py, services/copymove.py): a transition the user's role
lacks is a 403 (401 anonymous) with a readable message, one that does not leave
the object's state a 400, a business-rule refusal stays a 400 with its
violations; a register entry refused a move or copy is a readable 403, not a
500. Nothing changes in any refused request."""

from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.uuid.interfaces import IUUID
import base64
import transaction
import unittest


class RestStatusTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.sessions = []

    def tearDown(self):
        for session in self.sessions:
            session.close()

    def session(self, user_id=None):
        if user_id == "admin":
            session = base.api_session(self.portal_url)
        else:
            session = base.api_session(self.portal_url, user_id, PASSWORD)
        if user_id is None:
            session.auth = None
        self.sessions.append(session)
        return session

    def snapshot(self, obj):
        """What a refused request must leave as it was."""
        transaction.begin()
        return (
            api.content.get_state(obj, default=None),
            obj.modified(),
            obj.EffectiveDate(),
            obj._p_serial,
            tuple(obj.objectIds()) if hasattr(obj, "objectIds") else (),
        )


class TestWorkflowStatus(RestStatusTestCase):
    def transition(self, session, obj, transition, **body):
        return session.post(f"{obj.absolute_url()}/@workflow/{transition}", json=body)

    def test_role_lacking_the_transition_is_403(self):
        documento = self.fixture.documento(state="pendiente_firma")
        expediente = documento.aq_parent
        transaction.commit()
        cases = (
            ("tramitador", documento, "firmar", "Sign"),
            # Signing is personal: not even the site owner signs.
            ("admin", documento, "firmar", "Sign"),
            ("tramitador", expediente, "resolver", "Resolve"),
            ("auditor", expediente, "requerir_subsanacion", None),
        )
        for user_id, obj, transition, title in cases:
            with self.subTest(user=user_id, transition=transition):
                before = self.snapshot(obj)
                response = self.transition(self.session(user_id), obj, transition)
                self.assertEqual(response.status_code, 403, response.text)
                error = response.json()["error"]
                self.assertEqual(error["type"], "Forbidden")
                self.assertTrue(
                    error["message"].startswith(
                        "You are not allowed to take the transition “"
                    ),
                    error["message"],
                )
                self.assertIn(f"” on “{obj.Title()}”.", error["message"])
                if title is not None:
                    self.assertIn(f"“{title}", error["message"])
                self.assertEqual(self.snapshot(obj), before)

    def test_anonymous_is_401(self):
        # A published procedure is public: anonymous reaches its @workflow.
        procedimiento = self.fixture.procedimiento
        transaction.commit()
        before = self.snapshot(procedimiento)
        response = self.transition(self.session(), procedimiento, "retirar")
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json()["error"]["type"], "Unauthorized")
        self.assertIn("You are not allowed", response.json()["error"]["message"])
        self.assertEqual(self.snapshot(procedimiento), before)

    def test_transition_not_from_this_state_is_400(self):
        expediente = self.fixture.expediente("iniciado")
        transaction.commit()
        before = self.snapshot(expediente)
        response = self.transition(self.session("responsable"), expediente, "cerrar")
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(
            response.json()["error"],
            {
                "type": "WorkflowException",
                "message": "The transition “Close” cannot be taken from the state "
                "“Started”.",
            },
        )
        response = self.transition(self.session("responsable"), expediente, "volar")
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(
            response.json()["error"]["message"],
            "There is no transition “volar” in the workflow of “Expedient iniciado”.",
        )
        self.assertEqual(self.snapshot(expediente), before)

    def test_business_rule_refusal_stays_400(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        before = self.snapshot(expediente)
        response = self.transition(self.session("responsable"), expediente, "resolver")
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(response.json()["error"]["type"], "Bad Request")
        self.assertIn("signed resolution document", response.json()["error"]["message"])
        self.assertEqual(self.snapshot(expediente), before)

    def test_permitted_transition_still_answers_200(self):
        expediente = self.fixture.expediente("iniciado")
        transaction.commit()
        response = self.transition(self.session("tramitador"), expediente, "tramitar")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["review_state"], "en_tramitacion")
        transaction.begin()
        self.assertEqual(api.content.get_state(expediente), "en_tramitacion")

    def test_messages_in_the_users_language(self):
        documento = self.fixture.documento(state="pendiente_firma")
        transaction.commit()
        session = self.session("tramitador")
        session.headers["Accept-Language"] = "es"
        response = self.transition(session, documento, "firmar")
        self.assertEqual(response.status_code, 403)
        message = response.json()["error"]["message"]
        self.assertTrue(message)
        self.assertNotIn("error_transition_not_permitted", message)
        self.assertNotIn("${", message)


class TestCopyMoveStatus(RestStatusTestCase):
    def register_entry(self):
        transaction.commit()
        pdf = base64.b64encode(base.pdf_bytes("Solicitud")).decode("ascii")
        response = self.session("admin").post(
            "/registro/@registrar",
            json={
                "canal": "telematico",
                "interesado_identifier_type": "NIF",
                "interesado_identifier": base.VALID_NIF,
                "interesado_name": "Maria Puig i Soler",
                "resumen": "Sol·licitud de llicència",
                "unidad_destino": IUUID(self.fixture.unidad),
                "procedimiento": IUUID(self.fixture.procedimiento),
                "files": [
                    {
                        "data": pdf,
                        "encoding": "base64",
                        "filename": "solicitud.pdf",
                        "content-type": "application/pdf",
                        "tipo_documental": "TD14",
                    }
                ],
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        transaction.begin()
        return api.content.get(
            path="/registro/" + response.json()["@id"].rsplit("/")[-1]
        )

    def test_register_entry_refused_a_move_or_copy_is_403(self):
        asiento = self.register_entry()
        transaction.commit()
        registro = self.portal["registro"]
        unidad = self.fixture.unidad
        before = (
            self.snapshot(asiento),
            self.snapshot(registro),
            self.snapshot(unidad),
        )
        admin = self.session("admin")
        for service, verb in (("@move", "moved"), ("@copy", "copied")):
            with self.subTest(service=service):
                response = admin.post(
                    f"{unidad.absolute_url()}/{service}",
                    json={"source": asiento.absolute_url()},
                )
                self.assertEqual(response.status_code, 403, response.text)
                self.assertEqual(response.json()["error"]["type"], "Forbidden")
                self.assertTrue(
                    response.json()["error"]["message"].startswith(
                        f"“{asiento.Title()}” cannot be {verb}: you are not allowed"
                    ),
                    response.json()["error"]["message"],
                )
        self.assertEqual(
            (self.snapshot(asiento), self.snapshot(registro), self.snapshot(unidad)),
            before,
        )

    def test_no_permission_to_add_here_is_403_with_a_message(self):
        documento = self.fixture.documento(state="borrador")
        closed = self.fixture.expediente("cerrado")
        transaction.commit()
        before = (self.snapshot(documento.aq_parent), self.snapshot(closed))
        response = self.session("tramitador").post(
            f"{closed.absolute_url()}/@move",
            json={"source": documento.absolute_url()},
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(
            response.json()["error"]["message"],
            "You are not allowed to add content to “Expedient cerrado”.",
        )
        self.assertEqual(
            (self.snapshot(documento.aq_parent), self.snapshot(closed)), before
        )

    def test_paste_refused_by_the_container_is_400(self):
        # A unit holds expedientes, not documents.
        documento = self.fixture.documento(state="borrador")
        transaction.commit()
        unidad = self.fixture.unidad
        before = (self.snapshot(documento.aq_parent), self.snapshot(unidad))
        response = self.session("admin").post(
            f"{unidad.absolute_url()}/@move",
            json={"source": documento.absolute_url()},
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(
            response.json(),
            {
                "error": {
                    "type": "BadRequest",
                    "message": "“Urbanisme” does not hold content of the type "
                    "“Document”.",
                }
            },
        )
        self.assertEqual(
            (self.snapshot(documento.aq_parent), self.snapshot(unidad)), before
        )

    def test_staff_move_their_document_given_by_url(self):
        # plone.restapi traverses a source's URL with restrictedTraverse, which
        # needs View on /unidades, where the unit's staff hold no role: it
        # answered 200 and moved nothing.
        documento = self.fixture.documento(state="borrador")
        target = self.fixture.expediente("en_tramitacion", title="Destí")
        transaction.commit()
        response = self.session("tramitador").post(
            f"{target.absolute_url()}/@move",
            json={"source": documento.absolute_url()},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.json(),
            [
                {
                    "source": documento.absolute_url(),
                    "target": f"{target.absolute_url()}/{documento.getId()}",
                }
            ],
        )
        transaction.begin()
        self.assertEqual(list(target.objectIds()), [documento.getId()])


class TestSuspensionsInJson(unittest.TestCase):
    """An expediente in subsanación says in its JSON that its deadline is
    suspended, and since when (issue 21: only the citizen's folder did)."""

    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.fixture = WorkflowFixture(self.portal)

    def test_suspended_then_resumed(self):
        base.travel(self, "2026-06-02T10:00")
        expediente = self.fixture.expediente("subsanacion")
        transaction.commit()
        session = base.api_session(self.portal.absolute_url())
        body = session.get(expediente.absolute_url()).json()
        self.assertTrue(body["suspended"])
        self.assertEqual(body["suspensions"], [{"start": "2026-06-02", "end": None}])
        base.travel(self, "2026-06-09T10:00")
        self.fixture.transition(expediente, "subsanar")
        transaction.commit()
        body = session.get(expediente.absolute_url()).json()
        self.assertFalse(body["suspended"])
        self.assertEqual(
            body["suspensions"], [{"start": "2026-06-02", "end": "2026-06-09"}]
        )


class TestForbiddenSaysWhy(RestStatusTestCase):
    """Issue 21: a logged-in user refused gets a 403 saying why, never a 401
    (which reads "log in"); the anonymous, and wrong credentials, a 401."""

    def test_a_signed_document_cannot_be_changed(self):
        documento = self.fixture.documento(state="firmado")
        transaction.commit()
        before = self.snapshot(documento)
        for user_id in ("tramitador", "admin"):
            for method, body in (("patch", {"title": "Changed"}), ("delete", None)):
                with self.subTest(user=user_id, method=method):
                    response = getattr(self.session(user_id), method)(
                        documento.absolute_url(), json=body
                    )
                    self.assertEqual(response.status_code, 403, response.text)
                    self.assertEqual(response.json()["type"], "Forbidden")
                    self.assertIn("signed", response.json()["message"])
        self.assertEqual(self.snapshot(documento), before)

    def test_anonymous_and_wrong_credentials_are_401(self):
        documento = self.fixture.documento(state="firmado")
        transaction.commit()
        wrong = base.api_session(self.portal_url, "tramitador", "not-the-password")
        self.sessions.append(wrong)
        for session in (self.session(), wrong):
            response = session.patch(documento.absolute_url(), json={"title": "x"})
            self.assertEqual(response.status_code, 401, response.text)

    def test_in_the_users_language(self):
        documento = self.fixture.documento(state="firmado")
        transaction.commit()
        session = self.session("tramitador")
        session.headers["Accept-Language"] = "es"
        response = session.delete(documento.absolute_url())
        self.assertEqual(response.status_code, 403, response.text)
        self.assertIn("firmado", response.json()["message"])
