"""paeria.egov.states names exactly the states and transitions of each
workflow definition, and its derived sets only name states of their workflow."""

from paeria.egov import states
import os
import unittest
import xml.etree.ElementTree as ET


WORKFLOWS_DIR = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "profiles", "default", "workflows"
)


def definition(workflow_id):
    path = os.path.join(WORKFLOWS_DIR, workflow_id, "definition.xml")
    return ET.parse(path).getroot()


def defined_states(workflow_id):
    return [s.get("state_id") for s in definition(workflow_id).findall("state")]


def defined_transitions(workflow_id):
    return [
        t.get("transition_id") for t in definition(workflow_id).findall("transition")
    ]


def constants(namespace):
    """The ids a namespace names one by one (its upper-case string attributes)."""
    return {
        name: value
        for name, value in vars(namespace).items()
        if name.isupper() and name != "WORKFLOW" and isinstance(value, str)
    }


class TestStatesMatchDefinitions(unittest.TestCase):
    def test_every_workflow_has_a_namespace(self):
        self.assertEqual(
            sorted(os.listdir(WORKFLOWS_DIR)),
            sorted(ns.WORKFLOW for ns in states.WORKFLOWS),
        )

    def test_states_are_the_definitions(self):
        for ns in states.WORKFLOWS:
            with self.subTest(workflow=ns.WORKFLOW):
                defined = defined_states(ns.WORKFLOW)
                self.assertEqual(sorted(ns.STATES), sorted(defined))
                self.assertEqual(len(set(ns.STATES)), len(ns.STATES))

    def test_transitions_are_the_definitions(self):
        for ns in states.WORKFLOWS:
            with self.subTest(workflow=ns.WORKFLOW):
                defined = defined_transitions(ns.WORKFLOW)
                self.assertEqual(sorted(ns.TRANSITIONS), sorted(defined))
                self.assertEqual(len(set(ns.TRANSITIONS)), len(ns.TRANSITIONS))

    def test_every_constant_is_a_state_or_a_transition(self):
        for ns in states.WORKFLOWS:
            with self.subTest(workflow=ns.WORKFLOW):
                named = set(constants(ns).values())
                self.assertEqual(named, set(ns.STATES) | set(ns.TRANSITIONS))

    def test_constant_names_are_their_ids(self):
        for ns in states.WORKFLOWS:
            for name, value in constants(ns).items():
                with self.subTest(workflow=ns.WORKFLOW, name=name):
                    self.assertEqual(name, value.upper())

    def test_initial_state_is_named(self):
        for ns in states.WORKFLOWS:
            with self.subTest(workflow=ns.WORKFLOW):
                initial = definition(ns.WORKFLOW).get("initial_state")
                self.assertIn(initial, ns.STATES)


class TestDerivedSets(unittest.TestCase):
    def assertStatesOf(self, namespace, derived):
        self.assertTrue(derived)
        self.assertLessEqual(set(derived), set(defined_states(namespace.WORKFLOW)))

    def test_expediente_sets(self):
        for derived in (
            states.CLOSED_EXPEDIENTE_STATES,
            states.OPEN_EXPEDIENTE_STATES,
            states.RESOLVED_EXPEDIENTE_STATES,
        ):
            self.assertStatesOf(states.Expediente, derived)

    def test_open_and_resolved_expedientes_cover_every_state_once(self):
        self.assertEqual(
            sorted(states.OPEN_EXPEDIENTE_STATES + states.RESOLVED_EXPEDIENTE_STATES),
            sorted(states.Expediente.STATES),
        )

    def test_document_sets(self):
        self.assertStatesOf(states.Documento, states.IMMUTABLE_DOCUMENT_STATES)
        self.assertStatesOf(states.Documento, states.UNFINISHED_DOCUMENT_STATES)
        self.assertFalse(
            set(states.IMMUTABLE_DOCUMENT_STATES)
            & set(states.UNFINISHED_DOCUMENT_STATES)
        )

    def test_notificacion_sets(self):
        self.assertStatesOf(states.Notificacion, states.ANSWERED_NOTIFICACION_STATES)

    def test_legal_record_states(self):
        by_id = {ns.WORKFLOW: ns for ns in states.WORKFLOWS}
        for workflow_id, derived in states.LEGAL_RECORD_STATES.items():
            with self.subTest(workflow=workflow_id):
                self.assertStatesOf(by_id[workflow_id], derived)
