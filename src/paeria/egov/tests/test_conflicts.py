"""A registration that loses every write conflict: retried whole by the
publisher, then a readable 503 with Retry-After; nothing registered, no number
consumed.

Four real consecutive conflicts on the same request cannot be produced
deterministically, so a test-only resource joins the transaction of the
register's requests and raises ``ConflictError`` when the transaction votes,
as ZODB and RelStorage do when another transaction committed the same object
first. Everything else is real: the registration runs in full on every attempt
(it takes its number, creates the entry, its documents and the receipt), the
publisher's own retry loop aborts and re-runs it, and the answer comes from the
add-on's exception view. (tests/test_register_concurrency.py produces real
conflicts between two processes on PostgreSQL.)
"""

from paeria.egov.content.asiento import ENTRADA
from paeria.egov.content.asiento import SERIES
from paeria.egov.numbering import last_number
from paeria.egov.restapi.conflicts import RETRY_AFTER_SECONDS
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests.base import api_session
from paeria.egov.tests.base import create_procedimiento
from paeria.egov.tests.base import create_unidad
from paeria.egov.tests.base import pdf_bytes
from paeria.egov.tests.base import RelativeSession
from paeria.egov.tests.base import travel
from paeria.egov.tests.base import VALID_NIF
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import TEST_USER_ID
from plone.uuid.interfaces import IUUID
from ZODB.POSException import ConflictError
from zope.component import getGlobalSiteManager
from zope.component.hooks import getSite
from ZPublisher.HTTPRequest import HTTPRequest
from ZPublisher.interfaces import IPubBeforeCommit
import base64
import re
import transaction
import unittest


class ConflictOnVote:
    """A transaction resource that refuses to vote, like a storage that finds
    an object was committed by someone else since this transaction read it.
    It sorts after the ZODB connection, so the attempt's objects and blobs
    were really stored before the vote fails and the transaction aborts."""

    transaction_manager = transaction.manager

    def sortKey(self):
        return "~paeria.egov.tests.conflict"

    def abort(self, txn):
        pass

    def tpc_begin(self, txn):
        pass

    def commit(self, txn):
        pass

    def tpc_vote(self, txn):
        raise ConflictError("simulated write conflict (test)")

    def tpc_finish(self, txn):
        pass

    def tpc_abort(self, txn):
        pass


class ConflictingRegistrations:
    """Makes the first ``times`` attempts of each register request conflict,
    recording for every attempt the number the counter stood at."""

    def __init__(self, times):
        self.times = times
        self.numbers = []

    def __call__(self, event):
        request = event.request
        if request.get("REQUEST_METHOD") != "POST" or "registrar" not in (
            request.get("PATH_INFO") or ""
        ):
            return
        # The tests run on a stated day of 2026 (setUp).
        self.numbers.append(last_number(getSite(), SERIES[ENTRADA], 2026))
        if len(self.numbers) <= self.times:
            transaction.get().join(ConflictOnVote())

    def __enter__(self):
        getGlobalSiteManager().registerHandler(self, (IPubBeforeCommit,))
        return self

    def __exit__(self, *exc_info):
        getGlobalSiteManager().unregisterHandler(self, (IPubBeforeCommit,))


class TestConflictExhausted(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Tuesday 2 Jun 2026: entries are numbered E/2026/…
        travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = create_unidad(self.portal)
        self.procedimiento = create_procedimiento(self.portal, self.unidad)
        transaction.commit()
        self.session = api_session(self.portal_url)
        # As zope.conf's default max-conflict-retries sets it in a running
        # portal (the test layers leave it at 0: no retries); without the
        # random pause between attempts, which only makes the test slower.
        self.saved = HTTPRequest.retry_max_count, HTTPRequest.delay_retry
        HTTPRequest.retry_max_count = 3
        HTTPRequest.delay_retry = lambda request: None

    def tearDown(self):
        HTTPRequest.retry_max_count, HTTPRequest.delay_retry = self.saved
        self.session.close()

    def payload(self):
        return {
            "canal": "telematico",
            "interesado_identifier_type": "NIF",
            "interesado_identifier": VALID_NIF,
            "interesado_name": "Maria Puig i Soler",
            "resumen": "Sol·licitud de llicència",
            "unidad_destino": IUUID(self.unidad),
            "procedimiento": IUUID(self.procedimiento),
            "files": [
                {
                    "data": base64.b64encode(pdf_bytes("Solicitud")).decode(),
                    "encoding": "base64",
                    "filename": "solicitud.pdf",
                    "content-type": "application/pdf",
                }
            ],
        }

    def assert_nothing_registered(self):
        transaction.begin()
        self.assertEqual(list(self.portal["registro"].objectIds()), [])
        self.assertEqual(last_number(self.portal, SERIES[ENTRADA], 2026), 0)
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(portal_type="Asiento")), 0
        )
        registro_path = "/".join(self.portal["registro"].getPhysicalPath())
        self.assertEqual(
            len(
                catalog.unrestrictedSearchResults(
                    path=registro_path, portal_type="Documento"
                )
            ),
            0,
        )

    def test_api_gets_503_and_nothing_is_registered(self):
        with ConflictingRegistrations(times=99) as conflicts:
            response = self.session.post("/registro/@registrar", json=self.payload())
        self.assertEqual(response.status_code, 503, response.text)
        self.assertEqual(response.headers["Retry-After"], str(RETRY_AFTER_SECONDS))
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        error = response.json()["error"]
        self.assertEqual(error["type"], "ServiceUnavailable")
        self.assertEqual(
            error["message"],
            "The portal was saving other changes at the same moment and could "
            "not save yours after 4 attempts. Nothing was saved: please try "
            "again in a few seconds.",
        )
        self.assertEqual(error["retry_after"], RETRY_AFTER_SECONDS)
        self.assertNotIn("oid", response.text)
        self.assertNotIn("Traceback", response.text)
        # The whole registration ran four times, each time from a counter
        # left untouched by the aborted attempt before it: number 1 was
        # taken, and given back, four times.
        self.assertEqual(conflicts.numbers, [1, 1, 1, 1])
        self.assert_nothing_registered()

        # The next registration, without conflicts, gets the first number.
        response = self.session.post("/registro/@registrar", json=self.payload())
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["numero"], f"E/{2026}/000001")

    def test_a_retried_registration_succeeds_once(self):
        with ConflictingRegistrations(times=2) as conflicts:
            response = self.session.post("/registro/@registrar", json=self.payload())
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["numero"], f"E/{2026}/000001")
        self.assertEqual(conflicts.numbers, [1, 1, 1])
        transaction.begin()
        self.assertEqual(len(self.portal["registro"].objectIds()), 1)
        self.assertEqual(last_number(self.portal, SERIES[ENTRADA], 2026), 1)

    def test_counter_form_shows_a_readable_page(self):
        session = RelativeSession(self.portal_url)
        session.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept-Language"] = "en"
        session.headers["Accept"] = "text/html"
        form = session.get("/registro/@@registrar")
        self.assertEqual(form.status_code, 200)
        token = re.search(r'name="_authenticator" value="([^"]+)"', form.text)
        fields = {key: value for key, value in self.payload().items() if key != "files"}
        with ConflictingRegistrations(times=99) as conflicts:
            response = session.post(
                "/registro/@@registrar",
                data={
                    **fields,
                    "_authenticator": token.group(1),
                    "form.submitted": "1",
                },
                files=[("files", ("a.pdf", pdf_bytes("A"), "application/pdf"))],
                allow_redirects=False,
            )
        session.close()
        self.assertEqual(response.status_code, 503, response.text[:2000])
        self.assertEqual(response.headers["Retry-After"], str(RETRY_AFTER_SECONDS))
        self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
        self.assertIn("The portal is busy", response.text)
        self.assertIn("could not save yours after 4 attempts", response.text)
        self.assertIn("Go back and send it again", response.text)
        # In the site's layout, not the bare fallback page.
        self.assertIn("documentFirstHeading", response.text)
        self.assertNotIn("ConflictError", response.text)
        self.assertEqual(conflicts.numbers, [1, 1, 1, 1])
        self.assert_nothing_registered()
