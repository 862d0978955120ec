"""The whole path of a citizen's case over HTTP, as the electronic office
serves it: anonymous browses the catalogue → a citizen registers (NIF, mailed
link, password) → files a procedure with its documents → gets the receipt →
sees the expediente in Mi carpeta → the unit works it and asks for
subsanación → the citizen sends documents → the unit resolves, signs and
notifies → the citizen accepts; in other tests the citizen rejects, or lets it
expire."""

from datetime import timedelta
from io import BytesIO
from paeria.egov import clock
from paeria.egov.notifications.expiry import expire_due
from paeria.egov.notifications.expiry import EXPIRY_DAYS
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.smtp import configure_mailhost
from paeria.egov.tests.smtp import SmtpSink
from paeria.egov.tests.test_notifications import START
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.testing.zope import Browser
from pypdf import PdfReader
from zope.component.hooks import setSite
import base64
import hashlib
import re
import transaction
import unittest


NIF = "48213597P"
EMAIL = "laia.serra@example.org"
FULLNAME = "Laia Serra i Vidal"
CITIZEN_PASSWORD = "Lleida-seu-2026!"
REQUEST_TEXT = "Falta el plànol de situació signat."


def b64file(data, filename):
    return {
        "data": base64.b64encode(data).decode("ascii"),
        "encoding": "base64",
        "filename": filename,
        "content-type": "application/pdf",
    }


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class JourneyTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.sink = SmtpSink().__enter__()
        self.addCleanup(self.sink.__exit__, None, None, None)
        configure_mailhost(self.portal, self.sink.port)
        self.fixture = WorkflowFixture(self.portal)
        # Tuesday 2 Jun 2026, 10:00 in Madrid.
        base.travel(self, START)
        self.procedimiento = base.create_procedimiento(
            self.portal,
            self.fixture.unidad,
            id="obra-menor",
            title="Llicència d'obra menor",
            required_documents=[
                {
                    "name": "Memòria de l'obra",
                    "mandatory": True,
                    "tipo_documental": "TD14",
                }
            ],
        )
        api.content.transition(obj=self.procedimiento, transition="publicar")
        transaction.commit()

    # -- the citizen's side -----------------------------------------------------

    def browser(self, user=None, password=None):
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "en")
        if user:
            browser.addHeader("Authorization", f"Basic {user}:{password}")
        return browser

    def citizen(self):
        session = base.api_session(self.portal_url, "lserra", CITIZEN_PASSWORD)
        self.addCleanup(session.close)
        return session

    def register_citizen(self):
        browser = self.browser()
        browser.open(f"{self.portal_url}/@@register")
        browser.getControl(name="form.widgets.fullname").value = FULLNAME
        browser.getControl(name="form.widgets.email").value = EMAIL
        browser.getControl(name="form.widgets.username").value = "lserra"
        browser.getControl(name="form.widgets.nif").value = NIF.lower()
        browser.getControl(name="form.buttons.register").click()
        errors = re.findall(r'invalid-feedback">\s*(.*?)\s*</div>', browser.contents)
        self.assertFalse(errors)
        recipients, message = self.sink.received[-1]
        self.assertEqual(recipients, [EMAIL])
        body = message.get_body(preferencelist=("plain", "html")).get_content()
        link = re.search(r"(http://\S+/passwordreset/\S+)", body).group(1)
        browser = self.browser()
        browser.open(link.rstrip(".").replace("&amp;", "&"))
        browser.getControl(name="password").value = CITIZEN_PASSWORD
        browser.getControl(name="password2").value = CITIZEN_PASSWORD
        if 'name="userid"' in browser.contents:
            browser.getControl(name="userid").value = "lserra"
        browser.getControl("Set my password").click()
        self.refresh()
        self.assertEqual(api.user.get(username="lserra").getProperty("nif"), NIF)

    def file(self):
        memoria = base.pdf_bytes("Memoria")
        response = self.citizen().post(
            f"{self.procedimiento.absolute_url()}/@iniciar",
            json={
                "documentos": {"memoria-de-lobra": b64file(memoria, "memoria.pdf")},
                "solicita": "Que se'm concedeixi la llicència.",
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        receipt = response.json()
        pdf = self.citizen().get(receipt["justificante"]["download"])
        self.assertEqual(pdf.status_code, 200)
        text = "".join(
            page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages
        )
        self.assertIn(receipt["numero"], text)
        self.assertIn(sha256(memoria), text)
        self.refresh()
        return receipt

    def carpeta(self):
        response = self.citizen().get(f"{self.portal_url}/@mi-carpeta")
        self.assertEqual(response.status_code, 200, response.text)
        (expediente,) = response.json()["expedientes"]
        return expediente

    # -- the unit's side --------------------------------------------------------

    def transition(self, user_id, obj, transition, **body):
        response = self.session(user_id).post(
            f"{obj.absolute_url()}/@workflow/{transition}", json=body
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.refresh()

    def resolve_and_notify(self, expediente):
        response = self.session("tramitador").post(
            expediente.absolute_url(),
            json={
                "@type": "Documento",
                "title": "Resolució de concessió",
                "tipo_documental": "TD01",
                "file": b64file(base.pdf_bytes("Resolucio"), "resolucio.pdf"),
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        resolucion = api.content.get(
            path=response.json()["@id"][len(self.portal_url) :]
        )
        self.transition("tramitador", resolucion, "enviar_firma")
        self.transition("responsable", resolucion, "firmar")
        self.transition("responsable", expediente, "resolver")
        response = self.session("tramitador").post(
            f"{expediente.absolute_url()}/@notificar",
            json={"documento": api.content.get_uuid(resolucion), "destinatario": NIF},
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        notificacion = api.content.get(
            path=response.json()["@id"][len(self.portal_url) :]
        )
        # The notice reached the citizen, saying only that something waits.
        recipients, notice = self.sink.received[-1]
        self.assertEqual(recipients, [EMAIL])
        self.assertNotIn("Resolució", notice.get_content())
        return resolucion, notificacion

    def walk_to_notification(self):
        """Everything up to the notification waiting in the carpeta."""
        # Anonymous finds the procedure in the public catalogue.
        browser = self.browser()
        browser.open(f"{self.portal_url}/tramites?SearchableText=obra")
        self.assertIn("Llicència d'obra menor", browser.contents)

        self.register_citizen()
        receipt = self.file()
        expediente = api.content.get(
            path=receipt["expediente"]["@id"][len(self.portal_url) :]
        )
        item = self.carpeta()
        self.assertEqual(item["numero"], expediente.numero)
        self.assertEqual(
            item["state_text"], "Received: the unit will start working on it."
        )
        self.assertEqual(
            [e["numero"] for e in item["justificantes"]], [receipt["numero"]]
        )

        self.transition("tramitador", expediente, "tramitar")
        self.transition(
            "tramitador", expediente, "requerir_subsanacion", comment=REQUEST_TEXT
        )
        item = self.carpeta()
        self.assertEqual(item["subsanacion"]["requerimiento"], REQUEST_TEXT)

        plano = base.pdf_bytes("Plano signat")
        response = self.citizen().post(
            f"{expediente.absolute_url()}/@aportar",
            json={"files": [b64file(plano, "plano.pdf")], "statement": "Adjunto."},
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        self.assertEqual(api.content.get_state(expediente), "en_tramitacion")
        self.assertIn(
            sha256(plano),
            {
                doc.huella
                for doc in expediente.objectValues()
                if doc.portal_type == "Documento"
            },
        )

        resolucion, notificacion = self.resolve_and_notify(expediente)
        (pending,) = self.carpeta()["notificaciones"]
        self.assertTrue(pending["pending"])
        return expediente, resolucion, notificacion


class TestJourney(JourneyTestCase):
    def test_the_citizen_accepts_the_notification(self):
        expediente, resolucion, notificacion = self.walk_to_notification()
        response = self.citizen().post(
            f"{notificacion.absolute_url()}/@workflow/acceder", json={}
        )
        self.assertEqual(response.status_code, 200, response.text)
        (accepted,) = self.carpeta()["notificaciones"]
        self.assertFalse(accepted["pending"])
        document = self.citizen().get(accepted["documento"])
        self.assertEqual(sha256(document.content), resolucion.huella)
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "aceptada")
        self.assertEqual(api.content.get_state(expediente), "resuelto")
        self.assertEqual(notificacion.evidencias[-1]["usuario"], "lserra")

    def test_the_citizen_rejects_the_notification(self):
        _expediente, _resolucion, notificacion = self.walk_to_notification()
        response = self.citizen().post(
            f"{notificacion.absolute_url()}/@workflow/rechazar", json={}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.refresh()
        self.assertEqual(api.content.get_state(notificacion), "rechazada")
        self.assertFalse(notificacion.rechazo_automatico)

    def test_the_citizen_lets_the_notification_expire(self):
        _expediente, _resolucion, notificacion = self.walk_to_notification()
        clock.set_instant(clock.now() + timedelta(days=EXPIRY_DAYS, minutes=1))
        transaction.commit()
        # The in-process browser left no site behind: as cron's command would.
        setSite(self.portal)
        self.assertEqual(expire_due(), 1)
        transaction.commit()
        (expired,) = self.carpeta()["notificaciones"]
        self.assertEqual(expired["review_state"], "rechazada")
        self.refresh()
        self.assertTrue(notificacion.rechazo_automatico)
