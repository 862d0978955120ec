"""Every cell of the tables beside the workflows (profiles/default/workflows/
<id>/permissions.txt), checked against the site three ways: the installed
workflow definition (states, transitions, guards, permission maps); the role
mappings of real objects brought into each state; and what each named user
(tests/test_workflow_fixtures.py) may do on those objects, which covers the
roles coming from groups and local roles on the unit and the expediente."""

from AccessControl import getSecurityManager
from AccessControl.Permission import Permission
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests.test_workflow_fixtures import as_user
from paeria.egov.tests.test_workflow_fixtures import DOCUMENTO_PATHS
from paeria.egov.tests.test_workflow_fixtures import EXPEDIENTE_PATHS
from paeria.egov.tests.test_workflow_fixtures import NOTIFICACION_PATHS
from paeria.egov.tests.test_workflow_fixtures import PROCEDIMIENTO_PATHS
from paeria.egov.tests.test_workflow_fixtures import roles_of
from paeria.egov.tests.test_workflow_fixtures import SOLICITUD_PATHS
from paeria.egov.tests.test_workflow_fixtures import USERS
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from types import MappingProxyType
import os
import paeria.egov
import re
import unittest


WORKFLOWS_DIR = os.path.join(
    os.path.dirname(paeria.egov.__file__), "profiles", "default", "workflows"
)
TRANSITION_LINE = re.compile(r"^\s+(\w+): ([\w, ]+) -> (\w+) \[(.+)\]$")


class Table:
    """A permissions.txt: columns (abbreviation → role), states, transitions
    and one block per permission (state → set of roles)."""

    def __init__(self, workflow_id):
        self.workflow_id = workflow_id
        path = os.path.join(WORKFLOWS_DIR, workflow_id, "permissions.txt")
        with open(path, encoding="utf-8") as stream:
            self.parse(stream.read().splitlines())

    def parse(self, lines):
        self.columns = {}
        self.states = []
        self.initial_state = None
        self.transitions = {}
        self.permissions = {}
        section = None
        permission = None
        header = None
        for line in lines:
            if not line.strip():
                section = permission = header = None
                continue
            if line in ("Columns:", "States:") or line.startswith("Transitions"):
                section = line.split()[0].rstrip(":")
                continue
            if line.startswith("[") and line.endswith("]"):
                permission = line[1:-1]
                self.permissions[permission] = {}
                continue
            if permission is not None:
                header = self._permission_row(permission, header, line)
            elif section is not None:
                self._SECTIONS[section](self, line)

    def _permission_row(self, permission, header, line):
        """One line of a permission block: its header (returned as the roles of
        its columns) or a state's marks; returns the header."""
        cells = line.split()
        if header is None:
            assert cells[0] == "state", line
            return [self.columns[abbr] for abbr in cells[1:]]
        state, marks = cells[0], cells[1:]
        assert len(marks) == len(header), line
        assert set(marks) <= {"X", "."}, line
        self.permissions[permission][state] = {
            role for role, mark in zip(header, marks, strict=True) if mark == "X"
        }
        return header

    def _column(self, line):
        abbr, role = line.split(None, 1)
        self.columns[abbr] = role

    def _state(self, line):
        if line.strip().startswith("Initial state:"):
            self.initial_state = line.split(":", 1)[1].strip()
        elif not line.startswith("   "):
            # "  <state id>  <description>"; deeper lines continue it.
            self.states.append(line.split()[0])

    def _transition(self, line):
        match = TRANSITION_LINE.match(line)
        assert match, line
        tid, sources, new_state, guard = match.groups()
        self.transitions[tid] = (
            {source.strip() for source in sources.split(",")},
            new_state,
            guard,
        )

    # Section heading word: the parser of its lines.
    _SECTIONS = MappingProxyType(
        {"Columns": _column, "States": _state, "Transitions": _transition}
    )

    @property
    def roles(self):
        return set(self.columns.values())


TABLES = {
    workflow_id: Table(workflow_id)
    for workflow_id in (
        "paeria_expediente_workflow",
        "paeria_documento_workflow",
        "paeria_procedimiento_workflow",
        "paeria_solicitudinforme_workflow",
        "paeria_notificacion_workflow",
    )
}


class TestTablesAreComplete(unittest.TestCase):
    """The tables themselves: every permission has a row for every state, so no
    cell is left to chance."""

    def test_every_block_covers_every_state(self):
        for workflow_id, table in TABLES.items():
            self.assertTrue(table.permissions, workflow_id)
            self.assertIn(table.initial_state, table.states)
            for permission, rows in table.permissions.items():
                with self.subTest(workflow=workflow_id, permission=permission):
                    self.assertEqual(list(rows), table.states)


class WorkflowTablesTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.wftool = api.portal.get_tool("portal_workflow")


class TestDefinitions(WorkflowTablesTestCase):
    """The installed DCWorkflow definitions say what the tables say."""

    def test_bindings(self):
        for portal_type, workflow_id in (
            ("Expediente", "paeria_expediente_workflow"),
            ("Documento", "paeria_documento_workflow"),
            ("Procedimiento", "paeria_procedimiento_workflow"),
            ("SolicitudInforme", "paeria_solicitudinforme_workflow"),
            ("Notificacion", "paeria_notificacion_workflow"),
        ):
            with self.subTest(portal_type=portal_type):
                self.assertEqual(
                    self.wftool.getChainForPortalType(portal_type), (workflow_id,)
                )
        for portal_type in ("Catalogo", "Registro", "Unidades", "Unidad"):
            with self.subTest(portal_type=portal_type):
                self.assertEqual(self.wftool.getChainForPortalType(portal_type), ())

    def test_states_transitions_and_guards(self):
        for workflow_id, table in TABLES.items():
            workflow = self.wftool[workflow_id]
            with self.subTest(workflow=workflow_id):
                self.assertEqual(workflow.initial_state, table.initial_state)
                self.assertEqual(set(workflow.states.objectIds()), set(table.states))
                self.assertEqual(
                    set(workflow.transitions.objectIds()), set(table.transitions)
                )
                # Managers do not bypass the guards: nobody signs but a Responsable.
                self.assertFalse(workflow.manager_bypass)
            for tid, (sources, new_state, guard) in table.transitions.items():
                transition = workflow.transitions[tid]
                with self.subTest(workflow=workflow_id, transition=tid):
                    self.assertEqual(transition.new_state_id, new_state)
                    leaving = {
                        state.getId()
                        for state in workflow.states.objectValues()
                        if tid in state.transitions
                    }
                    self.assertEqual(leaving, sources)
                    # Permission-only guards (STYLE.md): no roles, groups or
                    # expressions; the preconditions are in workflow/rules.py.
                    self.assertEqual(transition.guard.permissions, (guard,))
                    self.assertFalse(transition.guard.roles)
                    self.assertFalse(transition.guard.groups)
                    self.assertIsNone(transition.guard.expr)

    def test_permission_maps(self):
        for workflow_id, table in TABLES.items():
            workflow = self.wftool[workflow_id]
            self.assertEqual(set(workflow.permissions), set(table.permissions))
            for permission, rows in table.permissions.items():
                for state_id, roles in rows.items():
                    with self.subTest(
                        workflow=workflow_id, permission=permission, state=state_id
                    ):
                        info = workflow.states[state_id].getPermissionInfo(permission)
                        self.assertFalse(info["acquired"])
                        self.assertEqual(set(info["roles"]), roles)


class ObjectsInEachStateTestCase(WorkflowTablesTestCase):
    def setUp(self):
        super().setUp()
        self.fixture = WorkflowFixture(self.portal)

    def objects(self):
        """(workflow id, state, object, roles of the users on it) for every state."""
        for state in EXPEDIENTE_PATHS:
            yield (
                "paeria_expediente_workflow",
                state,
                self.fixture.expediente(state),
                False,
            )
        expediente = self.fixture.expediente("en_tramitacion")
        for state in DOCUMENTO_PATHS:
            documento = self.fixture.documento(expediente, state)
            yield "paeria_documento_workflow", state, documento, False
        for state in PROCEDIMIENTO_PATHS:
            procedimiento = self.fixture.procedimiento_in(state)
            yield "paeria_procedimiento_workflow", state, procedimiento, True
        for state in SOLICITUD_PATHS:
            solicitud = self.fixture.solicitud(expediente, state)
            yield "paeria_solicitudinforme_workflow", state, solicitud, False
        for state in NOTIFICACION_PATHS:
            notificacion = self.fixture.notificacion(expediente, state)
            yield "paeria_notificacion_workflow", state, notificacion, False


class TestRoleMappingsOfObjects(ObjectsInEachStateTestCase):
    """An object in each state carries exactly the table's role mappings, none
    acquired from its container."""

    def test_every_cell(self):
        for workflow_id, state, obj, _on_procedure in self.objects():
            table = TABLES[workflow_id]
            self.assertEqual(api.content.get_state(obj), state)
            for permission, rows in table.permissions.items():
                with self.subTest(
                    workflow=workflow_id, state=state, permission=permission
                ):
                    # The object's own setting: a tuple is not acquired, a list is.
                    granted = Permission(permission, (), obj).getRoles(default=[])
                    self.assertIsInstance(granted, tuple)
                    self.assertEqual(set(granted), rows[state])


class TestEffectivePermissionsOfUsers(ObjectsInEachStateTestCase):
    """What each named user may do on an object in each state is what the table
    grants to the roles that user holds there (local roles through the unit's
    groups and on the expediente included)."""

    def test_every_cell_for_every_user(self):
        checked = 0
        for workflow_id, state, obj, on_procedure in self.objects():
            table = TABLES[workflow_id]
            for user_id in USERS:
                held = roles_of(user_id, on_procedure)
                if workflow_id == "paeria_solicitudinforme_workflow":
                    # A request blocks the expediente's local roles: the
                    # citizen holds nothing on it (test_workflow_fixtures).
                    held = held - {"Interesado"}
                with as_user(user_id):
                    security = getSecurityManager()
                    for permission, rows in table.permissions.items():
                        expected = bool(rows[state] & held)
                        with self.subTest(
                            workflow=workflow_id,
                            state=state,
                            user=user_id,
                            permission=permission,
                        ):
                            checked += 1
                            self.assertEqual(
                                bool(security.checkPermission(permission, obj)),
                                expected,
                            )
        # 6 + 5 + 3 + 3 + 3 states, 12 users, 14 / 7 / 5 / 6 / 7 permissions.
        self.assertEqual(
            checked,
            (6 * 14 + 5 * 7 + 3 * 5 + 3 * 6 + 3 * 7) * len(USERS),
        )
