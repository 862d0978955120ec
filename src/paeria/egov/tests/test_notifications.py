"""Electronic notifications over HTTP: the unit notifies a signed document, the
addressee accepts or rejects it, or lets it expire (by the command's function
and lazily on reading), with the evidence of each state, the exit entry, the
e-mail notice through a real SMTP conversation, the PDF certificate, and every
refusal leaving nothing behind."""

from datetime import date
from datetime import timedelta
from io import BytesIO
from paeria.egov import clock
from paeria.egov.notifications.expiry import expire_due
from paeria.egov.notifications.expiry import EXPIRY_DAYS
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.smtp import configure_mailhost
from paeria.egov.tests.smtp import SmtpSink
from paeria.egov.tests.test_workflow_fixtures import INTERESADO_NIF
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.testing.zope import Browser
from pypdf import PdfReader
import hashlib
import transaction
import unittest


DENIED = (401, 403, 404)
CITIZEN_EMAIL = "maria.puig@example.org"
# Another interested party of the same expediente, with their own user.
CO_INTERESTED_NIF = "87654321X"


# Tuesday 2 Jun 2026, 10:00 in Madrid: the notifications are made available
# then, and expire EXPIRY_DAYS calendar days later (art. 43.2 LPAC).
START = "2026-06-02T10:00"


class NotificationTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        base.travel(self, START)
        self.offset = timedelta(0)
        api.user.get(userid="interesado").setMemberProperties({"nif": INTERESADO_NIF})
        api.user.create(
            email="jordi@example.org",
            username="cointeresado",
            password=PASSWORD,
            properties={"fullname": "Jordi", "nif": CO_INTERESTED_NIF},
        )
        self.expediente = self.fixture.expediente("resuelto")
        self.expediente.interesados = [
            base.interesado(identifier=INTERESADO_NIF, email=CITIZEN_EMAIL),
            base.interesado(
                identifier=CO_INTERESTED_NIF,
                name="Jordi Vila",
                notification_channel="electronica",
            ),
            base.interesado(
                identifier=base.VALID_NIE,
                identifier_type="NIE",
                name="Anna Postal",
                notification_channel="postal",
            ),
        ]
        self.expediente.manage_setLocalRoles("cointeresado", ["Interesado"])
        self.expediente.reindexObjectSecurity()
        self.resolucion = next(
            obj
            for obj in self.expediente.objectValues()
            if obj.portal_type == "Documento"
        )
        self.borrador = self.fixture.documento(self.expediente)
        transaction.commit()

    def notify(self, user_id="tramitador", **body):
        body.setdefault("documento", api.content.get_uuid(self.resolucion))
        body.setdefault("destinatario", INTERESADO_NIF)
        return self.session(user_id).post(
            f"{self.expediente.absolute_url()}/@notificar", json=body
        )

    def notified(self):
        response = self.notify()
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        return api.content.get(path=self.portal_path(response.json()["@id"]))

    def portal_path(self, url):
        return url[len(self.portal_url) :]

    def exits(self):
        catalog = api.portal.get_tool("portal_catalog")
        return [
            brain._unrestrictedGetObject()
            for brain in catalog.unrestrictedSearchResults(portal_type="Asiento")
            if brain._unrestrictedGetObject().tipo == "salida"
        ]

    def notifications(self):
        return [
            obj
            for obj in self.expediente.objectValues()
            if obj.portal_type == "Notificacion"
        ]

    def advance(self, **delta):
        """The clock ``delta`` after where it would be without advancing (the
        portal's clock is the process's: the HTTP server sees it too)."""
        delta = timedelta(**delta)
        clock.set_instant(clock.now() + delta - self.offset)
        self.offset = delta
        transaction.commit()


class TestMakingAvailable(NotificationTestCase):
    def test_staff_notify_a_signed_document(self):
        notificacion = self.notified()
        self.assertEqual(api.content.get_state(notificacion), "puesta_a_disposicion")
        self.assertEqual(notificacion.destinatario_identifier, INTERESADO_NIF)
        self.assertEqual(notificacion.documento, api.content.get_uuid(self.resolucion))
        self.assertEqual(notificacion.huella_documento, self.resolucion.huella)
        self.assertEqual(
            notificacion.fecha_expiracion - notificacion.fecha_puesta_disposicion,
            timedelta(days=EXPIRY_DAYS),
        )
        # Made available on Tuesday 2 Jun 2026, it expires on Friday 12 Jun.
        self.assertEqual(notificacion.fecha_puesta_disposicion.date(), date(2026, 6, 2))
        self.assertEqual(notificacion.fecha_expiracion.date(), date(2026, 6, 12))
        # The exit is registered with the notified document's very bytes.
        (asiento,) = self.exits()
        self.assertEqual(notificacion.asiento_salida, asiento.numero)
        self.assertEqual(asiento.numero, "S/2026/000001")
        self.assertEqual(asiento.interesado_identifier, INTERESADO_NIF)
        attached = [
            doc for doc in asiento.objectValues() if doc.getId() != asiento.justificante
        ]
        self.assertEqual([doc.huella for doc in attached], [self.resolucion.huella])
        # The evidence of making it available: who, from where, what.
        (evidence, notice) = notificacion.evidencias
        self.assertEqual(evidence["evento"], "puesta_a_disposicion")
        self.assertEqual(evidence["usuario"], "tramitador")
        self.assertEqual(evidence["direccion"], "127.0.0.1")
        self.assertEqual(evidence["huella_documento"], self.resolucion.huella)
        # No mail server is configured in the test site: the notice says so and
        # the notification stands.
        self.assertEqual(notice["evento"], "aviso_no_enviado")

    def test_the_addressee_gets_a_notice_that_says_only_that_something_waits(self):
        with SmtpSink() as sink:
            configure_mailhost(self.portal, sink.port)
            transaction.commit()
            notificacion = self.notified()
        (recipients, message) = sink.received[0]
        self.assertEqual(recipients, [CITIZEN_EMAIL])
        self.assertEqual(len(sink.received), 1)
        body = message.get_content()
        self.assertIn(self.portal_url, body)
        # Nothing of the notification's content in the notice (LPAC 41.6).
        for secret in (
            self.resolucion.title,
            self.expediente.numero,
            INTERESADO_NIF,
            notificacion.asiento_salida,
        ):
            self.assertNotIn(secret, body + message["Subject"])
        self.assertEqual(notificacion.evidencias[-1]["evento"], "aviso_enviado")

    def test_the_staff_see_it_and_its_evidence_in_the_classic_ui(self):
        notificacion = self.notified()
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "en")
        browser.addHeader("Authorization", f"Basic tramitador:{PASSWORD}")
        browser.open(notificacion.absolute_url())
        self.assertIn("Waiting for the addressee to access it.", browser.contents)
        self.assertIn(notificacion.asiento_salida, browser.contents)
        self.assertIn(self.resolucion.huella, browser.contents)

    def test_the_classic_ui_form_notifies_and_shows_refusals_by_field(self):
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "en")
        browser.addHeader("Authorization", f"Basic tramitador:{PASSWORD}")
        browser.open(f"{self.expediente.absolute_url()}/@@notificar")
        # The postal party is not offered; the two electronic ones are.
        options = browser.getControl(name="destinatario").options
        self.assertEqual(sorted(options), sorted([INTERESADO_NIF, CO_INTERESTED_NIF]))
        browser.getControl(name="documento").value = [
            api.content.get_uuid(self.resolucion)
        ]
        browser.getControl(name="destinatario").value = [INTERESADO_NIF]
        browser.getControl("Notify").click()
        self.assertIn("The notification was made available", browser.contents)
        self.refresh()
        self.assertEqual(len(self.notifications()), 1)


class TestRefusals(NotificationTestCase):
    def assert_refused(self, response, fields):
        self.assertEqual(response.status_code, 400, response.text)
        error = response.json()["error"]
        self.assertEqual(sorted(error["fields"]), sorted(fields))
        self.assertIn("nothing was stored", error["message"])
        self.refresh()
        self.assertEqual(self.notifications(), [])
        self.assertEqual(self.exits(), [])

    def test_an_unsigned_document_is_not_notified(self):
        self.assert_refused(
            self.notify(documento=api.content.get_uuid(self.borrador)), ["documento"]
        )

    def test_the_addressee_must_be_an_interested_party(self):
        self.assert_refused(self.notify(destinatario=base.VALID_CIF), ["destinatario"])

    def test_a_party_who_chose_postal_mail_is_not_notified_electronically(self):
        response = self.notify(destinatario=base.VALID_NIE)
        self.assert_refused(response, ["destinatario"])
        self.assertIn("postal mail", response.json()["error"]["fields"]["destinatario"])

    def test_missing_and_wrong_types(self):
        self.assert_refused(
            self.notify(documento=None, destinatario=42), ["documento", "destinatario"]
        )

    def test_a_document_the_register_no_longer_accepts_is_refused(self):
        # PDF taken off the accepted formats after the document was signed.
        api.portal.set_registry_record("paeria.egov.allowed_formats", ["text/plain"])
        transaction.commit()
        self.assert_refused(self.notify(), ["documento"])

    def test_no_exit_number_is_consumed_by_a_refusal(self):
        self.notify(destinatario=base.VALID_CIF)
        notificacion = self.notified()
        self.assertEqual(notificacion.asiento_salida, "S/2026/000001")

    def test_only_the_units_staff_notify(self):
        for user_id in ("interesado", "tramitador_otra", "colaborador", "auditor"):
            with self.subTest(user=user_id):
                self.assertIn(self.notify(user_id).status_code, DENIED)
        self.refresh()
        self.assertEqual(self.notifications(), [])

    def test_a_generic_post_cannot_make_one(self):
        response = self.session("admin").post(
            self.expediente.absolute_url(),
            json={"@type": "Notificacion", "title": "Fake"},
        )
        self.assertIn(response.status_code, (400, 403))
        self.refresh()
        self.assertEqual(self.notifications(), [])

    def test_nobody_modifies_or_deletes_a_notification(self):
        notificacion = self.notified()
        url = notificacion.absolute_url()
        admin = self.session("admin")
        self.assertIn(admin.patch(url, json={"title": "Other"}).status_code, DENIED)
        self.assertIn(admin.delete(url).status_code, DENIED)
        self.refresh()
        self.assertEqual(self.notifications(), [notificacion])
        self.assertNotEqual(notificacion.title, "Other")


class TestAddresseeAnswers(NotificationTestCase):
    def transition(self, user_id, notificacion, transition):
        return self.session(user_id).post(
            f"{notificacion.absolute_url()}/@workflow/{transition}", json={}
        )

    def test_the_addressee_accepts(self):
        notificacion = self.notified()
        response = self.transition("interesado", notificacion, "acceder")
        self.assertEqual(response.status_code, 200, response.text)
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "aceptada")
        self.assertIsNotNone(notificacion.fecha_acceso)
        evidence = notificacion.evidencias[-1]
        self.assertEqual(evidence["evento"], "aceptada")
        self.assertEqual(evidence["usuario"], "interesado")
        self.assertEqual(evidence["direccion"], "127.0.0.1")
        self.assertEqual(evidence["huella_documento"], self.resolucion.huella)
        # The REST JSON carries the evidence.
        data = self.session("tramitador").get(notificacion.absolute_url()).json()
        self.assertEqual(
            [entry["evento"] for entry in data["evidencias"]],
            [entry["evento"] for entry in notificacion.evidencias],
        )

    def test_the_addressee_rejects(self):
        notificacion = self.notified()
        response = self.transition("interesado", notificacion, "rechazar")
        self.assertEqual(response.status_code, 200, response.text)
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "rechazada")
        self.assertFalse(notificacion.rechazo_automatico)
        self.assertEqual(notificacion.evidencias[-1]["usuario"], "interesado")

    def test_another_interested_party_cannot_answer_for_the_addressee(self):
        notificacion = self.notified()
        response = self.transition("cointeresado", notificacion, "acceder")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Only the addressee", response.json()["error"]["message"])
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "puesta_a_disposicion")

    def test_other_citizens_and_staff_cannot_answer(self):
        notificacion = self.notified()
        for user_id in ("ciudadano", "tramitador", "responsable", "admin"):
            with self.subTest(user=user_id):
                response = self.transition(user_id, notificacion, "acceder")
                self.assertIn(response.status_code, (400, *DENIED))
        self.assertIn(
            self.session("ciudadano").get(notificacion.absolute_url()).status_code,
            DENIED,
        )
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "puesta_a_disposicion")
        self.assertEqual(len(notificacion.evidencias), 2)

    def test_the_certificate_is_a_pdf_with_the_evidence(self):
        notificacion = self.notified()
        self.transition("interesado", notificacion, "acceder")
        response = self.session("tramitador").get(
            f"{notificacion.absolute_url()}/@@certificado"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        text = "".join(
            page.extract_text() for page in PdfReader(BytesIO(response.content)).pages
        )
        self.refresh()
        self.assertIn(notificacion.asiento_salida, text)
        self.assertIn(self.resolucion.huella, text)
        self.assertIn(INTERESADO_NIF, text)
        self.assertIn(notificacion.fecha_acceso.strftime("%Y-%m-%d %H:%M:%S"), text)
        self.assertIn(hashlib.sha256(self.resolucion.file.data).hexdigest(), text)


class TestExpiry(NotificationTestCase):
    def test_the_command_expires_only_overdue_notifications(self):
        notificacion = self.notified()
        self.advance(days=EXPIRY_DAYS, seconds=-60)
        self.assertEqual(expire_due(), 0)
        self.assertEqual(api.content.get_state(notificacion), "puesta_a_disposicion")
        self.advance(days=EXPIRY_DAYS)
        self.assertEqual(expire_due(), 1)
        self.assertEqual(api.content.get_state(notificacion), "rechazada")
        self.assertTrue(notificacion.rechazo_automatico)
        # Rejected from the moment the time ran out, by the portal itself.
        self.assertEqual(notificacion.fecha_rechazo, notificacion.fecha_expiracion)
        self.assertEqual(notificacion.evidencias[-1]["evento"], "expirada")
        self.assertEqual(notificacion.evidencias[-1]["usuario"], "paeria.egov")
        history = notificacion.workflow_history["paeria_notificacion_workflow"]
        self.assertEqual(history[-1]["actor"], "paeria.egov")
        self.assertEqual(expire_due(), 0)

    def test_reading_an_overdue_notification_expires_it(self):
        notificacion = self.notified()
        self.advance(days=EXPIRY_DAYS + 1)
        data = self.session("interesado").get(notificacion.absolute_url()).json()
        self.assertEqual(data["review_state"], "rechazada")
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "rechazada")

    def test_an_overdue_notification_cannot_be_accepted(self):
        notificacion = self.notified()
        self.advance(days=EXPIRY_DAYS + 1)
        response = self.session("interesado").post(
            f"{notificacion.absolute_url()}/@workflow/acceder", json={}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("ran out", response.json()["error"]["message"])
        self.refresh()
        self.assertNotEqual(api.content.get_state(notificacion), "aceptada")

    def test_nobody_expires_one_before_its_time(self):
        notificacion = self.notified()
        response = self.session("admin").post(
            f"{notificacion.absolute_url()}/@workflow/expirar", json={}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot expire before", response.json()["error"]["message"])
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "puesta_a_disposicion")

    def test_cron_expires_over_http_as_a_manager_only(self):
        notificacion = self.notified()
        self.advance(days=EXPIRY_DAYS + 1)
        url = f"{self.portal_url}/@expire-notifications"
        self.assertIn(self.session("tramitador").post(url).status_code, DENIED)
        self.assertEqual(api.content.get_state(notificacion), "puesta_a_disposicion")
        response = self.session("admin").post(url)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"expired": 1})
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "rechazada")
