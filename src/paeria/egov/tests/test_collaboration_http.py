"""Collaboration between units over HTTP (plone.restapi): a Tramitador asks
another unit for a report; that unit's staff read the expediente and add their
report while the request is pending, and lose their access when it is issued
(``@emitir``, which incorporates the report) or cancelled; several units at
once; ``cerrar`` refused while a request is pending; the default deadline;
bad input. And the incorporation of the citizen's documents when a
subsanación ends, after which nobody modifies them."""

from datetime import date
from datetime import datetime
from datetime import UTC
from paeria.egov.clock import MADRID
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_restapi_content import errors_of
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.protect.authenticator import createToken
from plone.uuid.interfaces import IUUID
import ast
import base64
import transaction
import unittest


DENIED = (401, 403, 404)


def file_payload(text):
    return {
        "data": base64.b64encode(base.pdf_bytes(text)).decode("ascii"),
        "encoding": "base64",
        "filename": "informe.pdf",
        "content-type": "application/pdf",
    }


class CollaborationHTTPTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.cultura = self.fixture.otra_unidad
        # A third unit with its own case worker, to collaborate at once.
        self.hacienda = self.fixture.requested_unidad
        api.user.create(
            email="tramitador_hacienda@example.org",
            username="tramitador_hacienda",
            password=PASSWORD,
        )
        api.group.add_user(
            groupname=self.hacienda.tramitadores_group_id(),
            username="tramitador_hacienda",
        )

    def request_report(self, session, expediente, unidad, **payload):
        payload.setdefault("@type", "SolicitudInforme")
        payload.setdefault("unidad_solicitada", IUUID(unidad))
        payload.setdefault("asunto", "Compleix la normativa de patrimoni?")
        return session.post(expediente.absolute_url(), json=payload)

    def add_report(self, session, expediente, title="Informe de Cultura"):
        return session.post(
            expediente.absolute_url(),
            json={
                "@type": "Documento",
                "title": title,
                "file": file_payload(title),
                "tipo_documental": "TD13",
            },
        )

    def requests_of(self, expediente):
        return [
            obj
            for obj in expediente.objectValues()
            if obj.portal_type == "SolicitudInforme"
        ]

    def colaborador_groups(self, expediente):
        return sorted(
            principal
            for principal, roles in expediente.get_local_roles()
            if "Colaborador" in roles and principal != "colaborador"
        )

    def errors_of(self, response):
        body = response.json()
        self.assertEqual(body["type"], "BadRequest", body)
        return {
            error.get("field"): error["message"]
            for error in ast.literal_eval(body["message"])
        }


class TestReportRequest(CollaborationHTTPTestCase):
    def test_requested_unit_reads_and_reports_until_the_report_is_issued(self):
        # 23:30 UTC on Wednesday 9 Dec 2026 is already Thursday 10 in Madrid.
        base.travel(self, "2026-12-09T23:30:00Z")
        expediente = self.fixture.expediente("en_tramitacion")
        other = self.fixture.expediente("en_tramitacion", title="Un altre")
        transaction.commit()
        tramitador = self.session("tramitador")
        otra = self.session("tramitador_otra")
        self.assertIn(otra.get(expediente.absolute_url()).status_code, DENIED)

        # Computed fields are the server's: a client that sets them is told.
        forged = {
            "solicitante": "manager",
            "fecha_solicitud": "2020-01-01T10:00:00",
            "documento_respuesta": "0" * 32,
        }
        response = self.request_report(tramitador, expediente, self.cultura, **forged)
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(
            sorted(e["field"] for e in errors_of(response)), sorted(forged)
        )
        response = self.request_report(tramitador, expediente, self.cultura)
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertEqual(body["review_state"], "pendiente")
        # Its title, computed (“<unit>: <question>”), is in its JSON.
        self.assertTrue(body["title"].startswith(self.cultura.Title()), body["title"])
        self.assertEqual(body["solicitante"], "tramitador")
        self.assertIsNone(body["documento_respuesta"])
        # plone.restapi answers in UTC; the day is Madrid's (after 23:00 UTC in
        # winter it is already tomorrow there).
        requested = datetime.fromisoformat(body["fecha_solicitud"])
        if requested.tzinfo is None:
            requested = requested.replace(tzinfo=UTC)
        self.assertEqual(requested.date(), date(2026, 12, 9))
        self.assertEqual(requested.astimezone(MADRID).date(), date(2026, 12, 10))
        self.assertEqual(body["unidad_solicitada"]["token"], IUUID(self.cultura))
        solicitud_url = body["@id"]

        # Now (and not before) the requested unit reads the expediente and
        # the request, and nothing else of the unit.
        self.assertEqual(otra.get(expediente.absolute_url()).status_code, 200)
        self.assertEqual(otra.get(solicitud_url).status_code, 200)
        self.assertIn(otra.get(other.absolute_url()).status_code, DENIED)
        found = otra.get("@search", params={"portal_type": "Expediente"}).json()
        self.assertEqual(
            [item["@id"] for item in found["items"]], [expediente.absolute_url()]
        )
        # It cannot change the expediente or the request.
        self.assertIn(
            otra.patch(expediente.absolute_url(), json={"title": "X"}).status_code,
            DENIED,
        )
        self.assertIn(
            otra.patch(solicitud_url, json={"asunto": "X"}).status_code, DENIED
        )
        # The citizen of the expediente does not see the (internal) request.
        self.assertIn(self.session("interesado").get(solicitud_url).status_code, DENIED)

        # It adds its report...
        response = self.add_report(otra, expediente)
        self.assertEqual(response.status_code, 201, response.text)
        report_url = response.json()["@id"]
        report_uid = response.json()["UID"]
        self.assertEqual(response.json()["review_state"], "borrador")

        # ...which a bare transition cannot take as the answer: @emitir names it.
        response = otra.post(f"{solicitud_url}/@workflow/emitir")
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("Issuing the report needs the report document", response.text)
        response = otra.post(f"{solicitud_url}/@emitir", json={})
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("documento", response.json()["error"]["fields"])
        self.refresh()
        (solicitud,) = self.requests_of(expediente)
        self.assertEqual(api.content.get_state(solicitud), "pendiente")

        response = otra.post(
            f"{solicitud_url}/@emitir",
            json={"documento": report_uid, "comment": "Favorable"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["review_state"], "emitido")

        self.refresh()
        report = api.content.get(UID=report_uid)
        self.assertEqual(solicitud.documento_respuesta, report_uid)
        self.assertIsNotNone(solicitud.fecha_emision)
        self.assertEqual(api.content.get_state(report), "incorporado")
        self.assertEqual(self.colaborador_groups(expediente), [])
        # The role is withdrawn: the requested unit no longer reads anything.
        for url in (expediente.absolute_url(), solicitud_url, report_url):
            with self.subTest(url=url):
                self.assertIn(otra.get(url).status_code, DENIED)
        # The report is now a record: nobody modifies or deletes it.
        for user_id in ("tramitador", "responsable", "admin"):
            session = self.session(user_id)
            with self.subTest(user=user_id):
                self.assertEqual(session.get(report_url).status_code, 200)
                self.assertIn(
                    session.patch(report_url, json={"title": "Altre"}).status_code,
                    DENIED,
                )
                self.assertIn(session.delete(report_url).status_code, DENIED)
        self.refresh()
        self.assertEqual(report.Title(), "Informe de Cultura")
        self.assertIn(report.getId(), expediente)
        # ...and the citizen reads it, as a signed one.
        self.assertEqual(self.session("interesado").get(report_url).status_code, 200)

    def test_cancelling_withdraws_the_role(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        tramitador = self.session("tramitador")
        otra = self.session("tramitador_otra")
        response = self.request_report(tramitador, expediente, self.cultura)
        self.assertEqual(response.status_code, 201, response.text)
        solicitud_url = response.json()["@id"]
        self.assertEqual(otra.get(expediente.absolute_url()).status_code, 200)
        # The requested unit does not cancel (plone.restapi answers a
        # transition the user may not take with a 400, or a 403); the
        # requesting one does.
        self.assertIn(
            otra.post(f"{solicitud_url}/@workflow/cancelar").status_code,
            (400, *DENIED),
        )
        self.refresh()
        (solicitud,) = self.requests_of(expediente)
        self.assertEqual(api.content.get_state(solicitud), "pendiente")
        response = tramitador.post(
            f"{solicitud_url}/@workflow/cancelar", json={"comment": "Ja no cal"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["review_state"], "cancelada")
        self.refresh()
        self.assertIsNotNone(solicitud.fecha_cancelacion)
        self.assertEqual(self.colaborador_groups(expediente), [])
        self.assertIn(otra.get(expediente.absolute_url()).status_code, DENIED)
        # A cancelled request is a record: not edited, not issued.
        self.assertIn(
            tramitador.patch(solicitud_url, json={"asunto": "X"}).status_code, DENIED
        )
        self.assertIn(
            otra.post(f"{solicitud_url}/@emitir", json={"documento": "x"}).status_code,
            DENIED,
        )

    def test_two_units_at_once(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        tramitador = self.session("tramitador")
        otra = self.session("tramitador_otra")
        hacienda = self.session("tramitador_hacienda")
        cultura_url = self.request_report(tramitador, expediente, self.cultura).json()[
            "@id"
        ]
        hacienda_url = self.request_report(
            tramitador, expediente, self.hacienda
        ).json()["@id"]
        # Cultura is asked twice: it keeps its access until both are done.
        second_url = self.request_report(
            tramitador, expediente, self.cultura, asunto="I el pressupost?"
        ).json()["@id"]
        for session in (otra, hacienda):
            self.assertEqual(session.get(expediente.absolute_url()).status_code, 200)
        # Each unit sees and answers its own requests only.
        self.assertIn(otra.get(hacienda_url).status_code, DENIED)
        self.assertIn(hacienda.get(cultura_url).status_code, DENIED)
        report_uid = self.add_report(hacienda, expediente, "Informe d'Hisenda").json()[
            "UID"
        ]
        self.assertIn(
            hacienda.post(
                f"{cultura_url}/@emitir", json={"documento": report_uid}
            ).status_code,
            DENIED,
        )

        response = hacienda.post(
            f"{hacienda_url}/@emitir", json={"documento": report_uid}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn(hacienda.get(expediente.absolute_url()).status_code, DENIED)
        self.assertEqual(otra.get(expediente.absolute_url()).status_code, 200)

        response = tramitador.post(f"{cultura_url}/@workflow/cancelar")
        self.assertEqual(response.status_code, 200, response.text)
        # One of Cultura's requests is still pending.
        self.assertEqual(otra.get(expediente.absolute_url()).status_code, 200)
        self.refresh()
        self.assertEqual(
            self.colaborador_groups(expediente),
            sorted(
                [
                    self.cultura.tramitadores_group_id(),
                    self.cultura.responsables_group_id(),
                ]
            ),
        )
        response = tramitador.post(f"{second_url}/@workflow/cancelar")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn(otra.get(expediente.absolute_url()).status_code, DENIED)

    def test_cerrar_is_refused_while_a_request_is_pending(self):
        expediente = self.fixture.expediente("en_tramitacion")
        solicitud = self.fixture.solicitud(expediente)
        self.fixture.documento(expediente, "firmado", tipo_documental="TD01")
        self.fixture.transition(expediente, "resolver")
        transaction.commit()
        responsable = self.session("responsable")
        response = responsable.post(f"{expediente.absolute_url()}/@workflow/cerrar")
        self.assertEqual(response.status_code, 400, response.text)
        message = response.json()["error"]["message"]
        self.assertIn(
            "The expediente cannot be closed while report requests are pending",
            message,
        )
        self.assertIn(f"“{solicitud.Title()}”", message)
        self.refresh()
        self.assertEqual(api.content.get_state(expediente), "resuelto")

        response = responsable.post(f"{solicitud.absolute_url()}/@workflow/cancelar")
        self.assertEqual(response.status_code, 200, response.text)
        response = responsable.post(f"{expediente.absolute_url()}/@workflow/cerrar")
        self.assertEqual(response.status_code, 200, response.text)

    def test_default_deadline_is_ten_business_days(self):
        # Requested on Thursday 3 Dec 2026: 4, 7, 9, 10, 11, 14 ... 18 Dec
        # (weekends and the Immaculada on Tuesday 8 Dec skipped): Friday 18.
        base.travel(self, "2026-12-03T10:00")
        base.with_holidays(2026, 2027)
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        tramitador = self.session("tramitador")
        response = self.request_report(tramitador, expediente, self.cultura)
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["fecha_limite"], "2026-12-18")
        # A date given by the requesting unit is kept.
        response = self.request_report(
            tramitador, expediente, self.cultura, fecha_limite="2099-12-31"
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["fecha_limite"], "2099-12-31")

    def test_bad_input_names_the_field_and_creates_nothing(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        tramitador = self.session("tramitador")
        for case, payload, field, message in (
            (
                "own unit",
                {"unidad_solicitada": IUUID(self.fixture.unidad)},
                "unidad_solicitada",
                "A report is requested from another unit, not from the unit that "
                "handles the expediente.",
            ),
            (
                "unknown unit",
                {"unidad_solicitada": "f" * 32},
                "unidad_solicitada",
                f"There is no unit with the identifier “{'f' * 32}”.",
            ),
            (
                "no question",
                {"asunto": None},
                "asunto",
                None,
            ),
        ):
            with self.subTest(case):
                data = {
                    "@type": "SolicitudInforme",
                    "unidad_solicitada": IUUID(self.cultura),
                    "asunto": "Pregunta",
                }
                data.update(payload)
                data = {key: value for key, value in data.items() if value is not None}
                response = tramitador.post(expediente.absolute_url(), json=data)
                self.assertEqual(response.status_code, 400, response.text)
                errors = self.errors_of(response)
                self.assertIn(field, errors)
                if message is not None:
                    self.assertEqual(errors[field], message)
        self.refresh()
        self.assertEqual(self.requests_of(expediente), [])
        self.assertEqual(self.colaborador_groups(expediente), [])
        # Nobody outside the unit staff may ask.
        response = self.request_report(
            self.session("tramitador_otra"), expediente, self.hacienda
        )
        self.assertIn(response.status_code, DENIED)
        self.refresh()
        self.assertEqual(self.requests_of(expediente), [])


class TestIncorporationOfTheCitizensDocuments(CollaborationHTTPTestCase):
    def test_subsanar_incorporates_what_the_citizen_added(self):
        expediente = self.fixture.expediente("subsanacion")
        staff_draft = self.fixture.documento(expediente, title="Esborrany intern")
        transaction.commit()
        interesado = self.session("interesado")
        response = interesado.post(
            expediente.absolute_url(),
            json={
                "@type": "Documento",
                "title": "Plànol corregit",
                "file": file_payload("Planol corregit"),
                "tipo_documental": "TD14",
                "origen": "ciudadano",
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        url = response.json()["@id"]
        self.assertEqual(response.json()["review_state"], "borrador")

        tramitador = self.session("tramitador")
        response = tramitador.post(f"{expediente.absolute_url()}/@workflow/subsanar")
        self.assertEqual(response.status_code, 200, response.text)
        self.refresh()
        documento = api.content.get(path=url[len(self.portal_url) :])
        self.assertEqual(api.content.get_state(documento), "incorporado")
        # The staff's own draft is not the citizen's: left alone.
        self.assertEqual(api.content.get_state(staff_draft), "borrador")
        history = api.portal.get_tool("portal_workflow").getInfoFor(
            documento, "review_history"
        )
        self.assertEqual(history[-1]["action"], "incorporar")
        self.assertEqual(history[-1]["actor"], "tramitador")

        # Nobody modifies or deletes it, Manager included; the citizen reads it.
        for user_id in ("tramitador", "responsable", "admin", "interesado"):
            session = self.session(user_id)
            with self.subTest(user=user_id):
                self.assertEqual(session.get(url).status_code, 200)
                self.assertIn(
                    session.patch(url, json={"title": "Altre"}).status_code, DENIED
                )
                self.assertIn(session.delete(url).status_code, DENIED)
        self.refresh()
        self.assertEqual(documento.Title(), "Plànol corregit")

        # It no longer blocks cerrar (the staff's draft is annulled first).
        self.fixture.transition(staff_draft, "anular")
        self.fixture.documento(expediente, "firmado", tipo_documental="TD01")
        transaction.commit()
        responsable = self.session("responsable")
        for transition in ("resolver", "cerrar"):
            response = responsable.post(
                f"{expediente.absolute_url()}/@workflow/{transition}"
            )
            self.assertEqual(response.status_code, 200, response.text)


class TestClassicUI(CollaborationHTTPTestCase):
    def html_session(self, user_id):
        session = self.session(user_id)
        session.headers["Accept"] = "text/html"
        return session

    def test_expediente_lists_requests_and_the_collaborator_issues_in_a_form(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        tramitador = self.html_session("tramitador")
        page = tramitador.get(expediente.absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("++add++SolicitudInforme", page.text)

        response = self.request_report(
            self.session("tramitador"), expediente, self.cultura
        )
        solicitud_url = response.json()["@id"]
        page = tramitador.get(expediente.absolute_url())
        self.assertIn("paeria-solicitud-entry", page.text)
        self.assertIn("Cultura", page.text)
        self.assertIn(solicitud_url, page.text)
        # The invited unit reads the page but is not offered to request.
        otra = self.html_session("tramitador_otra")
        page = otra.get(expediente.absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("++add++SolicitudInforme", page.text)
        page = otra.get(solicitud_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("@@emitir", page.text)
        self.assertNotIn("@@emitir", tramitador.get(solicitud_url).text)

        report_uid = self.add_report(
            self.session("tramitador_otra"), expediente
        ).json()["UID"]
        page = otra.get(f"{solicitud_url}/@@emitir")
        self.assertEqual(page.status_code, 200)
        self.assertIn(report_uid, page.text)
        with api.env.adopt_user(username="tramitador_otra"):
            token = createToken()
        # Without a document: the form says so and nothing changes.
        page = otra.post(
            f"{solicitud_url}/@@emitir",
            data={"form.submitted": "1", "_authenticator": token},
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("Choose the report document.", page.text)
        response = otra.post(
            f"{solicitud_url}/@@emitir",
            data={
                "form.submitted": "1",
                "_authenticator": token,
                "documento": report_uid,
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302, response.text[:500])
        self.refresh()
        (solicitud,) = self.requests_of(expediente)
        self.assertEqual(api.content.get_state(solicitud), "emitido")
        self.assertEqual(
            api.content.get_state(api.content.get(UID=report_uid)), "incorporado"
        )
        page = tramitador.get(solicitud_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Informe de Cultura", page.text)

    def test_add_form_refuses_the_own_unit_under_the_field(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        tramitador = self.html_session("tramitador")
        add_url = f"{expediente.absolute_url()}/++add++SolicitudInforme"
        page = tramitador.get(add_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("form-widgets-unidad_solicitada", page.text)
        with api.env.adopt_user(username="tramitador"):
            token = createToken()
        page = tramitador.post(
            add_url,
            data={
                "form.widgets.unidad_solicitada:list": IUUID(self.fixture.unidad),
                "form.widgets.asunto": "Pregunta",
                "form.buttons.save": "Save",
                "_authenticator": token,
            },
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn(
            "A report is requested from another unit, not from the unit that "
            "handles the expediente.",
            page.text,
        )
        page = tramitador.post(
            add_url,
            data={
                "form.widgets.unidad_solicitada:list": IUUID(self.cultura),
                "form.widgets.asunto": "Pregunta",
                "form.buttons.save": "Save",
                "_authenticator": token,
            },
            allow_redirects=False,
        )
        self.assertEqual(page.status_code, 302, page.text[:300])
        self.refresh()
        (solicitud,) = self.requests_of(expediente)
        self.assertEqual(solicitud.solicitante, "tramitador")
        self.assertEqual(solicitud.asunto, "Pregunta")
