"""What the catalog knows of each type: indexes to search by and metadata so
that listings are served from brains without waking the objects."""

from Acquisition import aq_base
from datetime import date
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.restapi.interfaces import ISerializeToJsonSummary
from zope.component import getMultiAdapter
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent
import hashlib
import shutil
import transaction
import unittest


INDEXES = {
    "sia_code": "FieldIndex",
    "dir3_code": "FieldIndex",
    "expediente_numero": "FieldIndex",
    "unidad_uid": "FieldIndex",
    "eni_state": "FieldIndex",
    "fecha_limite": "DateIndex",
    "interesados_ids": "KeywordIndex",
    "procedimiento_uid": "FieldIndex",
    "responsible_unit": "FieldIndex",
    "online_start": "BooleanIndex",
    "eni_identifier": "FieldIndex",
    "tipo_documental": "FieldIndex",
    "orden": "FieldIndex",
}
METADATA = (
    "sia_code",
    "dir3_code",
    "expediente_numero",
    "unidad_uid",
    "eni_state",
    "fecha_limite",
    "interesados_ids",
    "interesados_names",
    "procedimiento_uid",
    "responsible_unit",
    "online_start",
    "eni_identifier",
    "tipo_documental",
    "orden",
    "huella",
)


def find(**query):
    return api.content.find(**query)


class CatalogTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        # Today is Tuesday 2 Jun 2026 in Madrid: the expedientes opened now are
        # due on Wednesday 2 Sep 2026 (three months).
        base.travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.catalog = api.portal.get_tool("portal_catalog")
        self.unidad = base.create_unidad(self.portal)
        self.other_unidad = base.create_unidad(
            self.portal, id="medi", title="Medi ambient", dir3_code=base.OTHER_UNIT_DIR3
        )
        self.procedimiento = base.create_procedimiento(self.portal, self.unidad)
        self.offline = base.create_procedimiento(
            self.portal,
            self.other_unidad,
            title="Gual",
            sia_code="998877",
            online_start=False,
        )
        self.expediente = base.create_expediente(
            self.unidad,
            self.procedimiento,
            title="Obra menor al carrer Major",
            interesados=[
                base.interesado(),
                base.interesado(
                    identifier="B12345674",
                    identifier_type="CIF",
                    name="Construccions Segrià SL",
                ),
            ],
        )
        self.other = base.create_expediente(
            self.other_unidad,
            self.offline,
            interesados=[
                base.interesado(identifier="X1234567L", identifier_type="NIE")
            ],
        )
        self.solicitud = base.create_documento(self.expediente, title="Solicitud")
        self.informe = base.create_documento(
            self.expediente,
            title="Informe",
            tipo_documental="TD13",
            file=base.named_file(base.pdf_bytes("Informe tecnic favorable")),
        )


class TestIndexesAndMetadata(CatalogTestCase):
    def test_indexes_and_metadata_exist(self):
        for name, meta_type in INDEXES.items():
            with self.subTest(index=name):
                self.assertEqual(
                    self.catalog._catalog.getIndex(name).meta_type, meta_type
                )
        for name in METADATA:
            with self.subTest(column=name):
                self.assertIn(name, self.catalog.schema())

    def test_procedimientos(self):
        # Expedientes carry their procedure's SIA code too.
        self.assertEqual(
            [b.UID for b in find(portal_type="Procedimiento", sia_code="998877")],
            [self.offline.UID()],
        )
        self.assertEqual(
            [b.UID for b in find(portal_type="Expediente", sia_code="998877")],
            [self.other.UID()],
        )
        self.assertEqual(
            [b.UID for b in find(portal_type="Procedimiento", online_start=True)],
            [self.procedimiento.UID()],
        )
        self.assertEqual(
            [b.UID for b in find(responsible_unit=self.other_unidad.UID())],
            [self.offline.UID()],
        )
        (brain,) = find(UID=self.procedimiento.UID())
        self.assertEqual(
            (brain.sia_code, brain.responsible_unit, brain.online_start),
            (base.VALID_SIA, self.unidad.UID(), True),
        )

    def test_unidades(self):
        (brain,) = find(dir3_code=base.OTHER_UNIT_DIR3)
        self.assertEqual(brain.UID, self.other_unidad.UID())
        self.assertEqual(brain.dir3_code, base.OTHER_UNIT_DIR3)

    def test_expedientes_are_found_by(self):
        expected = self.expediente.UID()
        for query in (
            {"expediente_numero": self.expediente.numero, "portal_type": "Expediente"},
            {"eni_identifier": self.expediente.eni_identifier},
            {"unidad_uid": self.unidad.UID(), "portal_type": "Expediente"},
            {"procedimiento_uid": self.procedimiento.UID()},
            {"sia_code": base.VALID_SIA, "portal_type": "Expediente"},
            {"interesados_ids": "B12345674"},
            {"interesados_ids": base.VALID_NIF},
            {"SearchableText": self.expediente.numero},
            {"SearchableText": "B12345674"},
            {"SearchableText": "Segrià"},
            {
                "portal_type": "Expediente",
                "fecha_limite": {
                    "query": self.expediente.fecha_limite,
                    "range": "min",
                },
                "unidad_uid": self.unidad.UID(),
            },
        ):
            with self.subTest(query=query):
                self.assertEqual([b.UID for b in find(**query)], [expected])

    def test_expediente_metadata(self):
        (brain,) = find(UID=self.expediente.UID())
        self.assertEqual(brain.expediente_numero, self.expediente.numero)
        self.assertEqual(brain.eni_identifier, self.expediente.eni_identifier)
        self.assertEqual(brain.sia_code, base.VALID_SIA)
        self.assertEqual(brain.unidad_uid, self.unidad.UID())
        self.assertEqual(brain.procedimiento_uid, self.procedimiento.UID())
        self.assertEqual(brain.eni_state, "E01")
        self.assertEqual(brain.fecha_limite, self.expediente.fecha_limite)
        self.assertIsInstance(brain.fecha_limite, date)
        self.assertEqual(brain.interesados_ids, [base.VALID_NIF, "B12345674"])
        self.assertEqual(
            brain.interesados_names, ["Maria Puig i Soler", "Construccions Segrià SL"]
        )

    def test_expedientes_by_state_and_deadline(self):
        self.assertEqual(len(find(portal_type="Expediente", eni_state="E01")), 2)
        self.assertEqual(len(find(portal_type="Expediente", eni_state="E02")), 0)
        self.other.fecha_inicio_computo = date(2020, 1, 1)
        notify(ObjectModifiedEvent(self.other))
        overdue = find(
            portal_type="Expediente",
            fecha_limite={"query": date(2026, 6, 2), "range": "max"},
        )
        self.assertEqual([b.UID for b in overdue], [self.other.UID()])
        self.assertEqual(self.expediente.fecha_limite, date(2026, 9, 2))
        self.assertEqual(overdue[0].fecha_limite, date(2020, 4, 1))

    def test_documentos(self):
        brains = find(portal_type="Documento", sort_on="orden")
        self.assertEqual(
            [(b.Title, b.orden) for b in brains], [("Solicitud", 1), ("Informe", 2)]
        )
        (brain,) = find(tipo_documental="TD13")
        self.assertEqual(brain.UID, self.informe.UID())
        self.assertEqual(brain.huella, self.informe.huella)
        self.assertEqual(
            brain.huella,
            hashlib.sha256(base.pdf_bytes("Informe tecnic favorable")).hexdigest(),
        )
        self.assertEqual(brain.eni_identifier, self.informe.eni_identifier)
        self.assertEqual(brain.expediente_numero, self.expediente.numero)
        self.assertEqual(brain.unidad_uid, self.unidad.UID())
        self.assertEqual(
            [b.UID for b in find(eni_identifier=self.solicitud.eni_identifier)],
            [self.solicitud.UID()],
        )

    @unittest.skipUnless(shutil.which("pdftotext"), "needs pdftotext (poppler-utils)")
    def test_the_text_of_a_pdf_is_searchable(self):
        self.assertEqual(
            [b.UID for b in find(SearchableText="favorable")], [self.informe.UID()]
        )


class TestReindexing(CatalogTestCase):
    """The catalog follows every change of what it knows."""

    def test_parties_changed(self):
        self.expediente.interesados = [
            base.interesado(identifier="y1234567x", identifier_type="NIE", name="Ana")
        ]
        notify(ObjectModifiedEvent(self.expediente))
        self.assertEqual(len(find(interesados_ids=base.VALID_NIF)), 0)
        (brain,) = find(interesados_ids="Y1234567X")
        self.assertEqual(brain.UID, self.expediente.UID())
        self.assertEqual(brain.interesados_names, ["Ana"])

    def test_new_file(self):
        data = base.pdf_bytes("Informe desfavorable")
        self.informe.file = base.named_file(data)
        notify(ObjectModifiedEvent(self.informe))
        (brain,) = find(UID=self.informe.UID())
        self.assertEqual(brain.huella, hashlib.sha256(data).hexdigest())

    def test_procedure_changed(self):
        self.expediente.procedimiento = self.offline.UID()
        notify(ObjectModifiedEvent(self.expediente))
        (brain,) = find(UID=self.expediente.UID())
        self.assertEqual(
            (brain.procedimiento_uid, brain.sia_code), (self.offline.UID(), "998877")
        )

    def test_document_moved_to_another_expediente(self):
        moved = api.content.move(self.informe, self.other)
        (brain,) = find(UID=moved.UID())
        self.assertEqual(
            (brain.expediente_numero, brain.unidad_uid, brain.orden),
            (self.other.numero, self.other_unidad.UID(), 1),
        )

    def test_expediente_moved_to_another_unit(self):
        moved = api.content.move(self.expediente, self.other_unidad)
        for uid in (moved.UID(), self.solicitud.UID(), self.informe.UID()):
            with self.subTest(uid=uid):
                (brain,) = find(UID=uid)
                self.assertEqual(brain.unidad_uid, self.other_unidad.UID())
        self.assertEqual(
            [
                (b.Title, b.orden)
                for b in find(portal_type="Documento", sort_on="orden")
            ],
            [("Solicitud", 1), ("Informe", 2)],
        )


class TestListingsFromBrains(unittest.TestCase):
    """A listing of expedientes and their documents (as plone.restapi's @search
    serialises it) reads the catalog only: the objects stay ghosts."""

    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        unidad = base.create_unidad(self.portal)
        procedimiento = base.create_procedimiento(self.portal, unidad)
        self.objects = []
        for title in ("Primer", "Segon"):
            expediente = base.create_expediente(unidad, procedimiento, title=title)
            self.objects += [expediente, base.create_documento(expediente)]
        transaction.commit()

    def test_brains_serve_the_listing(self):
        primer, primer_doc, segon, _segon_doc = self.objects
        expected_numbers = [primer.numero] * 2 + [segon.numero] * 2
        expected_deadline = primer.fecha_limite.isoformat()
        expected_huella = primer_doc.huella
        self.portal._p_jar.cacheMinimize()
        for obj in self.objects:
            self.assertIsNone(aq_base(obj)._p_changed, "a ghost before listing")

        self.request.form["metadata_fields"] = list(METADATA)
        listing = [
            getMultiAdapter((brain, self.request), ISerializeToJsonSummary)()
            for brain in api.content.find(
                portal_type=["Expediente", "Documento"], sort_on="path"
            )
        ]

        for obj in self.objects:
            self.assertIsNone(aq_base(obj)._p_changed, "woken by the listing")
        self.assertEqual(
            [item["expediente_numero"] for item in listing], expected_numbers
        )
        self.assertEqual(
            [item["@type"] for item in listing],
            ["Expediente", "Documento", "Expediente", "Documento"],
        )
        self.assertEqual(listing[0]["fecha_limite"], expected_deadline)
        self.assertEqual(listing[0]["interesados_names"], ["Maria Puig i Soler"])
        self.assertEqual(listing[0]["interesados_ids"], [base.VALID_NIF])
        self.assertEqual(listing[0]["eni_state"], "E01")
        self.assertEqual(listing[1]["huella"], expected_huella)
        self.assertEqual(
            (listing[1]["orden"], listing[1]["tipo_documental"]), (1, "TD14")
        )
