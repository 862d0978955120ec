"""The general register: numbering, effective dates, receipt, immutability,
distribution and refusals (integration)."""

from datetime import date
from datetime import datetime
from io import BytesIO
from OFS.CopySupport import CopyError
from OFS.event import ObjectWillBeMovedEvent
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.numbering import last_number
from paeria.egov.registro import distribute
from paeria.egov.registro import open_expediente_from_entry
from paeria.egov.registro import register_entry
from paeria.egov.registro import RegistrationError
from paeria.egov.registro import serialize
from paeria.egov.registro.receipt import attached_documents
from paeria.egov.registro.receipt import receipt_of
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests.base import create_procedimiento
from paeria.egov.tests.base import create_unidad
from paeria.egov.tests.base import pdf_bytes
from paeria.egov.tests.base import travel
from paeria.egov.tests.base import VALID_CIF
from paeria.egov.tests.base import VALID_NIF
from paeria.egov.workflow.errors import RecordImmutable
from paeria.egov.workflow.errors import TransitionRefused
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.file import NamedBlobFile
from plone.uuid.interfaces import IUUID
from pypdf import PdfReader
from unittest import mock
from zExceptions import Unauthorized
from zope.event import notify
from zope.lifecycleevent import ObjectCopiedEvent
from zope.lifecycleevent import ObjectModifiedEvent
import hashlib
import threading
import transaction
import unittest


# A business Wednesday of 2026 with the test calendar below.
WEDNESDAY = datetime(2026, 3, 11, 9, 15, 30)
SATURDAY = datetime(2026, 3, 7, 18, 30, 5)
HOLIDAY = datetime(2026, 3, 10, 11, 0, 0)  # a Tuesday declared a holiday
TEST_HOLIDAYS = ["2026-03-10 Festa de prova", "2027-01-06 Reis"]
ROLES = (
    "Manager",
    "Site Administrator",
    "Registrador",
    "Auditor",
    "Tramitador",
    "Responsable",
    "Owner",
    "Editor",
    "Contributor",
    "Reviewer",
    "Member",
)


def madrid(moment):
    return MADRID.localize(moment)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class RegistroTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        # Distributions, expedientes opened from entries and the rest happen
        # on Thursday 12 Mar 2026, the day after WEDNESDAY; each registration
        # stamps the moment it states.
        travel(self, "2026-03-12T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        api.portal.set_registry_record("paeria.egov.holidays", TEST_HOLIDAYS)
        self.unidad = create_unidad(self.portal)
        self.procedimiento = create_procedimiento(
            self.portal,
            self.unidad,
            max_resolution_amount=10,
            max_resolution_unit="business_days",
        )
        self.registro = self.portal["registro"]

    def data(self, **fields):
        values = {
            "canal": "presencial",
            "interesado_identifier_type": "NIF",
            "interesado_identifier": VALID_NIF,
            "interesado_name": "Maria Puig i Soler",
            "resumen": "Sol·licitud de llicència d'obra menor",
            "unidad_destino": IUUID(self.unidad),
            "procedimiento": IUUID(self.procedimiento),
        }
        values.update(fields)
        return {key: value for key, value in values.items() if value is not None}

    def files(self, *texts):
        return [
            {
                "data": pdf_bytes(text),
                "filename": f"{text.lower()}.pdf",
                "content_type": "application/pdf",
            }
            for text in texts
        ]

    def register(self, moment=WEDNESDAY, tipo="entrada", files=None, **fields):
        with clock.travel(madrid(moment), tick=False):
            return register_entry(
                self.data(**fields),
                self.files("Solicitud") if files is None else files,
                tipo=tipo,
            )


class TestNumbering(RegistroTestCase):
    def test_series_and_years_are_numbered_apart(self):
        cases = (
            ("entrada", WEDNESDAY, "E/2026/000001"),
            ("entrada", WEDNESDAY, "E/2026/000002"),
            ("salida", WEDNESDAY, "S/2026/000001"),
            ("entrada", datetime(2027, 1, 4, 10, 0), "E/2027/000001"),
            ("salida", WEDNESDAY, "S/2026/000002"),
            ("entrada", WEDNESDAY, "E/2026/000003"),
        )
        for tipo, moment, expected in cases:
            with self.subTest(expected=expected):
                asiento = self.register(moment=moment, tipo=tipo)
                self.assertEqual(asiento.numero, expected)
                self.assertEqual(asiento.tipo, tipo)
                self.assertEqual(asiento.getId(), expected.replace("/", "-").lower())
        self.assertEqual(last_number(self.portal, "E", 2026), 3)
        self.assertEqual(last_number(self.portal, "S", 2026), 2)
        self.assertEqual(last_number(self.portal, "E", 2027), 1)

    def test_what_the_entry_records(self):
        asiento = self.register(canal="telematico", interesado_identifier="12345678-z")
        self.assertEqual(asiento.fecha_presentacion, madrid(WEDNESDAY))
        self.assertEqual(str(asiento.fecha_presentacion.tzinfo), "Europe/Madrid")
        self.assertEqual(asiento.canal, "telematico")
        self.assertEqual(asiento.interesado_identifier, VALID_NIF)
        self.assertEqual(asiento.unidad_destino, IUUID(self.unidad))
        self.assertEqual(asiento.procedimiento, IUUID(self.procedimiento))
        # The entry's own side defaults to the destination unit's body.
        self.assertEqual(asiento.organo_destino, self.unidad.dir3_code)
        self.assertIsNone(asiento.organo_origen)
        self.assertEqual(api.content.get_state(asiento), "registrado")

    def test_unit_defaults_to_the_procedures(self):
        asiento = self.register(unidad_destino=None)
        self.assertEqual(asiento.unidad_destino, IUUID(self.unidad))


class TestQueue(RegistroTestCase):
    """Registrations wait for the register (registro/serialize.py) instead of
    conflicting; the register is held until the transaction ends."""

    def test_several_registrations_in_one_transaction(self):
        first = self.register()
        second = self.register()
        self.assertEqual([first.numero[-6:], second.numero[-6:]], ["000001", "000002"])
        self.assertTrue(serialize._process_lock.locked())

    def test_the_register_is_free_again_when_the_transaction_ends(self):
        self.register()
        self.assertTrue(serialize._process_lock.locked())
        transaction.abort()
        self.assertFalse(serialize._process_lock.locked())

    def test_a_registration_gives_up_when_the_register_stays_busy(self):
        holder_has_it = threading.Event()
        done = threading.Event()

        def another_process_thread():
            with serialize._process_lock:
                holder_has_it.set()
                done.wait(10)

        holder = threading.Thread(target=another_process_thread)
        holder.start()
        try:
            holder_has_it.wait(10)
            with mock.patch.object(serialize, "WAIT_SECONDS", 0.2):
                with self.assertRaises(serialize.RegisterBusy):
                    self.register()
        finally:
            done.set()
            holder.join()
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(portal_type="Asiento")), 0
        )
        # No number was consumed: the next one is the first.
        self.assertTrue(self.register().numero.endswith("/000001"))


class TestEffectiveDate(RegistroTestCase):
    def test_non_business_days_count_from_the_next_business_day(self):
        cases = (
            ("business day", WEDNESDAY, madrid(WEDNESDAY)),
            ("saturday", SATURDAY, madrid(datetime(2026, 3, 9, 0, 0))),
            ("sunday", datetime(2026, 3, 8, 23, 59, 59), madrid(datetime(2026, 3, 9))),
            ("holiday", HOLIDAY, madrid(datetime(2026, 3, 11, 0, 0))),
        )
        for label, moment, expected in cases:
            with self.subTest(label):
                asiento = self.register(moment=moment)
                self.assertEqual(asiento.fecha_presentacion, madrid(moment))
                self.assertEqual(asiento.fecha_efectiva, expected)
                self.assertEqual(
                    asiento.fecha_efectiva.strftime("%H:%M:%S %Z"),
                    expected.strftime("%H:%M:%S %Z"),
                )
                # The filed documents were captured on the effective date;
                # the receipt, made by the portal, when it was made.
                receipt = receipt_of(asiento)
                filed = [
                    d for d in asiento.objectValues() if d.getId() != receipt.getId()
                ]
                self.assertTrue(filed)
                self.assertEqual(
                    {d.fecha_captura for d in filed}, {asiento.fecha_efectiva}
                )
                self.assertEqual(receipt.fecha_captura, madrid(moment))


class TestReceipt(RegistroTestCase):
    def test_receipt_is_a_pdf_with_number_and_fingerprints(self):
        files = self.files("Solicitud", "Plano")
        asiento = self.register(files=files)
        receipt = receipt_of(asiento)
        self.assertEqual(receipt.portal_type, "Documento")
        self.assertEqual(receipt.tipo_documental, "TD09")
        self.assertEqual(receipt.file.contentType, "application/pdf")
        data = receipt.file.data
        self.assertTrue(data.startswith(b"%PDF-"))
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
        self.assertIn(asiento.numero, text)
        for item in files:
            self.assertIn(sha256(item["data"]), text)
            self.assertIn(item["filename"], text)
        self.assertIn("Maria Puig i Soler", text)
        self.assertIn(VALID_NIF, text)
        self.assertIn(asiento.csv, text)
        self.assertIn(f"/@@verificar?csv={asiento.csv}", text)
        self.assertIn("2026-03-11 09:15:30", text)

    def test_documents_keep_their_fingerprints(self):
        files = self.files("Solicitud", "Plano")
        asiento = self.register(files=files)
        documents = attached_documents(asiento)
        self.assertEqual(
            [doc.huella for doc in documents], [sha256(f["data"]) for f in files]
        )
        self.assertEqual({doc.origen for doc in documents}, {"ciudadano"})
        self.assertEqual({doc.tipo_documental for doc in documents}, {"TD18"})
        self.assertEqual(len(asiento.objectIds()), 3)

    def test_receipt_csv_is_unguessable_and_indexed(self):
        first = self.register()
        second = self.register()
        receipt = receipt_of(first)
        self.assertEqual(receipt.csv, first.csv)
        # 32 symbols without the look-alikes 0/O, 1/I: 32 x 5 = 160 bits.
        self.assertRegex(first.csv, r"^[A-HJ-NP-Z2-9]{32}$")
        self.assertNotEqual(first.csv, second.csv)
        catalog = api.portal.get_tool("portal_catalog")
        brains = catalog.unrestrictedSearchResults(csv=first.csv)
        self.assertEqual([brain.getObject() for brain in brains], [receipt])

    def test_receipt_carries_its_csv_signature(self):
        asiento = self.register()
        receipt = receipt_of(asiento)
        (signature,) = receipt.signatures
        self.assertEqual(signature.signature_type, "TF01")
        self.assertEqual(signature.csv_value, asiento.csv)
        self.assertTrue(signature.csv_regulation)
        # Issued by the portal itself (automated action), on the stored bytes.
        self.assertEqual(signature.signer_id, "paeria.egov")
        self.assertEqual(signature.huella, sha256(receipt.file.data))
        self.assertEqual(signature.signed_at.tzinfo.zone, "Europe/Madrid")


class TestRefusals(RegistroTestCase):
    def assert_refused(self, fields, files=None, expected=()):
        with self.assertRaises(RegistrationError) as caught:
            self.register(files=files, **fields)
        self.assertEqual(sorted(caught.exception.errors), sorted(expected))
        return caught.exception

    def test_refused_registrations_store_nothing_and_take_no_number(self):
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        big = [
            {
                "data": b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1),
                "filename": "big.pdf",
                "content_type": "application/pdf",
            }
        ]
        exe = [
            {
                "data": b"MZ\x90\x00",
                "filename": "virus.exe",
                "content_type": "application/x-msdownload",
            }
        ]
        cases = (
            (
                "no party",
                {"interesado_identifier": ""},
                None,
                ["interesado_identifier"],
            ),
            ("no name", {"interesado_name": None}, None, ["interesado_name"]),
            (
                "bad NIF",
                {"interesado_identifier": "12345678A"},
                None,
                ["interesado_identifier"],
            ),
            ("no summary", {"resumen": "   "}, None, ["resumen"]),
            ("control chars", {"resumen": "a\x00b"}, None, ["resumen"]),
            ("unknown unit", {"unidad_destino": "nope"}, None, ["unidad_destino"]),
            ("unknown procedure", {"procedimiento": "nope"}, None, ["procedimiento"]),
            ("bad DIR3", {"organo_origen": "XX"}, None, ["organo_origen"]),
            ("bad channel", {"canal": "fax"}, None, ["canal"]),
            ("file too large", {}, big, ["files[0]"]),
            ("refused type", {}, exe, ["files[0]"]),
            ("forged number", {"numero": "E/2026/000999"}, None, ["numero"]),
            (
                "forged date",
                {"fecha_presentacion": "2020-01-01T00:00:00"},
                None,
                ["fecha_presentacion"],
            ),
            ("unknown field", {"review_state": "distribuido"}, None, ["review_state"]),
            (
                "several",
                {"resumen": "", "interesado_name": None},
                None,
                ["interesado_name", "resumen"],
            ),
        )
        for label, fields, files, expected in cases:
            with self.subTest(label):
                self.assert_refused(fields, files, expected)
        self.assertEqual(last_number(self.portal, "E", 2026), 0)
        self.assertEqual(list(self.registro.objectIds()), [])
        self.assertEqual(self.register().numero, "E/2026/000001")

    def test_entry_needs_a_unit(self):
        self.assert_refused(
            {"unidad_destino": None, "procedimiento": None}, None, ["unidad_destino"]
        )
        # An exit may have none.
        asiento = self.register(tipo="salida", unidad_destino=None, procedimiento=None)
        self.assertEqual(asiento.numero, "S/2026/000001")

    def test_no_entry_outside_the_register(self):
        with self.assertRaises(RecordImmutable):
            api.content.create(
                container=self.registro,
                type="Asiento",
                id="forged",
                resumen="Forged",
            )


class TestImmutability(RegistroTestCase):
    def setUp(self):
        super().setUp()
        self.asiento = self.register(files=self.files("Solicitud"))
        self.documento = attached_documents(self.asiento)[0]
        self.receipt = receipt_of(self.asiento)
        self.objects = (
            ("entry", self.asiento),
            ("document", self.documento),
            ("receipt", self.receipt),
        )

    def test_no_role_may_modify_or_delete_in_any_state(self):
        for state in ("registrado", "distribuido"):
            if state == "distribuido":
                distribute(self.asiento)
            for label, obj in self.objects:
                self.assertEqual(api.content.get_state(obj), state)
                for permission in (
                    "Modify portal content",
                    "Delete objects",
                    "Copy or Move",
                ):
                    roles = {
                        role["name"]
                        for role in obj.rolesOfPermission(permission)
                        if role["selected"]
                    }
                    with self.subTest(state=state, obj=label, permission=permission):
                        self.assertEqual(roles, set())
                        self.assertFalse(api.user.has_permission(permission, obj=obj))
            with self.subTest(state=state, permission="Add portal content"):
                self.assertFalse(
                    api.user.has_permission("Add portal content", obj=self.asiento)
                )

    def test_view_is_for_the_register_staff(self):
        for label, obj in self.objects:
            roles = {
                role["name"]
                for role in obj.rolesOfPermission("View")
                if role["selected"]
            }
            with self.subTest(label):
                self.assertEqual(
                    roles, {"Manager", "Site Administrator", "Registrador", "Auditor"}
                )

    def test_modification_refused_whatever_the_door(self):
        for label, obj in self.objects:
            with self.subTest(label), self.assertRaises(RecordImmutable):
                notify(ObjectModifiedEvent(obj))

    def test_reupload_refused(self):
        self.documento.file = NamedBlobFile(
            data=pdf_bytes("Forged"), filename="x.pdf", contentType="application/pdf"
        )
        with self.assertRaises(RecordImmutable):
            notify(ObjectModifiedEvent(self.documento))

    def test_delete_refused(self):
        for label, obj in self.objects:
            parent = obj.__parent__
            with self.subTest(label):
                with self.assertRaises(Unauthorized):
                    api.content.delete(obj=obj, check_linkintegrity=False)
                # The path that checks no permission meets the subscribers.
                with self.assertRaises(RecordImmutable):
                    parent._delObject(obj.getId())
        self.assertIn(self.asiento.getId(), self.registro.objectIds())
        self.assertEqual(len(self.asiento.objectIds()), 2)

    def test_rename_and_move_refused(self):
        for label, obj in self.objects:
            parent = obj.__parent__
            with self.subTest(label):
                with self.assertRaises(CopyError):
                    api.content.rename(obj=obj, new_id="renamed")
                with self.assertRaises(RecordImmutable):
                    notify(
                        ObjectWillBeMovedEvent(
                            obj, parent, obj.getId(), parent, "renamed"
                        )
                    )
        with self.assertRaises(CopyError):
            api.content.move(source=self.documento, target=self.registro)

    def test_copy_refused(self):
        with self.assertRaises(CopyError):
            api.content.copy(source=self.asiento, target=self.registro)
        with self.assertRaises(RecordImmutable):
            notify(
                ObjectCopiedEvent(self.asiento._getCopy(self.registro), self.asiento)
            )

    def test_no_documents_added_later(self):
        fields = {
            "title": "Later",
            "file": NamedBlobFile(
                data=pdf_bytes("Later"),
                filename="later.pdf",
                contentType="application/pdf",
            ),
            "tipo_documental": "TD14",
        }
        with self.assertRaises(Unauthorized):
            api.content.create(container=self.asiento, type="Documento", **fields)
        with self.assertRaises(RecordImmutable):
            createContentInContainer(
                self.asiento, "Documento", checkConstraints=False, **fields
            )


class TestDistribution(RegistroTestCase):
    def test_distribuir_records_the_unit_and_is_journalled(self):
        other = create_unidad(
            self.portal, id="hisenda", title="Hisenda", dir3_code="LA0067890"
        )
        asiento = self.register()
        distribute(asiento, unidad_uid=IUUID(other), comment="Per competència")
        self.assertEqual(api.content.get_state(asiento), "distribuido")
        self.assertEqual(asiento.unidad_distribucion, IUUID(other))
        self.assertIsNotNone(asiento.fecha_distribucion)
        history = api.portal.get_tool("portal_workflow").getInfoFor(
            asiento, "review_history"
        )
        self.assertEqual(history[-1]["action"], "distribuir")
        self.assertEqual(history[-1]["actor"], TEST_USER_ID)
        self.assertEqual(history[-1]["comments"], "Per competència")
        local_roles = dict(asiento.get_local_roles())
        self.assertEqual(local_roles[other.tramitadores_group_id()], ("Tramitador",))
        self.assertEqual(local_roles[other.responsables_group_id()], ("Responsable",))
        for documento in asiento.objectValues():
            self.assertEqual(api.content.get_state(documento), "distribuido")

    def test_documents_do_not_move_on_their_own(self):
        asiento = self.register()
        documento = attached_documents(asiento)[0]
        with self.assertRaises(TransitionRefused):
            api.content.transition(obj=documento, transition="distribuir")

    def test_distribution_needs_a_unit(self):
        asiento = self.register(tipo="salida", unidad_destino=None, procedimiento=None)
        with self.assertRaises(TransitionRefused):
            distribute(asiento)
        self.assertEqual(api.content.get_state(asiento), "registrado")

    def test_open_expediente_counts_the_deadline_from_the_effective_date(self):
        files = self.files("Solicitud", "Plano")
        asiento = self.register(
            moment=SATURDAY,
            files=files,
            interesado_identifier_type="CIF",
            interesado_identifier=VALID_CIF,
            interesado_name="Construccions Segrià SL",
        )
        with self.assertRaises(TransitionRefused):
            open_expediente_from_entry(asiento)  # not distributed yet
        distribute(asiento)
        expediente = open_expediente_from_entry(asiento)
        self.assertEqual(expediente.__parent__, self.unidad)
        self.assertEqual(expediente.procedimiento, IUUID(self.procedimiento))
        self.assertEqual(asiento.expediente, IUUID(expediente))
        self.assertEqual(
            [
                (row["identifier_type"], row["identifier"], row["name"])
                for row in expediente.interesados
            ],
            [("CIF", VALID_CIF, "Construccions Segrià SL")],
        )
        self.assertEqual(expediente.fecha_inicio_computo, madrid(datetime(2026, 3, 9)))
        # 10 business days from Monday 9 March, 10 March being a holiday;
        # counted from the Saturday itself it would end on the 23rd.
        self.assertEqual(expediente.fecha_limite, date(2026, 3, 24))
        documents = sorted(
            expediente.objectValues(), key=lambda documento: documento.orden
        )
        self.assertEqual(
            [(doc.huella, doc.origen) for doc in documents],
            [(sha256(f["data"]), "ciudadano") for f in files]
            + [(receipt_of(asiento).huella, "administracion")],
        )
        self.assertEqual([doc.orden for doc in documents], [1, 2, 3])
        with self.assertRaises(TransitionRefused):
            open_expediente_from_entry(asiento)  # only once
