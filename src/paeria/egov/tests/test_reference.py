"""The reference data loader (paeria.egov.reference): deterministic plans,
valid parties, real files, and a load that can stop after any batch and
resume to exactly the data set an uninterrupted load makes."""

from collections import Counter
from hashlib import sha256
from io import BytesIO
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import last_number
from paeria.egov.reference import Scale
from paeria.egov.reference import SCALES
from paeria.egov.reference.files import make_file
from paeria.egov.reference.loader import ReferenceLoader
from paeria.egov.reference.people import party
from paeria.egov.reference.plan import EXPEDIENTE_STEPS
from paeria.egov.reference.plan import Planner
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.validators.identifiers import validate_identifier
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from unittest import mock
import re
import transaction
import unittest
import zipfile


TINY = Scale("tiny", units=2, users=4, expedientes=30, documents=170)


class TestPlanner(unittest.TestCase):
    def test_same_seed_same_plans_other_seed_other_plans(self):
        first = [Planner(7, SCALES["small"]).plan(i) for i in range(50)]
        again = [Planner(7, SCALES["small"]).plan(i) for i in range(50)]
        other = [Planner(8, SCALES["small"]).plan(i) for i in range(50)]
        self.assertEqual(first, again)
        self.assertNotEqual(first, other)

    def test_documents_add_up_to_the_scale(self):
        planner = Planner(2026, SCALES["small"])
        extras = planner.extra_documents_total()
        self.assertGreater(extras, 0)
        total = sum(
            planner.plan(i).structural_documents() + planner.extra_documents(i, extras)
            for i in range(SCALES["small"].expedientes)
        )
        self.assertEqual(total, SCALES["small"].documents)

    def test_dates_grow_with_the_index_and_shares_are_lleidas(self):
        planner = Planner(2026, SCALES["small"])
        plans = [planner.plan(i) for i in range(SCALES["small"].expedientes)]
        openings = [plan.opened for plan in plans]
        self.assertEqual(openings, sorted(openings))
        self.assertEqual({plan.state for plan in plans}, set(EXPEDIENTE_STEPS))
        entries = [plan for plan in plans if plan.from_entry]
        online = sum(plan.online for plan in entries) / len(entries)
        self.assertTrue(0.8 <= online <= 0.9, online)
        # Several expedientes of one interested party, as searching by NIF needs.
        self.assertGreater(max(Counter(plan.party for plan in plans).values()), 2)


class TestPeopleAndFiles(unittest.TestCase):
    def test_parties_are_valid_and_stable(self):
        kinds = Counter()
        for number in range(300):
            kind, identifier, name, email = party(11, number)
            self.assertEqual(validate_identifier(kind, identifier), identifier)
            self.assertTrue(name and "@" in email)
            kinds[kind] += 1
        self.assertEqual(set(kinds), {"NIF", "NIE", "CIF"})
        self.assertEqual(party(11, 5), party(11, 5))

    def test_files_are_real_documents_of_their_format(self):
        from pypdf import PdfReader

        data, content_type, extension = make_file("pdf", "Informe", ["Paràgraf u."])
        self.assertEqual((content_type, extension), ("application/pdf", "pdf"))
        text = PdfReader(BytesIO(data)).pages[0].extract_text()
        self.assertIn("Paràgraf u.", text)

        data, content_type, extension = make_file("odt", "Acta <1>", ["Punt & u."])
        archive = zipfile.ZipFile(BytesIO(data))
        first = archive.infolist()[0]
        self.assertEqual(first.filename, "mimetype")
        self.assertEqual(first.compress_type, zipfile.ZIP_STORED)
        self.assertEqual(archive.read("mimetype").decode(), content_type)
        content = archive.read("content.xml").decode()
        self.assertIn("Acta &lt;1&gt;", content)
        self.assertIn("Punt &amp; u.", content)
        self.assertEqual(make_file("odt", "Acta <1>", ["Punt & u."])[0], data)

        data, content_type, _ = make_file("txt", "Nota", ["Línia"])
        self.assertEqual(content_type, "text/plain")
        self.assertEqual(data.decode("utf-8"), "Nota\n\nLínia\n")


class TestLoader(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        patcher = mock.patch.dict(SCALES, {"tiny": TINY})
        patcher.start()
        self.addCleanup(patcher.stop)

    def load(self, stop_after=None, seed=5):
        loader = ReferenceLoader(self.portal, scale="tiny", seed=seed, batch=10)
        loader.check_resumable()
        batches = []
        loader.setup()
        finished = loader.run(
            report=lambda done, total, counts: batches.append(done),
            stop=(lambda: len(batches) >= stop_after) if stop_after else None,
        )
        return loader, finished, batches

    def test_interrupted_load_resumes_to_the_whole_set(self):
        _, finished, batches = self.load(stop_after=2)
        self.assertFalse(finished)
        self.assertEqual(batches, [10, 20])
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(len(catalog(portal_type="Expediente")), 20)

        _loader, finished, batches = self.load()
        self.assertTrue(finished)
        self.assertEqual(batches, [30])
        self.assertEqual(len(catalog(portal_type="Expediente")), TINY.expedientes)
        self.assertEqual(len(catalog(portal_type="Documento")), TINY.documents)
        self.assertEqual(len(catalog(portal_type="Unidad")), TINY.units)
        for unit in catalog(portal_type="Unidad"):
            group = unit.getObject().tramitadores_group_id()
            self.assertTrue(api.user.get_users(groupname=group))

        # Every expediente is what its plan says, numbered in order per year:
        # nothing was made twice or skipped across the interruption.
        planner = Planner(5, TINY)
        plans = [planner.plan(i) for i in range(TINY.expedientes)]
        expedientes = sorted(
            (brain.getObject() for brain in catalog(portal_type="Expediente")),
            key=lambda obj: obj.fecha_apertura,
        )
        by_year = Counter()
        for plan, expediente in zip(plans, expedientes, strict=True):
            self.assertEqual(api.content.get_state(expediente), plan.state)
            year = expediente.fecha_apertura.year
            by_year[year] += 1
            self.assertEqual(expediente.numero, f"{year}/{by_year[year]:06d}")
            row = expediente.interesados[0]
            validate_identifier(row["identifier_type"], row["identifier"])
            self.assertEqual(
                bool(getattr(expediente, "asiento", None)), plan.from_entry
            )
        for year, count in by_year.items():
            self.assertEqual(last_number(self.portal, EXPEDIENTE, year), count)

        entries = [brain.getObject() for brain in catalog(portal_type="Asiento")]
        numbers = sorted(entry.numero for entry in entries if entry.tipo == "entrada")
        for year in {number.split("/")[1] for number in numbers}:
            series = [int(n.split("/")[2]) for n in numbers if f"/{year}/" in n]
            self.assertEqual(series, list(range(1, len(series) + 1)))

        for brain in catalog(portal_type="Documento"):
            documento = brain.getObject()
            self.assertEqual(documento.huella, sha256(documento.file.data).hexdigest())
            if brain.review_state == "firmado":
                self.assertTrue(re.fullmatch(r"[A-Z0-9]+", documento.csv))

    def test_documents_are_found_by_their_text(self):
        self.load()
        catalog = api.portal.get_tool("portal_catalog")
        brain = catalog(portal_type="Documento", review_state="firmado")[0]
        word = max(brain.getObject().Title().split(), key=len)
        self.assertIn(brain.UID, [b.UID for b in catalog(SearchableText=word)])
        # Words of the file itself (PDF, ODT or text), not only of its title.
        expediente = brain.getObject().__parent__
        name = expediente.interesados[0]["name"].split()[-1]
        found = catalog(portal_type="Documento", SearchableText=name)
        self.assertTrue(found)

    def test_another_data_set_is_refused(self):
        self.load(stop_after=1)
        with self.assertRaises(ValueError) as raised:
            self.load(seed=6)
        self.assertIn("seed 5", str(raised.exception))
        transaction.abort()
