"""The domain's types: schemas, validation through the content, computed
metadata (numbers, identifiers, fingerprint, order) and the units' security."""

from paeria.egov import clock
from paeria.egov.content.documento import IDocumento
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.procedimiento import IProcedimiento
from paeria.egov.content.unidad import IUnidad
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.units.subscribers import unidad_modified
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.eni_ids import validate_eni_expediente_id
from plone import api
from plone.api.exc import InvalidParameterError
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.dexterity.interfaces import IDexterityFTI
from zope.component import getUtility
from zope.event import notify
from zope.interface import Invalid
from zope.lifecycleevent import ObjectModifiedEvent
from zope.schema import getFieldsInOrder
from zope.schema import ValidationError
import datetime
import hashlib
import unittest


class ManagerTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        base.prefer_english(self.request)
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(self.portal)
        self.procedimiento = base.create_procedimiento(self.portal, self.unidad)

    def assertRefused(self, field, value, message, context=None):
        """``field`` refuses ``value`` with exactly ``message`` (English)."""
        bound = field.bind(context if context is not None else self.portal)
        with self.assertRaises(ValidationError) as caught:
            bound.validate(value)
        self.assertEqual(str(caught.exception), message)


class TestSchemas(ManagerTestCase):
    """Each type's FTI points at its class and schema, with the fields staff fill
    in and the computed ones read-only."""

    TYPES = (
        # portal_type, schema, editable fields, read-only fields
        (
            "Procedimiento",
            IProcedimiento,
            (
                "sia_code",
                "responsible_unit",
                "requirements",
                "required_documents",
                "max_resolution_amount",
                "max_resolution_unit",
                "silence_effect",
                "channels",
                "online_start",
            ),
            (),
        ),
        ("Unidad", IUnidad, ("dir3_code",), ()),
        (
            "Expediente",
            IExpediente,
            ("procedimiento", "interesados"),
            (
                "numero",
                "eni_identifier",
                "clasificacion",
                "fecha_apertura",
                "fecha_limite",
                "eni_state",
            ),
        ),
        (
            "Documento",
            IDocumento,
            (
                "file",
                "organo",
                "fecha_captura",
                "origen",
                "estado_elaboracion",
                "id_documento_origen",
                "tipo_documental",
            ),
            (
                "eni_identifier",
                "nombre_formato",
                "huella",
                "funcion_resumen",
                "orden",
                "fecha_incorporacion",
            ),
        ),
    )

    def test_fields_and_read_only_fields(self):
        for portal_type, schema, editable, readonly in self.TYPES:
            with self.subTest(portal_type):
                fti = getUtility(IDexterityFTI, name=portal_type)
                self.assertIs(fti.lookupSchema(), schema)
                fields = getFieldsInOrder(schema)
                self.assertEqual(
                    tuple(name for name, field in fields if not field.readonly),
                    editable,
                )
                self.assertEqual(
                    tuple(name for name, field in fields if field.readonly), readonly
                )

    def test_required_fields(self):
        expected = {
            "Procedimiento": {
                "sia_code",
                "responsible_unit",
                "max_resolution_amount",
                "max_resolution_unit",
                "silence_effect",
                "channels",
            },
            "Unidad": {"dir3_code"},
            "Expediente": {"procedimiento"},
            # fecha_captura: stored when the document is added, if not given.
            "Documento": {
                "file",
                "organo",
                "origen",
                "estado_elaboracion",
                "tipo_documental",
            },
        }
        for portal_type, schema, _editable, _readonly in self.TYPES:
            with self.subTest(portal_type):
                self.assertEqual(
                    {
                        name
                        for name, field in getFieldsInOrder(schema)
                        if field.required
                    },
                    expected[portal_type],
                )

    def test_containment(self):
        allowed = {
            "Catalogo": ["Procedimiento"],
            "Unidades": ["Unidad"],
            "Unidad": ["Expediente"],
            "Expediente": ["Documento", "Notificacion", "SolicitudInforme"],
            "Documento": [],
            "Procedimiento": [],
        }
        for portal_type, children in allowed.items():
            with self.subTest(portal_type):
                fti = getUtility(IDexterityFTI, name=portal_type)
                self.assertTrue(fti.filter_content_types)
                self.assertEqual(list(fti.allowed_content_types), children)
                self.assertFalse(fti.global_allow)

    def test_an_expediente_cannot_be_added_outside_a_unit(self):
        with self.assertRaises(InvalidParameterError):
            base.create_expediente(self.portal["tramites"], self.procedimiento)
        self.assertEqual(len(api.content.find(portal_type="Expediente")), 0)

    def test_add_permissions(self):
        for portal_type, permission in (
            ("Procedimiento", "paeria.egov.AddProcedimiento"),
            ("Unidad", "paeria.egov.AddUnidad"),
            ("Expediente", "paeria.egov.AddExpediente"),
            ("Documento", "paeria.egov.AddDocumento"),
        ):
            with self.subTest(portal_type):
                fti = getUtility(IDexterityFTI, name=portal_type)
                self.assertEqual(fti.add_permission, permission)

    def test_defaults(self):
        self.assertEqual(self.procedimiento.max_resolution_unit, "months")
        documento = base.create_documento(
            base.create_expediente(self.unidad, self.procedimiento)
        )
        self.assertEqual(documento.origen, "administracion")
        self.assertTrue(documento.origen_administracion)
        self.assertEqual(documento.estado_elaboracion, "EE01")
        # The document's body defaults to its unit's DIR3 code, not the council's.
        self.assertEqual(documento.organo, base.UNIT_DIR3)


class TestValidationThroughTheContent(ManagerTestCase):
    """Every validator is wired to the field that needs it; the messages are the
    ones a user reads under the field and the API returns."""

    def test_interesados_valid_identifiers_are_stored_canonical(self):
        field = IExpediente["interesados"].bind(self.portal)
        for kind, typed, stored in (
            ("NIF", "12345678Z", "12345678Z"),
            ("NIF", "12.345.678-z", "12345678Z"),
            ("NIF", "87654321x", "87654321X"),
            ("NIE", "X1234567L", "X1234567L"),
            ("NIE", "y 1234567 x", "Y1234567X"),
            ("CIF", "B12345674", "B12345674"),
            ("CIF", "A58000019", "A58000019"),
            ("CIF", "p-2512000-g", "P2512000G"),
            ("CIF", "Q2826000H", "Q2826000H"),
            ("PASAPORTE", "ab123456", "AB123456"),
        ):
            with self.subTest(kind=kind, identifier=typed):
                rows = [base.interesado(identifier=typed, identifier_type=kind)]
                field.validate(rows)
                self.assertEqual(rows[0]["identifier"], stored)

    def test_interesados_invalid_identifiers(self):
        field = IExpediente["interesados"]
        for kind, identifier, problem in (
            ("NIF", "12345678A", "The NIF check letter is wrong: expected Z."),
            ("NIF", "1234567Z", "The NIF has the wrong format"),
            ("NIF", "X1234567L", "The NIF has the wrong format"),
            ("NIE", "X1234567A", "The NIE check letter is wrong: expected L."),
            ("NIE", "A1234567L", "The NIE has the wrong format"),
            ("CIF", "B12345670", "The CIF control digit is wrong: expected 4."),
            ("CIF", "P2512000I", "The CIF control letter is wrong: expected G."),
            ("CIF", "I1234567A", "The CIF entity letter I does not exist"),
            ("PASAPORTE", "AB1", "The passport number must have 5 to 20"),
            ("NIF", "12345678Z\u0000", "The NIF contains U+0000"),
        ):
            with self.subTest(kind=kind, identifier=identifier):
                rows = [
                    base.interesado(),
                    base.interesado(identifier=identifier, identifier_type=kind),
                ]
                with self.assertRaises(ValidationError) as caught:
                    field.bind(self.portal).validate(rows)
                message = str(caught.exception)
                # The row is named, and the problem is rendered, not its msgid.
                self.assertTrue(
                    message.startswith(f"Interested party 2: {problem}"), message
                )

    def test_interesados_unknown_identifier_type(self):
        self.assertRefused(
            IExpediente["interesados"],
            [base.interesado(identifier_type="DNI")],
            "Interested party 1: Unknown identifier type DNI: it must be NIF, NIE, "
            "CIF or PASAPORTE.",
        )

    def test_interesados_name_without_control_characters(self):
        self.assertRefused(
            IExpediente["interesados"],
            [base.interesado(name="Maria\x07")],
            "Interested party 1: The text contains the control character U+0007 at "
            "position 6; only tab, line feed and carriage return are allowed.",
        )

    def test_sia_code(self):
        field = IProcedimiento["sia_code"]
        for value in ("1", "123456", "12345678"):
            with self.subTest(value):
                field.bind(self.portal).validate(value)
        for value, message in (
            (
                "123456789",
                "The SIA code must have at most 8 digits; this one has 9.",
            ),
            (
                "12A",
                'The SIA code contains "A" (U+0041), which is not allowed: it has '
                "only the digits 0 to 9.",
            ),
            ("   ", "The SIA code is empty."),
        ):
            with self.subTest(value):
                self.assertRefused(field, value, message)

    def test_dir3_codes(self):
        for field in (IUnidad["dir3_code"], IDocumento["organo"]):
            for value in ("LA0012345", "L01251207", "E00003801"):
                with self.subTest(field=field.__name__, value=value):
                    field.bind(self.portal).validate(value)
            for value, message in (
                (
                    "L01251208",
                    "The DIR3 code's INE control digit is wrong: expected 7.",
                ),
                ("LA001234", "The DIR3 code must have 9 characters; this one has 8."),
                (
                    "1A0012345",
                    "The DIR3 code must start with a letter (L01251207, E00003801).",
                ),
            ):
                with self.subTest(field=field.__name__, value=value):
                    self.assertRefused(field, value, message)

    def test_code_lists(self):
        for field, good, bad in (
            (IDocumento["tipo_documental"], "TD01", "TD77"),
            (IDocumento["estado_elaboracion"], "EE99", "EE05"),
            (IDocumento["origen"], "ciudadano", "citizen"),
            (IProcedimiento["max_resolution_unit"], "business_days", "weeks"),
            (IProcedimiento["silence_effect"], "desestimatorio", "positivo"),
        ):
            with self.subTest(field=field.__name__):
                field.bind(self.portal).validate(good)
                bound = field.bind(self.portal)
                with self.assertRaises(ValidationError) as caught:
                    bound.validate(bad)
                message = str(caught.exception)
                self.assertTrue(
                    message.startswith(f"{bad} is not an accepted value: use one of "),
                    message,
                )
                self.assertIn(good, message)

    def test_tipo_documental_lists_every_eni_code(self):
        self.assertRefused(
            IDocumento["tipo_documental"],
            "TD77",
            "TD77 is not an accepted value: use one of TD01, TD02, TD03, TD04, "
            "TD05, TD06, TD07, TD08, TD09, TD10, TD11, TD12, TD13, TD14, TD15, "
            "TD16, TD17, TD18, TD19, TD20, TD99.",
        )

    def test_id_documento_origen_is_an_eni_document_identifier(self):
        field = IDocumento["id_documento_origen"]
        field.bind(self.portal).validate("ES_L01251207_2024_REG000123")
        self.assertRefused(
            field,
            "ES_L01251207_2024_EXP_000123",
            "The ENI document identifier must not have EXP_ after the year: that is "
            "the form of an ENI expediente identifier.",
        )
        self.assertRefused(
            field,
            "L01251207-2024-1",
            "The ENI document identifier has the wrong format: it must read "
            "ES_<DIR3 code>_<year>_<specific id> (ES_L01251207_2024_REG000123).",
        )

    def test_copies_name_their_original(self):
        class Data:
            id_documento_origen = None

        for state, needs_origin in (
            ("EE01", False),
            ("EE02", True),
            ("EE03", True),
            ("EE04", True),
            ("EE99", False),
        ):
            with self.subTest(state):
                data = Data()
                data.estado_elaboracion = state
                if needs_origin:
                    with self.assertRaises(Invalid) as caught:
                        IDocumento.validateInvariants(data)
                    self.assertEqual(
                        caught.exception.args[0].default,
                        "Identifier of the original: a copy (EE02, EE03, EE04) must "
                        "give the ENI identifier of the document it copies.",
                    )
                    data.id_documento_origen = "ES_L01251207_2024_REG000123"
                IDocumento.validateInvariants(data)

    def test_file_format_size_and_emptiness(self):
        field = IDocumento["file"]
        field.bind(self.portal).validate(base.named_file())
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        one_mb = 1024 * 1024
        field.bind(self.portal).validate(
            base.named_file(b"x" * one_mb, "limit.txt", "text/plain")
        )
        for value, message in (
            (
                base.named_file(b"MZ\x90\x00", "setup.exe", "application/x-msdownload"),
                "Files of type application/x-msdownload are not accepted. Accepted: "
                "CAdES, CSV, DOCX, JPEG, ODP, ODS, ODT, PDF, PNG, RTF, SVG, TIFF, TXT, "
                "XAdES, XLSX, XML, ZIP.",
            ),
            (base.named_file(b"", "empty.pdf"), "The file is empty."),
            (
                base.named_file(b"x" * (one_mb + 1), "big.txt", "text/plain"),
                "The file is larger than the 1 MB accepted.",
            ),
        ):
            with self.subTest(value.filename):
                self.assertRefused(field, value, message)

    def test_allowed_formats_come_from_the_registry(self):
        api.portal.set_registry_record("paeria.egov.allowed_formats", ["text/plain"])
        IDocumento["file"].bind(self.portal).validate(
            base.named_file(b"hola", "a.txt", "text/plain")
        )
        self.assertRefused(
            IDocumento["file"],
            base.named_file(),
            "Files of type application/pdf are not accepted. Accepted: TXT.",
        )


class TestCanonicalCodes(ManagerTestCase):
    """Codes typed in lower case are stored as validated: they go into ENI
    identifiers, which are compared exactly."""

    def test_dir3_of_a_unit(self):
        unidad = base.create_unidad(
            self.portal, id="cultura", title="Cultura", dir3_code=" la0054321 "
        )
        self.assertEqual(unidad.dir3_code, "LA0054321")
        expediente = base.create_expediente(unidad, self.procedimiento)
        validate_eni_expediente_id(expediente.eni_identifier)
        self.assertIn("_LA0054321_", expediente.eni_identifier)
        (brain,) = api.content.find(dir3_code="LA0054321")
        self.assertEqual(brain.UID, unidad.UID())

    def test_dir3_of_a_unit_edited(self):
        self.unidad.dir3_code = "la0067890"
        unidad_modified(self.unidad, ObjectModifiedEvent(self.unidad))
        self.assertEqual(self.unidad.dir3_code, "LA0067890")
        self.assertEqual(len(api.content.find(dir3_code="LA0067890")), 1)

    def test_body_of_a_document(self):
        expediente = base.create_expediente(self.unidad, self.procedimiento)
        documento = base.create_documento(expediente, organo="l01251207")
        self.assertEqual(documento.organo, "L01251207")
        self.assertTrue(documento.eni_identifier.startswith("ES_L01251207_"))
        validate_eni_document_id(documento.eni_identifier)


class TestExpediente(ManagerTestCase):
    def test_computed_metadata(self):
        # Opened at 10:15:30.5 on Tuesday 2 Jun 2026 in Madrid (CEST).
        with clock.travel("2026-06-02T10:15:30.5", tick=False):
            expediente = base.create_expediente(self.unidad, self.procedimiento)
        self.assertEqual(expediente.numero, "2026/000001")
        self.assertEqual(
            expediente.eni_identifier, f"ES_{base.UNIT_DIR3}_2026_EXP_000001"
        )
        validate_eni_expediente_id(expediente.eni_identifier)
        self.assertEqual(expediente.clasificacion, base.VALID_SIA)
        self.assertEqual(expediente.eni_state, "E01")
        self.assertEqual(str(expediente.fecha_apertura.tzinfo), "Europe/Madrid")
        # To the second, in the office's time.
        self.assertEqual(
            expediente.fecha_apertura.isoformat(), "2026-06-02T10:15:30+02:00"
        )
        # The base procedure's 3 months: Wednesday 2 Sep 2026.
        self.assertEqual(expediente.fecha_limite, datetime.date(2026, 9, 2))

    def test_interesados_are_stored_canonical(self):
        expediente = base.create_expediente(
            self.unidad,
            self.procedimiento,
            interesados=[
                base.interesado(identifier="x-1234567-l", identifier_type="NIE")
            ],
        )
        self.assertEqual(expediente.interesados[0]["identifier"], "X1234567L")

    def test_second_expediente_takes_the_next_number(self):
        with clock.travel("2026-06-02T10:00"):
            numbers = [
                base.create_expediente(self.unidad, self.procedimiento).numero
                for _ in range(3)
            ]
        self.assertEqual(numbers, ["2026/000001", "2026/000002", "2026/000003"])

    def test_numbers_are_shared_by_all_units(self):
        other = base.create_unidad(
            self.portal, id="medi", title="Medi ambient", dir3_code=base.OTHER_UNIT_DIR3
        )
        first = base.create_expediente(self.unidad, self.procedimiento)
        second = base.create_expediente(other, self.procedimiento)
        self.assertEqual(first.numero[-6:], "000001")
        self.assertEqual(second.numero[-6:], "000002")
        # The ENI identifier names the unit responsible for each one.
        self.assertIn(f"_{base.OTHER_UNIT_DIR3}_", second.eni_identifier)

    def test_a_copy_is_a_new_expediente(self):
        original = base.create_expediente(self.unidad, self.procedimiento)
        copy = api.content.copy(original, self.unidad)
        self.assertEqual(copy.numero[-6:], "000002")
        self.assertNotEqual(copy.eni_identifier, original.eni_identifier)
        self.assertEqual(original.numero[-6:], "000001")

    def test_moving_keeps_number_and_identifier(self):
        expediente = base.create_expediente(self.unidad, self.procedimiento)
        numero, identifier = expediente.numero, expediente.eni_identifier
        other = base.create_unidad(
            self.portal, id="medi", title="Medi ambient", dir3_code=base.OTHER_UNIT_DIR3
        )
        moved = api.content.move(expediente, other)
        self.assertEqual((moved.numero, moved.eni_identifier), (numero, identifier))

    def test_clasificacion_follows_the_procedure(self):
        other = base.create_procedimiento(
            self.portal, self.unidad, title="Gual", sia_code="998877"
        )
        expediente = base.create_expediente(self.unidad, self.procedimiento)
        expediente.procedimiento = other.UID()
        notify(ObjectModifiedEvent(expediente))
        self.assertEqual(expediente.clasificacion, "998877")

    def test_eni_state_is_derived_never_stored(self):
        expediente = base.create_expediente(self.unidad, self.procedimiento)
        expediente.eni_state = "E02"
        self.assertEqual(expediente.eni_state, "E01")
        self.assertNotIn("eni_state", expediente.__dict__)
        expediente.index_closed = True
        self.assertEqual(expediente.eni_state, "E03")


class TestDocumento(ManagerTestCase):
    def setUp(self):
        super().setUp()
        self.expediente = base.create_expediente(self.unidad, self.procedimiento)

    def test_fingerprint_is_the_sha256_of_the_stored_bytes(self):
        data = base.pdf_bytes("Sollicitud de llicencia")
        documento = base.create_documento(self.expediente, file=base.named_file(data))
        self.assertEqual(documento.huella, hashlib.sha256(data).hexdigest())
        self.assertEqual(documento.funcion_resumen, "SHA-256")
        self.assertEqual(documento.nombre_formato, "PDF")

    def test_a_new_file_means_a_new_fingerprint(self):
        documento = base.create_documento(self.expediente)
        new_data = b"Informe t\xc3\xa8cnic\n"
        documento.file = base.named_file(new_data, "informe.txt", "text/plain")
        notify(ObjectModifiedEvent(documento))
        self.assertEqual(documento.huella, hashlib.sha256(new_data).hexdigest())
        self.assertEqual(documento.nombre_formato, "TXT")

    def test_eni_identifier(self):
        documento = base.create_documento(self.expediente)
        year = documento.fecha_captura.year
        self.assertTrue(
            documento.eni_identifier.startswith(f"ES_{base.UNIT_DIR3}_{year}_"),
            documento.eni_identifier,
        )
        validate_eni_document_id(documento.eni_identifier)
        other = base.create_documento(self.expediente)
        self.assertNotEqual(other.eni_identifier, documento.eni_identifier)

    def test_order_is_consecutive_in_each_expediente(self):
        first = base.create_documento(self.expediente, title="Solicitud")
        second = base.create_documento(self.expediente, title="Informe")
        other_expediente = base.create_expediente(self.unidad, self.procedimiento)
        elsewhere = base.create_documento(other_expediente, title="Solicitud")
        third = base.create_documento(self.expediente, title="Resolucion")
        self.assertEqual([first.orden, second.orden, third.orden], [1, 2, 3])
        self.assertEqual(elsewhere.orden, 1)
        for documento in (first, second, third, elsewhere):
            self.assertIsNotNone(documento.fecha_incorporacion)

    def test_an_order_number_is_never_reused(self):
        base.create_documento(self.expediente, title="Uno")
        second = base.create_documento(self.expediente, title="Dos")
        api.content.delete(second)
        self.assertEqual(base.create_documento(self.expediente, title="Tres").orden, 3)

    def test_a_document_moved_to_another_expediente_takes_its_next_number(self):
        target = base.create_expediente(self.unidad, self.procedimiento)
        base.create_documento(target, title="Primero")
        documento = base.create_documento(self.expediente)
        moved = api.content.move(documento, target)
        self.assertEqual(moved.orden, 2)
        renamed = api.content.rename(moved, new_id="renamed")
        self.assertEqual(renamed.orden, 2)

    def test_the_index_travels_with_its_expediente(self):
        # Ids sort differently from the order in which documents were added.
        for title in ("zeta", "alfa", "mu"):
            base.create_documento(self.expediente, title=title)
        order = {"zeta": 1, "alfa": 2, "mu": 3}
        other = base.create_unidad(
            self.portal, id="medi", title="Medi ambient", dir3_code=base.OTHER_UNIT_DIR3
        )
        copy = api.content.copy(self.expediente, self.unidad)
        moved = api.content.move(self.expediente, other)
        for expediente in (copy, moved):
            with self.subTest(expediente.absolute_url_path()):
                self.assertEqual(
                    {doc.getId(): doc.orden for doc in expediente.objectValues()}, order
                )
                self.assertEqual(base.create_documento(expediente).orden, 4)
        # The copies are new documents with their own identifiers.
        self.assertNotEqual(copy["alfa"].eni_identifier, moved["alfa"].eni_identifier)


class TestUnidadSecurity(ManagerTestCase):
    def setUp(self):
        super().setUp()
        self.other = base.create_unidad(
            self.portal, id="medi", title="Medi ambient", dir3_code=base.OTHER_UNIT_DIR3
        )
        for username, group in (
            ("tramitadora", "urbanismo-tramitadores"),
            ("cap", "urbanismo-responsables"),
            ("aliena", "medi-tramitadores"),
        ):
            api.user.create(email=f"{username}@example.org", username=username)
            api.group.add_user(groupname=group, username=username)
        self.expediente = base.create_expediente(self.unidad, self.procedimiento)

    def test_groups_are_created_with_the_unit(self):
        for group_id, title in (
            ("urbanismo-tramitadores", "Urbanisme — Tramitadores"),
            ("urbanismo-responsables", "Urbanisme — Responsables"),
        ):
            with self.subTest(group_id):
                group = api.group.get(groupname=group_id)
                self.assertIsNotNone(group)
                self.assertEqual(group.getProperty("title"), title)

    def test_local_roles_on_the_unit(self):
        local_roles = dict(self.unidad.get_local_roles())
        self.assertEqual(local_roles["urbanismo-tramitadores"], ("Tramitador",))
        self.assertEqual(local_roles["urbanismo-responsables"], ("Responsable",))
        self.assertNotIn("medi-tramitadores", local_roles)

    def test_staff_see_and_work_on_their_unit_only(self):
        for username, obj, permission, expected in (
            ("tramitadora", self.unidad, "View", True),
            ("tramitadora", self.expediente, "View", True),
            ("tramitadora", self.unidad, "paeria.egov: Add Expediente", True),
            ("tramitadora", self.expediente, "paeria.egov: Add Documento", True),
            ("cap", self.expediente, "View", True),
            ("aliena", self.unidad, "View", False),
            ("aliena", self.expediente, "View", False),
            ("aliena", self.unidad, "paeria.egov: Add Expediente", False),
            ("aliena", self.other, "paeria.egov: Add Expediente", True),
        ):
            with self.subTest(user=username, obj=obj.getId(), permission=permission):
                self.assertEqual(
                    api.user.has_permission(permission, username=username, obj=obj),
                    expected,
                )

    def test_roles_of_the_staff(self):
        self.assertIn(
            "Tramitador",
            api.user.get_roles(username="tramitadora", obj=self.expediente),
        )
        self.assertIn(
            "Responsable", api.user.get_roles(username="cap", obj=self.unidad)
        )
        self.assertNotIn(
            "Tramitador", api.user.get_roles(username="aliena", obj=self.expediente)
        )

    def test_staff_open_expedientes_of_a_procedure_they_cannot_view(self):
        # A procedure still in draft is private to the catalogue's editors, but
        # the expediente's classification and deadline must not depend on that.
        self.assertFalse(
            api.user.has_permission(
                "View", username="tramitadora", obj=self.procedimiento
            )
        )
        with api.env.adopt_user(username="tramitadora"):
            expediente = base.create_expediente(self.unidad, self.procedimiento)
        self.assertEqual(expediente.clasificacion, base.VALID_SIA)
        self.assertIsInstance(expediente.fecha_limite, datetime.date)
        self.assertIn(
            "Owner", api.user.get_roles(username="tramitadora", obj=expediente)
        )

    def test_catalog_hides_other_units_expedientes(self):
        with api.env.adopt_user(username="aliena"):
            self.assertEqual(len(api.content.find(portal_type="Expediente")), 0)
        with api.env.adopt_user(username="tramitadora"):
            self.assertEqual(
                [b.UID for b in api.content.find(portal_type="Expediente")],
                [self.expediente.UID()],
            )

    def test_renaming_the_unit_keeps_its_groups(self):
        renamed = api.content.rename(self.unidad, new_id="urbanisme")
        self.assertEqual(renamed.tramitadores_group_id(), "urbanismo-tramitadores")
        self.assertIn(
            "Tramitador", api.user.get_roles(username="tramitadora", obj=renamed)
        )

    def test_groups_go_with_their_unit(self):
        api.content.delete(self.other)
        self.assertIsNone(api.group.get(groupname="medi-tramitadores"))
        self.assertIsNone(api.group.get(groupname="medi-responsables"))
        self.assertIsNotNone(api.group.get(groupname="urbanismo-tramitadores"))
