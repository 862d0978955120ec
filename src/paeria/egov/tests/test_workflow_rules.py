"""Business rules of the workflows: each refused with its readable message and
allowed once satisfied; signing; immutability of signed documents and closed
expedientes, Manager included; subsanación and the deadline; ENI state."""

from AccessControl import getSecurityManager
from AccessControl import Unauthorized as AccessControlUnauthorized
from OFS.event import ObjectWillBeRemovedEvent
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.csvcodes import csv_regulation
from paeria.egov.eni.bridge import documento_signatures
from paeria.egov.eni.checks import check_signature
from paeria.egov.expedientes.metadata import compute_expediente_deadline
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import as_user
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from paeria.egov.workflow.errors import RecordImmutable
from paeria.egov.workflow.errors import TransitionRefused
from paeria.egov.workflow.rules import transition_violations
from paeria.egov.workflow.signing import add_signature
from paeria.egov.workflow.signing import SigningError
from paeria.egov.workflow.subscribers import protect_closed_expediente
from plone import api
from plone.api.exc import InvalidParameterError
from unittest import mock
from zExceptions import Unauthorized as PublisherUnauthorized
from zope.i18n import translate
from zope.lifecycleevent import modified
import datetime
import hashlib
import re
import unittest


# Zope raises either, depending on the layer that refuses.
Unauthorized = (AccessControlUnauthorized, PublisherUnauthorized)
CSV_PATTERN = re.compile(r"^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{32}$")  # 160 bits


class WorkflowRulesTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        base.prefer_english(self.request)
        self.fixture = WorkflowFixture(self.portal)

    def state(self, obj):
        return api.content.get_state(obj)

    def assertRefused(self, obj, transition, *fragments, comment=""):
        """The transition is refused, its message contains ``fragments``, and
        the object stays in its state."""
        before = self.state(obj)
        history = len(obj.workflow_history[self.wf_id(obj)])
        with self.assertRaises(TransitionRefused) as caught:
            api.content.transition(obj, transition, comment=comment)
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(self.state(obj), before)
        self.assertEqual(len(obj.workflow_history[self.wf_id(obj)]), history)
        return caught.exception

    def wf_id(self, obj):
        return api.portal.get_tool("portal_workflow").getChainFor(obj)[0]


class TestResolver(WorkflowRulesTestCase):
    MESSAGE = (
        "The expediente cannot be resolved without a signed resolution document "
        "(document type TD01)."
    )

    def test_refused_until_a_resolution_is_signed(self):
        expediente = self.fixture.expediente("en_tramitacion")
        self.assertRefused(expediente, "resolver", self.MESSAGE)
        # Neither a draft resolution nor another signed document will do.
        resolucion = self.fixture.documento(
            expediente, "borrador", tipo_documental="TD01"
        )
        self.fixture.documento(expediente, "firmado", tipo_documental="TD14")
        self.assertRefused(expediente, "resolver", self.MESSAGE)
        self.fixture.transition(resolucion, "enviar_firma")
        self.assertRefused(expediente, "resolver", self.MESSAGE)
        self.fixture.transition(resolucion, "firmar")
        self.assertEqual(transition_violations(expediente, "resolver"), [])
        api.content.transition(expediente, "resolver")
        self.assertEqual(self.state(expediente), "resuelto")

    def test_violations_are_translatable_messages(self):
        expediente = self.fixture.expediente("en_tramitacion")
        (violation,) = transition_violations(expediente, "resolver")
        self.assertEqual(violation, "error_resolver_without_signed_resolution")
        self.assertEqual(violation.domain, "paeria.egov")
        self.assertEqual(translate(violation), self.MESSAGE)


class TestCerrar(WorkflowRulesTestCase):
    def test_refused_while_documents_are_unfinished(self):
        expediente = self.fixture.expediente("resuelto")
        borrador = self.fixture.documento(
            expediente, "borrador", title="Informe tècnic"
        )
        pendiente = self.fixture.documento(
            expediente, "pendiente_firma", title="Notificació"
        )
        refusal = self.assertRefused(
            expediente,
            "cerrar",
            "The expediente cannot be closed while documents are drafts or "
            "awaiting signature:",
            "“Informe tècnic”",
            "“Notificació”",
        )
        self.assertEqual(len(refusal.violations), 1)
        self.fixture.transition(borrador, "anular")
        refusal = self.assertRefused(expediente, "cerrar", "“Notificació”")
        self.assertNotIn("Informe tècnic", str(refusal))
        self.fixture.transition(pendiente, "firmar")
        api.content.transition(expediente, "cerrar")
        self.assertEqual(self.state(expediente), "cerrado")


class TestReabrir(WorkflowRulesTestCase):
    MESSAGE = "Reopening a closed expediente needs a comment saying why."

    def test_needs_a_comment(self):
        expediente = self.fixture.expediente("cerrado")
        self.assertRefused(expediente, "reabrir", self.MESSAGE)
        self.assertRefused(expediente, "reabrir", self.MESSAGE, comment="  \n ")
        api.content.transition(expediente, "reabrir", comment="Recurs de reposició")
        self.assertEqual(self.state(expediente), "en_tramitacion")
        last = expediente.workflow_history["paeria_expediente_workflow"][-1]
        self.assertEqual(last["action"], "reabrir")
        self.assertEqual(last["comments"], "Recurs de reposició")

    def test_only_the_head_of_the_unit_reopens(self):
        expediente = self.fixture.expediente("cerrado")
        with as_user("tramitador"), self.assertRaises(InvalidParameterError):
            api.content.transition(expediente, "reabrir", comment="Vull")
        with as_user("responsable"):
            api.content.transition(expediente, "reabrir", comment="Recurs")
        self.assertEqual(self.state(expediente), "en_tramitacion")


class TestAnular(WorkflowRulesTestCase):
    def test_needs_a_comment_and_keeps_the_document(self):
        documento = self.fixture.documento(state="firmado")
        self.assertRefused(
            documento, "anular", "Annulling a document needs a comment saying why."
        )
        api.content.transition(documento, "anular", comment="Error en l'import")
        self.assertEqual(self.state(documento), "anulado")
        # Kept, with its signature and why it was annulled.
        self.assertEqual(len(documento.signatures), 1)
        last = documento.workflow_history["paeria_documento_workflow"][-1]
        self.assertEqual(last["comments"], "Error en l'import")

    def test_documents_of_a_closed_expediente_do_not_change_state(self):
        expediente = self.fixture.expediente("cerrado")
        (resolucion,) = expediente.objectValues()
        self.assertRefused(
            resolucion,
            "anular",
            f"The expediente {expediente.numero} is closed: its documents cannot "
            "change state.",
            comment="Per error",
        )


class TestSigning(WorkflowRulesTestCase):
    def sign(self, documento):
        self.fixture.transition(documento, "enviar_firma")
        with as_user("responsable"):
            api.content.transition(documento, "firmar")

    def test_firmar_records_signer_date_fingerprint_and_csv(self):
        data = base.pdf_bytes("Resolucio 7")
        documento = self.fixture.documento(
            title="Resolució", tipo_documental="TD01", file=base.named_file(data)
        )
        with clock.travel("2026-06-02T10:15:30.250+02:00", tick=False):
            self.sign(documento)
        self.assertEqual(self.state(documento), "firmado")
        (record,) = documento.signatures
        self.assertEqual(record.signature_type, "TF01")
        self.assertEqual(record.signer_id, "responsable")
        self.assertEqual(record.signer_fullname, "Responsable")
        self.assertIsNotNone(record.signed_at.tzinfo)
        self.assertEqual(record.signed_at.tzinfo.zone, "Europe/Madrid")
        # The office's time to the second (the instant's 0.25 s dropped).
        self.assertEqual(
            record.signed_at, MADRID.localize(datetime.datetime(2026, 6, 2, 10, 15, 30))
        )
        self.assertEqual(record.huella, hashlib.sha256(data).hexdigest())
        self.assertEqual(record.huella, documento.huella)
        self.assertEqual(record.funcion_resumen, "SHA-256")
        self.assertRegex(record.csv_value, CSV_PATTERN)
        self.assertEqual(record.csv_value, documento.csv)
        self.assertEqual(record.csv_regulation, csv_regulation())
        catalog = api.portal.get_tool("portal_catalog")
        (brain,) = catalog.unrestrictedSearchResults(csv=documento.csv)
        self.assertEqual(brain.UID, documento.UID())

    def test_csv_is_unique_and_redrawn_on_collision(self):
        first = self.fixture.documento(state="firmado", title="Primer")
        second = self.fixture.documento(state="firmado", title="Segon")
        self.assertNotEqual(first.csv, second.csv)
        third = self.fixture.documento(title="Tercer")
        draws = iter([first.csv, "NEWCSVNEWCSVNEWCSVNEWCSV"])
        with mock.patch(
            "paeria.egov.csvcodes.new_csv", side_effect=lambda: next(draws)
        ):
            self.sign(third)
        self.assertEqual(third.csv, "NEWCSVNEWCSVNEWCSVNEWCSV")

    def test_only_the_responsable_signs(self):
        documento = self.fixture.documento(state="pendiente_firma")
        for user_id in ("tramitador", "manager", "siteadmin", "auditor", "colaborador"):
            with self.subTest(user=user_id), as_user(user_id):
                with self.assertRaises((InvalidParameterError, *Unauthorized)):
                    api.content.transition(documento, "firmar")
        self.assertEqual(self.state(documento), "pendiente_firma")
        self.assertFalse(getattr(documento, "signatures", None))

    def test_two_signatures_of_different_types(self):
        documento = self.fixture.documento(state="firmado", tipo_documental="TD01")
        with as_user("responsable"):
            seal = add_signature(documento, "TF06", value=b"%PDF signed bytes")
        self.assertEqual(
            [record.signature_type for record in documento.signatures], ["TF01", "TF06"]
        )
        self.assertEqual(seal.huella, documento.huella)
        self.assertEqual(seal.signer_id, "responsable")
        # One CSV per document.
        with self.assertRaises(SigningError):
            add_signature(documento, "TF01")
        with self.assertRaises(SigningError):
            add_signature(documento, "TF04")  # no signature content
        # The ENI export takes them as they are.
        exported = documento_signatures(documento)
        self.assertEqual([s.signature_type for s in exported], ["TF01", "TF06"])
        self.assertEqual(exported[0].csv_value, documento.csv)
        self.assertEqual(exported[1].value, b"%PDF signed bytes")
        for signature in exported:
            self.assertEqual(check_signature(signature, "signature"), [])

    def test_only_signed_documents_take_signatures(self):
        documento = self.fixture.documento(state="borrador")
        with self.assertRaises(SigningError):
            add_signature(documento, "TF06", value=b"x")

    def test_firmar_refused_when_the_bytes_do_not_match_the_fingerprint(self):
        documento = self.fixture.documento(state="pendiente_firma")
        documento.huella = "0" * 64
        with as_user("responsable"):
            with self.assertRaises(TransitionRefused) as caught:
                api.content.transition(documento, "firmar")
        self.assertIn("does not match its recorded fingerprint", str(caught.exception))
        self.assertEqual(self.state(documento), "pendiente_firma")


class TestSignedDocumentsAreImmutable(WorkflowRulesTestCase):
    """Nobody, Manager included, modifies, deletes, renames or moves a signed
    (or annulled) document."""

    def setUp(self):
        super().setUp()
        self.expediente = self.fixture.expediente("en_tramitacion")
        self.firmado = self.fixture.documento(
            self.expediente, "firmado", title="Signat"
        )
        self.anulado = self.fixture.documento(
            self.expediente, "anulado", title="Anul·lat"
        )

    def test_manager_may_not_modify_or_delete(self):
        security = getSecurityManager()
        for documento in (self.firmado, self.anulado):
            with self.subTest(state=self.state(documento)):
                self.assertTrue(api.user.has_permission("Manage portal", obj=documento))
                self.assertFalse(
                    security.checkPermission("Modify portal content", documento)
                )
                self.assertFalse(security.checkPermission("Delete objects", documento))
                with self.assertRaises(Unauthorized):
                    api.content.delete(documento)
                self.assertIn(documento.getId(), self.expediente)

    def test_removal_refused_even_bypassing_permissions(self):
        for documento in (self.firmado, self.anulado):
            with self.subTest(state=self.state(documento)):
                with self.assertRaises(RecordImmutable) as caught:
                    self.expediente._delObject(documento.getId())
                self.assertIn("cannot be deleted", str(caught.exception))
                self.assertIn(documento.getId(), self.expediente)

    def test_deleting_the_expediente_is_refused(self):
        with self.assertRaises(RecordImmutable):
            self.fixture.unidad._delObject(self.expediente.getId())
        self.assertIn(self.expediente.getId(), self.fixture.unidad)

    def test_rename_and_move_refused(self):
        other = self.fixture.expediente("en_tramitacion", title="Un altre")
        for documento in (self.firmado, self.anulado):
            with self.subTest(state=self.state(documento)):
                doc_id = documento.getId()
                with self.assertRaises(RecordImmutable):
                    api.content.rename(documento, new_id="renamed")
                with self.assertRaises(RecordImmutable):
                    api.content.move(documento, target=other)
                self.assertIn(doc_id, self.expediente)
                self.assertNotIn(doc_id, other)

    def test_bytes_cannot_change(self):
        original = self.firmado.file.data
        self.firmado.file = base.named_file(base.pdf_bytes("Falsificat"))
        with self.assertRaises(RecordImmutable) as caught:
            modified(self.firmado)
        self.assertIn("its file cannot change", str(caught.exception))
        # A metadata change that keeps the bytes is not refused by the subscriber
        # (the workflow keeps users from it).
        self.firmado.file = base.named_file(original)
        modified(self.firmado)

    def test_moves_with_its_expediente(self):
        api.content.move(self.expediente, target=self.fixture.otra_unidad)
        moved = self.fixture.otra_unidad[self.expediente.getId()]
        self.assertEqual(self.state(moved[self.firmado.getId()]), "firmado")

    def test_copy_is_a_new_unsigned_document(self):
        other = self.fixture.expediente("en_tramitacion", title="Destí")
        copy = api.content.copy(self.firmado, target=other)
        self.assertEqual(self.state(copy), "borrador")
        self.assertIsNone(getattr(copy, "csv", None))
        self.assertFalse(getattr(copy, "signatures", None))
        self.assertEqual(len(self.firmado.signatures), 1)
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(csv=self.firmado.csv)), 1
        )


class TestClosedExpediente(WorkflowRulesTestCase):
    """Closed (and archived): read-only for everyone, Manager included."""

    def test_read_only_for_manager(self):
        security = getSecurityManager()
        for state in ("cerrado", "archivado"):
            expediente = self.fixture.expediente(state)
            with self.subTest(state=state):
                for permission in (
                    "Modify portal content",
                    "Delete objects",
                    "Add portal content",
                    "paeria.egov: Add Documento",
                ):
                    self.assertFalse(security.checkPermission(permission, expediente))
                with self.assertRaises(Unauthorized):
                    base.create_documento(expediente, title="Tard")
                with self.assertRaises(Unauthorized):
                    api.content.delete(expediente)
                # Bypassing permissions: its signed resolution or the expediente
                # itself refuses, whichever is asked first.
                with self.assertRaises(RecordImmutable) as caught:
                    self.fixture.unidad._delObject(expediente.getId())
                self.assertIn("cannot be deleted", str(caught.exception))
                event = ObjectWillBeRemovedEvent(
                    expediente, self.fixture.unidad, expediente.getId()
                )
                with self.assertRaises(RecordImmutable) as caught:
                    protect_closed_expediente(expediente, event)
                self.assertIn(
                    f"The expediente {expediente.numero} is closed: it cannot be "
                    "deleted.",
                    str(caught.exception),
                )
                self.assertEqual(len(expediente.objectIds()), 1)  # its resolution

    def test_eni_state_follows_the_workflow(self):
        catalog = api.portal.get_tool("portal_catalog")
        expediente = self.fixture.expediente("resuelto")

        def indexed():
            (brain,) = catalog.unrestrictedSearchResults(UID=expediente.UID())
            return brain.eni_state, catalog.getIndexDataForRID(brain.getRID())[
                "eni_state"
            ]

        self.assertEqual(indexed(), ("E01", "E01"))
        api.content.transition(expediente, "cerrar")
        self.assertEqual(expediente.eni_state, "E02")
        self.assertEqual(indexed(), ("E02", "E02"))
        api.content.transition(expediente, "reabrir", comment="Recurs")
        self.assertEqual(indexed(), ("E01", "E01"))
        api.content.transition(expediente, "resolver")
        api.content.transition(expediente, "cerrar")
        api.content.transition(expediente, "archivar")
        self.assertEqual(indexed(), ("E02", "E02"))


class TestSubsanacion(WorkflowRulesTestCase):
    """Requiring a correction suspends the deadline until the citizen answers
    (LPAC arts. 22.1.a and 68); the citizen may add documents meanwhile."""

    def test_suspends_and_recomputes_the_deadline(self):
        # The fixture's procedure resolves in 3 months (art. 21.3 LPAC, the
        # term counted from the opening, art. 30.4). The registry holds the
        # 2026 holidays of Lleida (national, Catalan and local).
        base.with_holidays(2026, 2027)
        catalog = api.portal.get_tool("portal_catalog")
        # Opened on Tuesday 8 Sep 2026: 3 months end on Tuesday 8 Dec 2026,
        # the Immaculada (national holiday), so the deadline is extended to
        # Wednesday 9 Dec (art. 30.5).
        with clock.travel("2026-09-08T10:00"):
            expediente = self.fixture.expediente("en_tramitacion")
        self.assertEqual(expediente.fecha_limite, datetime.date(2026, 12, 9))
        # Correction required on Monday 5 Oct (art. 68.1): the term is
        # suspended from then (art. 22.1.a); nothing is suspended yet that day.
        with clock.travel("2026-10-05T12:00"):
            api.content.transition(expediente, "requerir_subsanacion")
        self.assertEqual(expediente.suspensions, ((datetime.date(2026, 10, 5), None),))
        self.assertEqual(expediente.fecha_limite, datetime.date(2026, 12, 9))
        # Answered on Thursday 15 Oct: (5 Oct, 15 Oct] is 10 suspended days.
        with clock.travel("2026-10-15T09:30"):
            api.content.transition(expediente, "subsanar")
        self.assertEqual(
            expediente.suspensions,
            ((datetime.date(2026, 10, 5), datetime.date(2026, 10, 15)),),
        )
        # The ten days extend the term's real last day, 8 Dec, not the
        # already extended 9 Dec: 8 Dec + 10 = Friday 18 Dec 2026, a business
        # day. Art. 30.5 applies once, to the last day after the suspension,
        # so the deadline moves by 9 days here, not 10 (issue 15: a test that
        # expected at least 10 failed when today's deadline was a holiday).
        self.assertEqual(expediente.fecha_limite, datetime.date(2026, 12, 18))
        (brain,) = catalog.unrestrictedSearchResults(UID=expediente.UID())
        self.assertEqual(brain.fecha_limite, datetime.date(2026, 12, 18))

    def test_an_open_suspension_keeps_moving_the_deadline(self):
        # While the correction is pending the deadline counts the suspended
        # days up to today (art. 22.1.a: until it is actually complied with).
        base.with_holidays(2026, 2027)
        # Opened Tuesday 8 Sep 2026: due Wednesday 9 Dec (8 Dec is a holiday).
        with clock.travel("2026-09-08T10:00"):
            expediente = self.fixture.expediente("en_tramitacion")
        with clock.travel("2026-10-05T12:00"):
            api.content.transition(expediente, "requerir_subsanacion")
        # On Saturday 10 Oct, five days: 8 Dec + 5 = Sunday 13 Dec -> Monday 14.
        with clock.travel("2026-10-10T12:00"):
            self.assertEqual(
                compute_expediente_deadline(expediente), datetime.date(2026, 12, 14)
            )
        # Thirteen days after 5 Oct, on Sunday 18 Oct: 8 Dec + 13 = Monday 21 Dec.
        with clock.travel("2026-10-18T12:00"):
            self.assertEqual(
                compute_expediente_deadline(expediente), datetime.date(2026, 12, 21)
            )

    def test_a_correction_answered_on_a_holiday(self):
        # The citizen may answer through the electronic office on any day:
        # the suspension ends that day even if it is a holiday, and its days
        # are calendar days (art. 22.1.a LPAC), the holiday included.
        base.with_holidays(2026, 2027)
        # Opened Tuesday 8 Sep 2026: due Wednesday 9 Dec (8 Dec a holiday).
        with clock.travel("2026-09-08T10:00"):
            expediente = self.fixture.expediente("en_tramitacion")
        # Required on Thursday 24 Sep, answered on Tuesday 29 Sep, Sant Miquel
        # (Lleida's local holiday): (24 Sep, 29 Sep] is 5 days.
        with clock.travel("2026-09-24T12:00"):
            api.content.transition(expediente, "requerir_subsanacion")
        with clock.travel("2026-09-29T18:00"):
            api.content.transition(expediente, "subsanar")
        self.assertEqual(
            expediente.suspensions,
            ((datetime.date(2026, 9, 24), datetime.date(2026, 9, 29)),),
        )
        # 8 Dec + 5 = Sunday 13 Dec, extended to Monday 14 Dec (art. 30.5).
        self.assertEqual(expediente.fecha_limite, datetime.date(2026, 12, 14))

    def test_resolving_during_subsanacion_ends_the_suspension(self):
        expediente = self.fixture.expediente("subsanacion")
        self.fixture.documento(expediente, "firmado", tipo_documental="TD01")
        api.content.transition(expediente, "resolver")
        ((_start, end),) = expediente.suspensions
        self.assertIsNotNone(end)

    def test_second_suspension_is_a_new_period(self):
        expediente = self.fixture.expediente("en_tramitacion")
        for _round in range(2):
            api.content.transition(expediente, "requerir_subsanacion")
            api.content.transition(expediente, "subsanar")
        self.assertEqual(len(expediente.suspensions), 2)
        self.assertTrue(all(end is not None for start, end in expediente.suspensions))

    def test_interesado_adds_documents_only_during_subsanacion(self):
        expediente = self.fixture.expediente("en_tramitacion")
        with as_user("interesado"), self.assertRaises(Unauthorized):
            base.create_documento(expediente, title="Abans", origen="ciudadano")
        api.content.transition(expediente, "requerir_subsanacion")
        with as_user("interesado"):
            documento = base.create_documento(
                expediente, title="Plànol corregit", origen="ciudadano"
            )
            # Their own draft they see; they do not edit or delete it.
            security = getSecurityManager()
            self.assertTrue(security.checkPermission("View", documento))
            self.assertFalse(
                security.checkPermission("Modify portal content", documento)
            )
        self.assertEqual(self.state(documento), "borrador")
        api.content.transition(expediente, "subsanar")
        with as_user("interesado"), self.assertRaises(Unauthorized):
            base.create_documento(expediente, title="Després", origen="ciudadano")


class TestRefusal(unittest.TestCase):
    def test_re_raised_as_cmf_does_keeps_everything(self):
        refusal = TransitionRefused(
            ["Primer.", "Segon."], url="http://x/e", transition="t"
        )
        again = type(refusal)(refusal)
        self.assertEqual(str(again), "Primer. Segon.")
        self.assertEqual(again.violations, ["Primer.", "Segon."])
        self.assertEqual((again.url, again.transition), ("http://x/e", "t"))
