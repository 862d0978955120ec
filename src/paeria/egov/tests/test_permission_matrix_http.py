"""The permission matrix over HTTP: every named user (tests/test_workflow_fixtures.py
USERS: anonymous, the citizen of the expediente and another one, the unit's
Tramitador and Responsable, another unit's Tramitador, the invited Colaborador,
Registrador, EditorCatalogo, Auditor, Manager, Site Administrator) through
every state of Expediente and Documento, with plone.restapi:

- view: GET the object;
- list: GET its container and see it among the items (or not), GET the
  expediente and see exactly the documents the user may see;
- search: @search by UID, and by path and portal_type: found or not;
- modify: PATCH its title;
- add document: POST a Documento into the expediente;
- delete: DELETE it;
- every transition of its workflow: POST @workflow/<id>.

The answer expected is computed, never written per cell: from the tables beside
the workflows (profiles/default/workflows/<id>/permissions.txt, read with the
parser of test_workflow_tables) and the roles each user holds there
(``roles_of``). Allowed: the request succeeds and does what it says (fresh
objects for what changes them). Refused: 401 for anonymous, 401/403/404 for a
logged-in user (403 exactly for a transition of an object the user sees), and
nothing changed: state, title, modification date, children, existence. A
transition that does not leave the object's state is a 400 for whoever sees the
object. Where the table allows a change that a business rule refuses whatever
the fixture does (deleting an expediente that holds a signed document), the
rule's refusal is expected instead, and checked to change nothing either.
"""

from AccessControl import getSecurityManager
from Acquisition import aq_inner
from Acquisition import aq_parent
from collections import Counter
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import as_user
from paeria.egov.tests.test_workflow_fixtures import COMMENTS
from paeria.egov.tests.test_workflow_fixtures import DOCUMENTO_PATHS
from paeria.egov.tests.test_workflow_fixtures import EXPEDIENTE_PATHS
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import RESOLUTION
from paeria.egov.tests.test_workflow_fixtures import roles_of
from paeria.egov.tests.test_workflow_fixtures import USERS
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from paeria.egov.tests.test_workflow_tables import Table
from plone import api
from plone.uuid.interfaces import IUUID
import base64
import transaction
import unittest


EXPEDIENTE = Table("paeria_expediente_workflow")
DOCUMENTO = Table("paeria_documento_workflow")

VIEW = "View"
MODIFY = "Modify portal content"
DELETE = "Delete objects"
ADD_CONTENT = "Add portal content"
ADD_DOCUMENTO = "paeria.egov: Add Documento"

# What a logged-in user refused is answered: Zope's Unauthorized is a 401
# whoever asks, plone.restapi's own checks a 403, a hidden object a 404.
DENIED_LOGGED_IN = (401, 403, 404)
# Documents no one may delete (and, with them, their expediente): the records.
KEPT_DOCUMENT_STATES = ("firmado", "incorporado", "anulado")


def sign_a_resolution(fixture, expediente):
    fixture.documento(expediente, "firmado", tipo_documental=RESOLUTION)


# What a fresh object needs before a transition whose business preconditions
# (workflow/rules.py) the bare state does not meet, so that what the table
# allows is seen to succeed rather than be refused by rule.
PREPARE = {
    ("paeria_expediente_workflow", "resolver"): sign_a_resolution,
}


def may(table, permission, state, user_id):
    """Whether the table grants ``permission`` in ``state`` to a role the user
    holds on the unit's content."""
    return bool(table.permissions[permission][state] & roles_of(user_id))


def documento_payload(title):
    data = base64.b64encode(base.pdf_bytes(title)).decode("ascii")
    return {
        "@type": "Documento",
        "title": title,
        "tipo_documental": "TD14",
        "file": {
            "data": data,
            "encoding": "base64",
            "filename": "document.pdf",
            "content-type": "application/pdf",
        },
    }


class PermissionMatrixTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self._sessions = {}
        # (check, outcome) -> how many cells: the matrix must hold both.
        self.outcomes = Counter()

    def tearDown(self):
        for session in self._sessions.values():
            session.close()

    def session(self, user_id):
        if user_id not in self._sessions:
            session = base.api_session(self.portal_url, user_id, PASSWORD)
            if USERS[user_id] is None:
                session.auth = None
            self._sessions[user_id] = session
        return self._sessions[user_id]

    # -- what a refused request leaves ------------------------------------------

    def snapshot(self, obj):
        """Everything a refused request must leave as it was, seen afresh."""
        transaction.begin()
        parent = aq_parent(aq_inner(obj))
        if obj.getId() not in parent.objectIds():
            return ("deleted",)
        obj = parent[obj.getId()]
        return (
            api.content.get_state(obj),
            obj.Title(),
            obj.Description(),
            obj.modified(),
            obj.EffectiveDate(),
            tuple(sorted(getattr(obj, "objectIds", tuple)())),
            sum(len(entries) for entries in obj.workflow_history.values()),
            # Any write to the object, whatever the attribute.
            obj._p_serial,
        )

    def assert_denied(self, user_id, response, exactly=None):
        if USERS[user_id] is None:
            self.assertEqual(response.status_code, 401, response.text[:300])
        elif exactly is not None:
            self.assertEqual(response.status_code, exactly, response.text[:300])
        else:
            self.assertIn(response.status_code, DENIED_LOGGED_IN, response.text[:300])

    def refused(self, user_id, obj, send, exactly=None, status=None):
        """Send a request that must be refused; check its status and that
        nothing changed. ``status``: a refusal by rule answered with it."""
        before = self.snapshot(obj)
        response = send()
        if status is not None:
            self.assertEqual(response.status_code, status, response.text[:300])
        else:
            self.assert_denied(user_id, response, exactly=exactly)
        self.assertEqual(self.snapshot(obj), before, "a refused request changed it")
        return response

    # -- reading ------------------------------------------------------------------

    def check_view(self, table, state, obj, user_id):
        with self.subTest(check="view", state=state, user=user_id):
            url = obj.absolute_url()
            if may(table, VIEW, state, user_id):
                self.count("view", "allowed")
                response = self.session(user_id).get(url)
                self.assertEqual(response.status_code, 200, response.text[:300])
                self.assertEqual(response.json()["@id"], url)
                self.assertEqual(response.json()["review_state"], state)
                return response.json()
            self.count("view", "refused")
            self.refused(user_id, obj, lambda: self.session(user_id).get(url))
            return None

    def check_search(self, table, state, obj, user_id):
        expected = 1 if may(table, VIEW, state, user_id) else 0
        self.count("search", "found" if expected else "not found")
        queries = (
            {"UID": IUUID(obj)},
            {
                "path.query": "/".join(obj.getPhysicalPath()),
                "path.depth": 0,
                "portal_type": obj.portal_type,
            },
        )
        for query in queries:
            with self.subTest(check="search", state=state, user=user_id, query=query):
                response = self.session(user_id).get(
                    f"{self.portal_url}/@search", params=query
                )
                self.assertEqual(response.status_code, 200, response.text[:300])
                body = response.json()
                self.assertEqual(body["items_total"], expected)
                if expected:
                    self.assertEqual(body["items"][0]["@id"], obj.absolute_url())

    def listed(self, user_id, container):
        """The URLs of the container's items the user gets, or None when the
        user may not see the container at all."""
        response = self.session(user_id).get(
            container.absolute_url(), params={"b_size": 1000}
        )
        if response.status_code != 200:
            self.assert_denied(user_id, response)
            return None
        return {item["@id"] for item in response.json()["items"]}

    def can_see(self, user_id, obj):
        """The site's answer (not a table's), for containers without a
        workflow: the unit."""
        with as_user(user_id):
            return bool(getSecurityManager().checkPermission(VIEW, obj))

    def expected_items(self, expediente, user_id):
        """The expediente's documents the user may see, by their states."""
        return {
            documento.absolute_url()
            for documento in expediente.objectValues()
            if documento.portal_type == "Documento"
            and may(DOCUMENTO, VIEW, api.content.get_state(documento), user_id)
        }

    # -- changing -----------------------------------------------------------------

    def check_transitions(self, table, state, shared, user_id, fresh):
        """Every transition of the workflow, from ``state``."""
        for transition, (sources, new_state, guard) in table.transitions.items():
            with self.subTest(
                check="transition", state=state, user=user_id, transition=transition
            ):
                body = {"comment": COMMENTS.get(transition, "")}

                def send(obj, transition=transition, body=body):
                    return self.session(user_id).post(
                        f"{obj.absolute_url()}/@workflow/{transition}", json=body
                    )

                if not may(table, VIEW, state, user_id):
                    self.count("transition", "unseen")
                    self.refused(user_id, shared, lambda: send(shared))
                elif state not in sources:
                    self.count("transition", "not from this state")
                    response = self.refused(
                        user_id, shared, lambda: send(shared), status=400
                    )
                    self.assertEqual(
                        response.json()["error"]["type"], "WorkflowException"
                    )
                elif may(table, guard, state, user_id):
                    self.count("transition", "allowed")
                    obj = fresh()
                    prepare = PREPARE.get((table.workflow_id, transition))
                    if prepare is not None:
                        prepare(self.fixture, obj)
                        transaction.commit()
                    response = send(obj)
                    self.assertEqual(response.status_code, 200, response.text[:300])
                    self.assertEqual(response.json()["review_state"], new_state)
                    transaction.begin()
                    self.assertEqual(api.content.get_state(obj), new_state)
                else:
                    self.count("transition", "refused")
                    response = self.refused(
                        user_id, shared, lambda: send(shared), exactly=403
                    )
                    error = response.json()["error"]
                    self.assertEqual(error["type"], "Forbidden")
                    self.assertIn("You are not allowed", error["message"])

    def check_modify(self, table, state, shared, user_id):
        with self.subTest(check="modify", state=state, user=user_id):
            title = f"Canviat per {user_id}"

            def send():
                return self.session(user_id).patch(
                    shared.absolute_url(), json={"title": title}
                )

            if may(table, MODIFY, state, user_id):
                self.count("modify", "allowed")
                response = send()
                self.assertEqual(response.status_code, 204, response.text[:300])
                transaction.begin()
                self.assertEqual(shared.Title(), title)
            else:
                self.count("modify", "refused")
                self.refused(user_id, shared, send)

    def check_delete(self, table, state, shared, user_id, fresh):
        with self.subTest(check="delete", state=state, user=user_id):

            def send(obj):
                return self.session(user_id).delete(obj.absolute_url())

            if not may(table, DELETE, state, user_id):
                self.count("delete", "refused")
                self.refused(user_id, shared, lambda: send(shared))
                return
            kept = self.kept_records(shared)
            if kept:
                # Allowed by the table, refused by the rule that keeps signed
                # and annulled documents: deleting the expediente would delete
                # them (workflow/subscribers.py).
                self.count("delete", "refused by rule")
                response = self.refused(
                    user_id, shared, lambda: send(shared), status=403
                )
                self.assertIn("cannot be deleted", response.json()["error"]["message"])
                return
            self.count("delete", "allowed")
            obj = fresh()
            parent = aq_parent(aq_inner(obj))
            response = send(obj)
            self.assertEqual(response.status_code, 204, response.text[:300])
            transaction.begin()
            self.assertNotIn(obj.getId(), parent.objectIds())

    def kept_records(self, obj):
        transaction.begin()
        return [
            child
            for child in getattr(obj, "objectValues", tuple)()
            if child.portal_type == "Documento"
            and api.content.get_state(child) in KEPT_DOCUMENT_STATES
        ]

    def check_add_documento(self, state, expediente, user_id):
        with self.subTest(check="add documento", state=state, user=user_id):
            title = f"Aportat per {user_id}"

            def send():
                return self.session(user_id).post(
                    expediente.absolute_url(), json=documento_payload(title)
                )

            allowed = may(EXPEDIENTE, ADD_CONTENT, state, user_id) and may(
                EXPEDIENTE, ADD_DOCUMENTO, state, user_id
            )
            if not allowed:
                self.count("add documento", "refused")
                self.refused(user_id, expediente, send)
                return
            self.count("add documento", "allowed")
            before = set(self.snapshot(expediente)[5])
            response = send()
            self.assertEqual(response.status_code, 201, response.text[:300])
            transaction.begin()
            (new_id,) = set(expediente.objectIds()) - before
            documento = expediente[new_id]
            self.assertEqual(documento.Title(), title)
            self.assertEqual(api.content.get_state(documento), DOCUMENTO.initial_state)
            self.assertEqual(response.json()["@id"], documento.absolute_url())

    def fresh_factory(self, make):
        def fresh():
            obj = make()
            transaction.commit()
            return obj

        return fresh

    def count(self, check, outcome):
        self.outcomes[check, outcome] += 1

    def assert_both_outcomes(self, expected):
        """Each check met each of its outcomes at least once: a matrix that
        only refuses, or only allows, would prove little."""
        for check, outcome in expected:
            with self.subTest(check=check, outcome=outcome):
                self.assertGreater(self.outcomes[check, outcome], 0)


class TestExpedienteMatrix(PermissionMatrixTestCase):
    def test_every_user_in_every_state(self):
        table = EXPEDIENTE
        unidad = self.fixture.unidad
        sees_unit = {user_id: self.can_see(user_id, unidad) for user_id in USERS}
        checked_states = []
        for state in table.states:
            if state not in EXPEDIENTE_PATHS:
                with self.subTest(state=state):
                    self.fail(
                        f"The fixture cannot bring an expediente into {state}: "
                        "add its path to EXPEDIENTE_PATHS."
                    )
                continue
            checked_states.append(state)
            shared = self.fixture.expediente(state)
            transaction.commit()
            # Reading first: the changes below add documents.
            for user_id in USERS:
                body = self.check_view(table, state, shared, user_id)
                with self.subTest(check="list", state=state, user=user_id):
                    items = self.listed(user_id, unidad)
                    self.assertEqual(items is not None, sees_unit[user_id])
                    if items is not None:
                        self.assertEqual(
                            shared.absolute_url() in items,
                            may(table, VIEW, state, user_id),
                        )
                    if body is not None:
                        self.assertEqual(
                            {item["@id"] for item in body["items"]},
                            self.expected_items(shared, user_id),
                        )
                self.check_search(table, state, shared, user_id)
            fresh = self.fresh_factory(
                lambda state=state: self.fixture.expediente(state)
            )
            for user_id in USERS:
                self.check_transitions(table, state, shared, user_id, fresh)
                self.check_delete(table, state, shared, user_id, fresh)
                self.check_modify(table, state, shared, user_id)
                self.check_add_documento(state, shared, user_id)
        self.assertEqual(checked_states, table.states)
        self.assert_both_outcomes(
            [
                ("view", "allowed"),
                ("view", "refused"),
                ("search", "found"),
                ("search", "not found"),
                ("modify", "allowed"),
                ("modify", "refused"),
                ("add documento", "allowed"),
                ("add documento", "refused"),
                ("delete", "allowed"),
                ("delete", "refused"),
                ("delete", "refused by rule"),
                ("transition", "allowed"),
                ("transition", "refused"),
                ("transition", "not from this state"),
                ("transition", "unseen"),
            ]
        )


class TestDocumentoMatrix(PermissionMatrixTestCase):
    def test_every_user_in_every_state(self):
        table = DOCUMENTO
        # The documents of an expediente in progress: their own permissions.
        expediente = self.fixture.expediente(
            "en_tramitacion", title="Expedient dels documents"
        )
        shared = {}
        for state in table.states:
            if state not in DOCUMENTO_PATHS:
                with self.subTest(state=state):
                    self.fail(
                        f"The fixture cannot bring a document into {state}: "
                        "add its path to DOCUMENTO_PATHS."
                    )
                continue
            shared[state] = self.fixture.documento(expediente, state)
        transaction.commit()
        for user_id in USERS:
            with self.subTest(check="list", user=user_id):
                items = self.listed(user_id, expediente)
                self.assertEqual(
                    items is not None,
                    may(EXPEDIENTE, VIEW, "en_tramitacion", user_id),
                )
                if items is not None:
                    self.assertEqual(items, self.expected_items(expediente, user_id))
                    self.assertEqual(
                        {
                            state
                            for state, obj in shared.items()
                            if obj.absolute_url() in items
                        },
                        {state for state in shared if may(table, VIEW, state, user_id)},
                    )
            for state, documento in shared.items():
                self.check_view(table, state, documento, user_id)
                self.check_search(table, state, documento, user_id)
        for state, documento in shared.items():
            fresh = self.fresh_factory(
                lambda state=state: self.fixture.documento(expediente, state)
            )
            for user_id in USERS:
                self.check_transitions(table, state, documento, user_id, fresh)
                self.check_delete(table, state, documento, user_id, fresh)
                self.check_modify(table, state, documento, user_id)
        self.assertEqual(list(shared), table.states)
        self.assert_both_outcomes(
            [
                ("view", "allowed"),
                ("view", "refused"),
                ("search", "found"),
                ("search", "not found"),
                ("modify", "allowed"),
                ("modify", "refused"),
                ("delete", "allowed"),
                ("delete", "refused"),
                ("transition", "allowed"),
                ("transition", "refused"),
                ("transition", "not from this state"),
                ("transition", "unseen"),
            ]
        )
