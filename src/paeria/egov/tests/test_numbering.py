"""Expediente numbers are consecutive per year with no gap and no duplicate,
also when several transactions take one at the same time (ARCHITECTURE.md,
"Identifiers and counters")."""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import noSecurityManager
from concurrent.futures import ThreadPoolExecutor
from paeria.egov import clock
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import format_expediente_number
from paeria.egov.numbering import last_number
from paeria.egov.numbering import next_number
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import PLONE_SITE_ID
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import TEST_USER_ID
from plone.testing.zope import addRequestContainer
from ZODB.POSException import ConflictError
from zope.component import getGlobalSiteManager
from zope.component import provideHandler
from zope.component.hooks import setSite
from zope.globalrequest import setRequest
from ZPublisher.HTTPRequest import HTTPRequest
from ZPublisher.interfaces import IPubBeforeAbort
import contextlib
import random
import threading
import transaction
import unittest
import Zope2


class TestSeries(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_numbers_start_at_one_and_follow(self):
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 0)
        taken = [next_number(self.portal, EXPEDIENTE, 2026) for _ in range(3)]
        self.assertEqual(taken, [1, 2, 3])
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 3)

    def test_series_and_years_are_independent(self):
        next_number(self.portal, EXPEDIENTE, 2026)
        next_number(self.portal, EXPEDIENTE, 2026)
        self.assertEqual(next_number(self.portal, EXPEDIENTE, 2027), 1)
        self.assertEqual(next_number(self.portal, "registro-entrada", 2026), 1)
        self.assertEqual(next_number(self.portal, EXPEDIENTE, "2026"), 3)

    def test_a_number_is_consumed_only_if_its_transaction_commits(self):
        next_number(self.portal, EXPEDIENTE, 2026)
        savepoint = transaction.savepoint()
        self.assertEqual(next_number(self.portal, EXPEDIENTE, 2026), 2)
        savepoint.rollback()
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 1)
        self.assertEqual(next_number(self.portal, EXPEDIENTE, 2026), 2)

    def test_format(self):
        for year, number, text in (
            (2026, 1, "2026/000001"),
            (2026, 999999, "2026/999999"),
            ("2027", "42", "2027/000042"),
        ):
            with self.subTest(text):
                self.assertEqual(format_expediente_number(year, number), text)

    def test_expedientes_take_numbers_of_their_opening_year(self):
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        unidad = base.create_unidad(self.portal)
        procedimiento = base.create_procedimiento(self.portal, unidad, publish=True)
        next_number(self.portal, EXPEDIENTE, 2026)  # another year's series
        next_number(self.portal, EXPEDIENTE, 2028)
        # 23:30 UTC on 31 Dec 2026 is 1 Jan 2027 in Madrid: the year is Madrid's.
        with clock.travel("2026-12-31T23:30:00Z"):
            expediente = base.create_expediente(unidad, procedimiento)
        self.assertEqual(expediente.numero, "2027/000001")
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2027), 1)
        self.assertEqual(last_number(self.portal, EXPEDIENTE, 2026), 1)


@contextlib.contextmanager
def own_connection(db):
    """The portal in a new ZODB connection of this thread, with the site set and
    the site owner logged in: what one Zope request works with."""
    connection = db.open()
    app = addRequestContainer(Zope2.app(connection))
    portal = app[PLONE_SITE_ID]
    setSite(portal)
    setRequest(app.REQUEST)
    owner = app.acl_users.getUser(SITE_OWNER_NAME).__of__(app.acl_users)
    newSecurityManager(None, owner)
    try:
        yield portal
    finally:
        transaction.abort()
        noSecurityManager()
        setSite(None)
        setRequest(None)
        app.REQUEST.close()
        connection.close()


def run_as_request(db, work, before_first_commit, attempts=3):
    """Run ``work(portal)`` and commit, in a connection of its own, retrying it
    whole on ConflictError as the publisher does. ``before_first_commit`` lets
    the test line up the transactions. Returns what each attempt produced and
    the conflicts met."""
    outcome = {"attempts": [], "conflicts": 0}
    with own_connection(db) as portal:
        for attempt in range(attempts):
            transaction.begin()
            result = work(portal)
            outcome["attempts"].append(result)
            if attempt == 0:
                before_first_commit()
            try:
                transaction.commit()
            except ConflictError:
                transaction.abort()
                outcome["conflicts"] += 1
            else:
                outcome["committed"] = result
                break
    return outcome


class Concurrently:
    """Two transactions A and B that both do their work before either commits;
    A commits first, then B."""

    def __init__(self, db):
        self.db = db
        self.both_worked = threading.Barrier(2, timeout=60)
        self.first_committed = threading.Event()

    def run(self, work):
        results = {}

        def first():
            self.both_worked.wait()

        def second():
            self.both_worked.wait()
            self.first_committed.wait(timeout=60)

        def thread(name, before_commit):
            try:
                results[name] = run_as_request(self.db, work, before_commit)
            except BaseException as error:  # reported by the test thread
                results[name] = error
                self.both_worked.abort()
            finally:
                if name == "A":
                    self.first_committed.set()

        threads = [
            threading.Thread(target=thread, args=("A", first)),
            threading.Thread(target=thread, args=("B", second)),
        ]
        for each in threads:
            each.start()
        for each in threads:
            each.join(timeout=120)
        for name in ("A", "B"):
            if isinstance(results.get(name), BaseException):
                raise results[name]
        return results["A"], results["B"]


class TestConcurrentTransactions(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Tuesday 2 Jun 2026: expedientes are numbered 2026/…
        base.travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(self.portal)
        self.procedimiento = base.create_procedimiento(
            self.portal, self.unidad, publish=True
        )
        transaction.commit()
        self.db = self.layer["zodbDB"]

    def refresh(self):
        """See what the other connections committed."""
        transaction.begin()

    def test_the_counter_conflicts_and_the_retry_takes_the_next_number(self):
        year = 2026  # setUp's day
        # The first number of a year creates its counter; later ones change it.
        for already_taken in (0, 5):
            with self.subTest(already_taken=already_taken):
                a, b = Concurrently(self.db).run(
                    lambda portal: next_number(portal, EXPEDIENTE, year)
                )
                self.assertEqual(
                    (a["conflicts"], a["committed"]), (0, already_taken + 1)
                )
                # B took A's number as well, but that transaction never committed.
                self.assertEqual(b["attempts"], [already_taken + 1, already_taken + 2])
                self.assertEqual(b["conflicts"], 1)
                self.refresh()
                self.assertEqual(
                    last_number(self.portal, EXPEDIENTE, year), already_taken + 2
                )
                for _ in range(3):
                    next_number(self.portal, EXPEDIENTE, year)
                transaction.commit()

    def test_two_expedientes_created_at_once(self):
        unidad_path = "/".join(self.unidad.getPhysicalPath()[2:])
        procedimiento_path = "/".join(self.procedimiento.getPhysicalPath()[2:])

        def create(portal):
            expediente = base.create_expediente(
                portal.unrestrictedTraverse(unidad_path),
                portal.unrestrictedTraverse(procedimiento_path),
            )
            return expediente.numero

        year = 2026  # setUp's day
        numbers = [f"{year}/{number:06d}" for number in range(1, 6)]
        # First with the year's counter still to be created, then with it.
        for existing in (0, 2):
            with self.subTest(existing=existing):
                a, b = Concurrently(self.db).run(create)
                self.assertEqual(a["committed"], numbers[existing])
                self.assertEqual(b["conflicts"], 1)
                self.assertEqual(b["attempts"], numbers[existing : existing + 2])
                self.refresh()
                brains = api.content.find(
                    portal_type="Expediente", sort_on="expediente_numero"
                )
                self.assertEqual(
                    [brain.expediente_numero for brain in brains],
                    numbers[: existing + 2],
                )
                self.assertEqual(
                    last_number(self.portal, EXPEDIENTE, year), existing + 2
                )


# How many times a client sends again a request answered 503 (busy).
CLIENT_RETRIES = 3


class TestConcurrentRequests(unittest.TestCase):
    """Many clients creating expedientes at once over HTTP: the publisher
    retries the conflicting requests and every number is taken exactly once."""

    layer = PAERIA_EGOV_FUNCTIONAL_TESTING
    clients = 8

    def setUp(self):
        # Tuesday 2 Jun 2026: expedientes are numbered 2026/…
        base.travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(self.portal)
        self.procedimiento = base.create_procedimiento(
            self.portal, self.unidad, publish=True
        )
        transaction.commit()

    def post_expediente(self, position):
        session = base.api_session(self.portal.absolute_url())
        try:
            return session.post(
                self.unidad.absolute_url(),
                json={
                    "@type": "Expediente",
                    "title": f"Sol·licitud {position}",
                    "procedimiento": self.procedimiento.UID(),
                    "interesados": [base.interesado()],
                },
                timeout=120,
            )
        finally:
            session.close()

    def test_concurrent_posts_take_consecutive_numbers(self):
        # The publisher's pause before a retry, as Zope's (a random wait up to
        # 2**retries seconds) but on an Event: Zope's time.sleep fails with
        # EINVAL under libfaketime 0.9.10 when the monotonic clock is not faked
        # (the date-shifted runs), which turned every retry into a 500.
        def delay_retry(request):
            threading.Event().wait(random.uniform(0, 2**request.retry_count))

        self.addCleanup(setattr, HTTPRequest, "delay_retry", HTTPRequest.delay_retry)
        HTTPRequest.delay_retry = delay_retry
        start = threading.Barrier(self.clients, timeout=60)

        def client(position):
            start.wait()  # all at once
            response = self.post_expediente(position)
            # A request still conflicting after the publisher's retries is
            # answered 503 with nothing saved (restapi/conflicts.py); a client
            # sends it again, as Retry-After asks. On a loaded machine one of
            # eight may run out of retries; the numbers must not show it.
            for _attempt in range(CLIENT_RETRIES):
                if response.status_code != 503:
                    break
                threading.Event().wait(random.uniform(0, 1))
                response = self.post_expediente(position)
            return response

        retried = []

        def count_retries(event):
            if event.retry:
                retried.append(event.request)

        provideHandler(count_retries, (IPubBeforeAbort,))
        self.addCleanup(
            getGlobalSiteManager().unregisterHandler, count_retries, (IPubBeforeAbort,)
        )
        with ThreadPoolExecutor(max_workers=self.clients) as pool:
            responses = list(pool.map(client, range(self.clients)))
        # The requests did collide: some were aborted on a conflict and retried.
        self.assertTrue(retried)
        self.assertEqual(
            [response.status_code for response in responses],
            [201] * self.clients,
            [
                response.text[:500]
                for response in responses
                if response.status_code != 201
            ],
        )
        year = 2026  # setUp's day
        expected = [f"{year}/{number:06d}" for number in range(1, self.clients + 1)]
        self.assertEqual(
            sorted(response.json()["numero"] for response in responses), expected
        )
        transaction.begin()
        self.assertEqual(
            sorted(
                brain.expediente_numero
                for brain in api.content.find(portal_type="Expediente")
            ),
            expected,
        )
        self.assertEqual(last_number(self.portal, EXPEDIENTE, year), self.clients)
