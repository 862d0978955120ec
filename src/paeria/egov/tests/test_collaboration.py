"""Collaboration and incorporation, in Python (the HTTP flows are in
test_collaboration_http): the default deadline on a hand-checked date, the
preconditions of emitir, what an incorporated document refuses whatever the
path, and the grants kept in step when a request changes unit."""

from datetime import date
from paeria.egov.collaboration.requests import emitir
from paeria.egov.collaboration.requests import sync_collaborators
from paeria.egov.content.solicitudinforme import default_deadline
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from paeria.egov.workflow.errors import RecordImmutable
from paeria.egov.workflow.errors import TransitionRefused
from plone import api
from plone.uuid.interfaces import IUUID
from zExceptions import Unauthorized
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent
import unittest


class CollaborationTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        base.prefer_english(self.layer["request"])
        self.fixture = WorkflowFixture(self.portal)
        self.expediente = self.fixture.expediente("en_tramitacion")


class TestDefaultDeadline(CollaborationTestCase):
    def test_ten_business_days_across_a_weekend_and_easter(self):
        api.portal.set_registry_record(
            "paeria.egov.holidays",
            ["2026-04-03 Divendres Sant", "2026-04-06 Dilluns de Pasqua"],
        )
        # Requested on Friday 27 March 2026: 30, 31 March, 1, 2 April (4),
        # Good Friday and Easter Monday are holidays, 7-10 April (8),
        # 13 and 14 April (10).
        self.assertEqual(default_deadline(date(2026, 3, 27)), date(2026, 4, 14))


class TestEmitirPreconditions(CollaborationTestCase):
    def refusal(self, solicitud, documento):
        with self.assertRaises(TransitionRefused) as caught:
            emitir(solicitud, documento)
        return caught.exception.text()

    def test_the_answer_must_be_a_draft_or_incorporated_document_of_the_expediente(
        self,
    ):
        solicitud = self.fixture.solicitud(self.expediente)
        elsewhere = self.fixture.documento(title="Un altre expedient")
        self.assertEqual(
            self.refusal(solicitud, elsewhere),
            "The report document must be a document of this expediente.",
        )
        pending = self.fixture.documento(self.expediente, "pendiente_firma")
        self.assertIn(
            "cannot be the report: only a draft", self.refusal(solicitud, pending)
        )
        self.assertEqual(api.content.get_state(solicitud), "pendiente")
        report = self.fixture.documento(self.expediente, title="Informe")
        emitir(solicitud, report)
        self.assertEqual(api.content.get_state(solicitud), "emitido")
        self.assertEqual(api.content.get_state(report), "incorporado")
        history = api.portal.get_tool("portal_workflow").getInfoFor(
            report, "review_history"
        )
        self.assertEqual(
            history[-1]["comments"], "Incorporated as the report of Hisenda."
        )


class TestIncorporatedDocuments(CollaborationTestCase):
    def setUp(self):
        super().setUp()
        self.documento = self.fixture.documento(self.expediente, "incorporado")

    def test_its_bytes_never_change(self):
        self.documento.file = base.named_file(base.pdf_bytes("Una altra cosa"))
        with self.assertRaises(RecordImmutable):
            notify(ObjectModifiedEvent(self.documento))

    def test_it_is_never_deleted_moved_or_renamed(self):
        other = self.fixture.expediente("en_tramitacion", title="Un altre")
        doc_id = self.documento.getId()
        # The workflow gives nobody Delete objects, Manager included...
        with self.assertRaises(Unauthorized):
            api.content.delete(self.documento)
        # ...and the subscriber refuses the paths that skip permissions.
        for action in (
            lambda: self.expediente._delObject(doc_id),
            lambda: api.content.move(self.documento, target=other),
            lambda: api.content.rename(self.documento, new_id="renamed"),
        ):
            with self.assertRaises(RecordImmutable):
                action()
        self.assertIn(doc_id, self.expediente)

    def test_it_moves_with_its_expediente(self):
        api.content.move(self.expediente, target=self.fixture.otra_unidad)
        moved = self.fixture.otra_unidad[self.expediente.getId()]
        self.assertEqual(
            api.content.get_state(moved[self.documento.getId()]), "incorporado"
        )

    def test_a_copy_is_a_new_draft(self):
        other = self.fixture.expediente("en_tramitacion", title="Un altre")
        copy = api.content.copy(self.documento, target=other)
        self.assertEqual(api.content.get_state(copy), "borrador")
        self.assertFalse(hasattr(copy.aq_base, "huella_incorporada"))
        copy.file = base.named_file(base.pdf_bytes("Canviat"))
        notify(ObjectModifiedEvent(copy))

    def test_it_can_be_annulled(self):
        self.fixture.transition(self.documento, "anular")
        self.assertEqual(api.content.get_state(self.documento), "anulado")

    def test_it_does_not_block_cerrar_but_a_draft_does(self):
        from paeria.egov.workflow.rules import transition_violations

        self.assertEqual(transition_violations(self.expediente, "cerrar"), [])
        self.fixture.documento(self.expediente)
        self.assertTrue(transition_violations(self.expediente, "cerrar"))


class TestGrantsFollowTheRequests(CollaborationTestCase):
    def colaborador_groups(self):
        return sorted(
            principal
            for principal, roles in self.expediente.get_local_roles()
            if "Colaborador" in roles and principal != "colaborador"
        )

    def test_changing_the_requested_unit_moves_the_grant(self):
        hacienda = self.fixture.requested_unidad
        cultura = self.fixture.otra_unidad
        solicitud = self.fixture.solicitud(self.expediente)
        self.assertEqual(
            self.colaborador_groups(),
            ["hacienda-responsables", "hacienda-tramitadores"],
        )
        solicitud.unidad_solicitada = IUUID(cultura)
        notify(ObjectModifiedEvent(solicitud))
        self.assertEqual(
            self.colaborador_groups(),
            ["cultura-responsables", "cultura-tramitadores"],
        )
        self.assertEqual(
            solicitud.get_local_roles_for_userid(cultura.tramitadores_group_id()),
            ("Colaborador",),
        )
        self.assertEqual(
            solicitud.get_local_roles_for_userid(hacienda.tramitadores_group_id()), ()
        )
        self.assertTrue(solicitud.Title().startswith("Cultura: "))

    def test_an_expediente_handed_to_another_unit_takes_its_requests_along(self):
        solicitud = self.fixture.solicitud(self.expediente)
        cultura = self.fixture.otra_unidad
        urbanismo = self.fixture.unidad
        api.content.move(self.expediente, target=cultura)
        moved = cultura[self.expediente.getId()][solicitud.getId()]
        self.assertEqual(
            moved.get_local_roles_for_userid(cultura.tramitadores_group_id()),
            ("Tramitador",),
        )
        self.assertEqual(
            moved.get_local_roles_for_userid(urbanismo.tramitadores_group_id()), ()
        )

    def test_a_role_given_by_hand_is_left_alone(self):
        cultura = self.fixture.otra_unidad
        group_id = cultura.tramitadores_group_id()
        self.expediente.manage_setLocalRoles(group_id, ["Colaborador"])
        sync_collaborators(self.expediente)
        self.assertEqual(
            self.expediente.get_local_roles_for_userid(group_id), ("Colaborador",)
        )
