"""The register book (libro de registro): every filter over REST and in the
Classic UI, batching, the CSV and ODS exports, who may read it, bad filters,
and what the catalog keeps of an entry (integration and functional)."""

from datetime import date
from datetime import datetime
from io import BytesIO
from lxml import etree
from lxml import html
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.registro import distribute
from paeria.egov.registro import register_entry
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests.base import api_session
from paeria.egov.tests.base import RelativeSession
from paeria.egov.tests.base import travel
from paeria.egov.tests.base import VALID_CIF
from paeria.egov.tests.base import VALID_NIE
from paeria.egov.tests.base import VALID_NIF
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import USERS
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.uuid.interfaces import IUUID
import csv
import io
import transaction
import unittest
import zipfile


BOOK = "/registro/@libro-registro"
PAGE = "/registro/@@libro-registro"
ALLOWED = ("registrador", "auditor", "manager", "siteadmin")
REFUSED = tuple(user for user in USERS if user not in ALLOWED)
ODS_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}

# (key, Madrid presentation time, tipo, canal, unit key, identifier, name,
# summary). 29 March 2026 is the change to summer time: the last two are on
# 31 March and 1 April in Madrid but both on 31 March in UTC.
ENTRIES = (
    (
        "obra",
        datetime(2026, 3, 2, 8, 0, 0),
        "entrada",
        "presencial",
        "urbanismo",
        VALID_NIF,
        "Maria Puig i Soler",
        "Sol·licitud de llicència d'obra menor",
    ),
    (
        "notificacio",
        datetime(2026, 3, 2, 23, 59, 30),
        "salida",
        "telematico",
        "cultura",
        VALID_CIF,
        "Construccions Segre SL",
        "Notificació de resolució",
    ),
    (
        "subvencio",
        datetime(2026, 3, 3, 0, 0, 10),
        "entrada",
        "telematico",
        "cultura",
        VALID_NIE,
        "Núria Ferrer Bosch",
        "Subvenció d'activitats culturals",
    ),
    (
        "recurs",
        datetime(2026, 3, 31, 23, 30, 0),
        "entrada",
        "presencial",
        "urbanismo",
        VALID_NIF,
        "Maria Puig i Soler",
        "Recurs de reposició contra la denegació",
    ),
    (
        "formula",
        datetime(2026, 4, 1, 0, 30, 0),
        "entrada",
        "telematico",
        "urbanismo",
        VALID_CIF,
        "Construccions Segre SL",
        '=HYPERLINK("http://example.org") escrit d\'al·legacions',
    ),
    (
        "ofici",
        datetime(2026, 4, 15, 10, 0, 0),
        "salida",
        "presencial",
        "urbanismo",
        VALID_NIF,
        "Maria Puig i Soler",
        "Ofici de requeriment de documentació",
    ),
)
ALL_KEYS = tuple(entry[0] for entry in ENTRIES)


def madrid(moment):
    return MADRID.localize(moment)


def register(portal, moment, tipo, canal, unidad, identifier, name, resumen):
    data = {
        "canal": canal,
        "interesado_identifier": identifier,
        "interesado_name": name,
        "resumen": resumen,
        "unidad_destino": IUUID(unidad),
    }
    with clock.travel(madrid(moment), tick=False):
        return register_entry(data, [], tipo=tipo)


class BookFixture(WorkflowFixture):
    """The named users, two units and the entries of ENTRIES; ``subvencio``
    (addressed to cultura) is distributed to urbanismo."""

    def __init__(self, portal):
        super().__init__(portal)
        units = {"urbanismo": self.unidad, "cultura": self.otra_unidad}
        self.units = units
        self.entries = {}
        for key, moment, tipo, canal, unit, identifier, name, resumen in ENTRIES:
            self.entries[key] = register(
                portal, moment, tipo, canal, units[unit], identifier, name, resumen
            )
        distribute(self.entries["subvencio"], IUUID(self.unidad))

    def numbers(self, *keys):
        return [self.entries[key].numero for key in keys]


def newest_first(keys):
    """ENTRIES are in presentation order, so the book's default order is the
    reverse."""
    return [key for key in reversed(ALL_KEYS) if key in keys]


class TestCatalog(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.fixture = BookFixture(self.portal)
        self.catalog = api.portal.get_tool("portal_catalog")

    def test_indexes_and_metadata(self):
        indexes = {
            "registro_numero": "FieldIndex",
            "registro_serie": "FieldIndex",
            "registro_fecha": "DateIndex",
            "registro_canal": "FieldIndex",
            "registro_unidades": "KeywordIndex",
            "registro_interesado_id": "FieldIndex",
            "registro_interesado_nombre": "ZCTextIndex",
            "registro_resumen": "ZCTextIndex",
        }
        for name, meta_type in indexes.items():
            with self.subTest(index=name):
                self.assertEqual(
                    self.catalog._catalog.getIndex(name).meta_type, meta_type
                )
        for name in (
            "registro_numero",
            "registro_fecha",
            "registro_fecha_efectiva",
            "registro_interesado_nombre",
            "registro_resumen",
            "registro_unidad",
            "registro_justificante",
        ):
            with self.subTest(column=name):
                self.assertIn(name, self.catalog.schema())

    def test_brain_carries_the_row(self):
        asiento = self.fixture.entries["subvencio"]
        (brain,) = self.catalog(registro_numero=asiento.numero)
        self.assertEqual(brain.registro_serie, "E")
        self.assertEqual(brain.registro_fecha, asiento.fecha_presentacion)
        self.assertEqual(brain.registro_fecha_efectiva, asiento.fecha_efectiva)
        self.assertEqual(brain.registro_interesado_id, VALID_NIE)
        self.assertEqual(brain.registro_interesado_nombre, "Núria Ferrer Bosch")
        self.assertEqual(brain.registro_justificante, asiento.justificante)
        # Distributed to urbanismo: found by both units, shown with its new one.
        self.assertEqual(brain.registro_unidad, IUUID(self.fixture.unidad))
        self.assertEqual(brain.review_state, "distribuido")
        for unidad in (self.fixture.unidad, self.fixture.otra_unidad):
            numbers = [
                b.registro_numero for b in self.catalog(registro_unidades=IUUID(unidad))
            ]
            self.assertIn(asiento.numero, numbers)

    def test_nothing_leaks_to_other_brains(self):
        """The entry's documents (receipt) would acquire attributes of the
        entry; the registro_* names are not attributes, so they get nothing."""
        documents = self.catalog.unrestrictedSearchResults(
            portal_type="Documento",
            path="/".join(self.portal["registro"].getPhysicalPath()),
        )
        self.assertEqual(len(documents), len(ENTRIES))  # one receipt each
        for brain in list(documents) + list(
            self.catalog.unrestrictedSearchResults(portal_type="Unidad")
        ):
            with self.subTest(path=brain.getPath()):
                self.assertFalse(brain.registro_interesado_nombre)
                self.assertFalse(brain.registro_interesado_id)
                self.assertFalse(brain.registro_numero)
        self.assertEqual(
            {
                b.portal_type
                for b in self.catalog.unrestrictedSearchResults(registro_serie="E")
            },
            {"Asiento"},
        )


class BookHTTPTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Today is Monday 20 Apr 2026 in Madrid, after every entry of ENTRIES:
        # the book's open end.
        travel(self, "2026-04-20T10:00")
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = BookFixture(self.portal)
        transaction.commit()
        self.sessions = []

    def tearDown(self):
        for session in self.sessions:
            session.close()

    def session(self, user="registrador"):
        if user == "anonimo":
            session = RelativeSession(self.portal_url)
            session.headers.update({"Accept": "application/json"})
        else:
            session = api_session(self.portal_url, user=user, password=PASSWORD)
        self.sessions.append(session)
        return session

    def browser(self, user="registrador"):
        """A session as a web browser: HTML, English, logged in by basic auth."""
        session = RelativeSession(self.portal_url)
        session.headers.update({"Accept": "text/html", "Accept-Language": "en"})
        if user != "anonimo":
            session.auth = (user, PASSWORD)
        self.sessions.append(session)
        return session

    def book(self, user="registrador", **params):
        response = self.session(user).get(BOOK, params=params)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()


FILTER_CASES = (
    ("no filter", {}, ALL_KEYS),
    ("entries", {"serie": "E"}, ("obra", "subvencio", "recurs", "formula")),
    ("exits", {"serie": "S"}, ("notificacio", "ofici")),
    ("exits by name", {"serie": "salida"}, ("notificacio", "ofici")),
    # Whole Madrid days, both ends included.
    (
        "one day",
        {"desde": "2026-03-02", "hasta": "2026-03-02"},
        ("obra", "notificacio"),
    ),
    ("from a day", {"desde": "2026-03-03"}, ALL_KEYS[2:]),
    # 00:30 of 1 April in Madrid is still 31 March in UTC.
    ("until a day", {"hasta": "2026-03-31"}, ALL_KEYS[:4]),
    ("summer time day", {"desde": "2026-04-01", "hasta": "2026-04-01"}, ("formula",)),
    ("online", {"canal": "telematico"}, ("notificacio", "subvencio", "formula")),
    ("in person", {"canal": "presencial"}, ("obra", "recurs", "ofici")),
    # subvencio was addressed to cultura and distributed to urbanismo.
    ("unit cultura", {"unidad": "cultura"}, ("notificacio", "subvencio")),
    (
        "unit urbanismo",
        {"unidad": "urbanismo"},
        ("obra", "subvencio", "recurs", "formula", "ofici"),
    ),
    ("unit by DIR3", {"unidad": "dir3:cultura"}, ("notificacio", "subvencio")),
    ("party's NIF", {"interesado": "12345678-z"}, ("obra", "recurs", "ofici")),
    ("party's CIF", {"interesado": VALID_CIF}, ("notificacio", "formula")),
    ("name word", {"nombre": "puig"}, ("obra", "recurs", "ofici")),
    ("name words", {"nombre": "Maria Soler"}, ("obra", "recurs", "ofici")),
    ("name prefix, accents", {"nombre": "NURIA ferr"}, ("subvencio",)),
    ("name and no match", {"nombre": "puig segre"}, ()),
    ("summary words", {"resumen": "llicencia obra"}, ("obra",)),
    ("catalan word", {"resumen": "Sol·licitud"}, ("obra",)),
    ("one letter", {"nombre": "n"}, ("subvencio",)),
    (
        "combined",
        {"serie": "E", "canal": "telematico", "hasta": "2026-03-31"},
        ("subvencio",),
    ),
    ("nothing", {"serie": "S", "interesado": VALID_NIE}, ()),
)


class TestBookREST(BookHTTPTestCase):
    def params(self, params):
        params = dict(params)
        unit = params.get("unidad")
        if unit and unit.startswith("dir3:"):
            params["unidad"] = self.fixture.units[unit[5:]].dir3_code
        elif unit:
            params["unidad"] = IUUID(self.fixture.units[unit])
        return params

    def test_every_filter(self):
        for label, params, keys in FILTER_CASES:
            with self.subTest(label):
                body = self.book(**self.params(params))
                expected = self.fixture.numbers(*newest_first(keys))
                self.assertEqual([item["numero"] for item in body["items"]], expected)
                self.assertEqual(body["items_total"], len(keys))

    def test_oldest_first(self):
        body = self.book(orden="asc")
        self.assertEqual(
            [item["numero"] for item in body["items"]], self.fixture.numbers(*ALL_KEYS)
        )

    def test_item(self):
        (item,) = self.book(interesado=VALID_NIE)["items"]
        asiento = self.fixture.entries["subvencio"]
        self.assertEqual(item["@id"], asiento.absolute_url())
        self.assertEqual(item["numero"], asiento.numero)
        self.assertEqual(item["serie"], "E")
        self.assertEqual(item["fecha_presentacion"], "2026-03-03T00:00:10+01:00")
        self.assertEqual(item["fecha_efectiva"], asiento.fecha_efectiva.isoformat())
        self.assertEqual(item["canal"], "telematico")
        self.assertEqual(item["canal_title"], "Online")
        self.assertEqual(item["interesado_identifier_type"], "NIE")
        self.assertEqual(item["interesado_identifier"], VALID_NIE)
        self.assertEqual(item["interesado_name"], "Núria Ferrer Bosch")
        self.assertEqual(item["resumen"], "Subvenció d'activitats culturals")
        self.assertEqual(item["organo_destino"], self.fixture.otra_unidad.dir3_code)
        self.assertEqual(item["unidad"], IUUID(self.fixture.unidad))
        self.assertEqual(item["unidad_title"], self.fixture.unidad.Title())
        self.assertEqual(item["review_state"], "distribuido")
        self.assertEqual(item["review_state_title"], "Distributed")
        receipt = self.session().get(item["justificante_download"])
        self.assertEqual(receipt.status_code, 200)
        self.assertEqual(receipt.headers["Content-Type"], "application/pdf")
        # The summer-time entry keeps its Madrid offset.
        (summer,) = self.book(desde="2026-04-01", hasta="2026-04-01")["items"]
        self.assertEqual(summer["fecha_presentacion"], "2026-04-01T00:30:00+02:00")

    def test_batching(self):
        first = self.book(b_size=4)
        self.assertEqual(first["items_total"], len(ENTRIES))
        self.assertEqual(len(first["items"]), 4)
        self.assertIn("next", first["batching"])
        second = self.session().get(first["batching"]["next"]).json()
        numbers = [item["numero"] for item in first["items"] + second["items"]]
        self.assertEqual(numbers, self.fixture.numbers(*newest_first(ALL_KEYS)))
        self.assertIsNone(self.book()["batching"])  # 6 rows: one page of 50

    def test_bad_parameters_name_the_field(self):
        cases = (
            ("serie", "X"),
            ("desde", "2026-13-01"),
            ("desde", "yesterday"),
            ("hasta", "31/03/2026"),
            ("canal", "fax"),
            ("unidad", "no-such-unit"),
            ("interesado", "12345678$Z"),
            ("nombre", "***"),
            ("resumen", "?!"),
            ("resumen", "__"),
            ("orden", "up"),
            ("format", "xls"),
            ("b_size", "-1"),
            ("b_start", "abc"),
        )
        for name, value in cases:
            with self.subTest(name=name, value=value):
                response = self.session().get(BOOK, params={name: value})
                self.assertEqual(response.status_code, 400, response.text)
                error = response.json()["error"]
                self.assertEqual(error["type"], "BadRequest")
                self.assertEqual(list(error["fields"]), [name])
                self.assertIn(name, error["message"])
        response = self.session().get(
            BOOK, params={"desde": "2026-04-01", "hasta": "2026-03-01"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["error"]["fields"],
            {"hasta": "The end date is before the start date."},
        )

    def test_who_may_read_the_book(self):
        for user in ALLOWED:
            with self.subTest(user=user):
                body = self.book(user)
                self.assertEqual(body["items_total"], len(ENTRIES))
        for user in REFUSED:
            with self.subTest(user=user):
                for params in ({}, {"format": "csv"}):
                    response = self.session(user).get(BOOK, params=params)
                    self.assertIn(response.status_code, (401, 403), response.text)
                    self.assertNotIn("Puig", response.text)

    def test_personal_data_stays_out_of_search(self):
        """The book's columns are on the entry's brain only, which the catalog
        gives only to those who may view the entry."""
        anonymous = self.session("anonimo")
        for params in (
            {"registro_interesado_id": VALID_NIF},
            {"registro_interesado_nombre": "Puig"},
            {"portal_type": "Asiento"},
        ):
            with self.subTest(params=params):
                response = anonymous.get("/@search", params=params)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["items_total"], 0)
        response = anonymous.get(
            "/@search",
            params={"metadata_fields": "registro_interesado_nombre", "b_size": 500},
        )
        self.assertNotIn("Puig", response.text)
        # Staff of a unit see their distributed entry, not the others.
        response = self.session("tramitador").get(
            "/@search",
            params={"portal_type": "Asiento", "metadata_fields": "registro_numero"},
        )
        self.assertEqual(
            [item["registro_numero"] for item in response.json()["items"]],
            self.fixture.numbers("subvencio"),
        )


class TestBookExport(BookHTTPTestCase):
    def rows(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers["Content-Type"], "text/csv; charset=utf-8")
        self.assertTrue(response.content.startswith(b"\xef\xbb\xbf"))
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline="")))

    def test_csv_over_rest(self):
        response = self.session().get(
            BOOK,
            params={"format": "csv", "desde": "2026-03-01", "hasta": "2026-03-31"},
        )
        rows = self.rows(response)
        self.assertEqual(
            response.headers["Content-Disposition"],
            'attachment; filename="libro-registro-2026-03-01-2026-03-31.csv"',
        )
        header, *body = rows
        self.assertEqual(
            header[:3], ["Register number", "Presented on", "Effective date"]
        )
        self.assertIn("Interested party", header)
        self.assertEqual(
            [row[0] for row in body],
            self.fixture.numbers(*newest_first(ALL_KEYS[:4])),
        )
        by_number = {row[0]: dict(zip(header, row, strict=True)) for row in body}
        subvencio = by_number[self.fixture.entries["subvencio"].numero]
        self.assertEqual(subvencio["Presented on"], "2026-03-03 00:00:10")
        self.assertEqual(subvencio["Interested party"], "Núria Ferrer Bosch")
        self.assertEqual(subvencio["Identifier"], VALID_NIE)
        self.assertEqual(subvencio["Channel"], "Online")
        self.assertEqual(subvencio["State"], "Distributed")
        self.assertEqual(subvencio["Summary"], "Subvenció d'activitats culturals")
        self.assertEqual(
            subvencio["Address"], self.fixture.entries["subvencio"].absolute_url()
        )

    def test_csv_neutralises_formulas(self):
        rows = self.rows(
            self.session().get(
                BOOK,
                params={"format": "csv", "desde": "2026-04-01", "hasta": "2026-04-01"},
            )
        )
        header, row = rows
        summary = dict(zip(header, row, strict=True))["Summary"]
        self.assertEqual(summary, "'" + ENTRIES[4][7])

    def test_every_row_not_just_a_page(self):
        # 52 entries more: the page shows 50, the export all.
        portal = self.portal
        for position in range(52):
            register(
                portal,
                datetime(2026, 5, 4, 9, 0, position),
                "entrada",
                "presencial",
                self.fixture.unidad,
                VALID_NIF,
                "Maria Puig i Soler",
                f"Instància {position}",
            )
        transaction.commit()
        total = len(ENTRIES) + 52
        page = html.fromstring(self.browser().get(PAGE).text)
        self.assertEqual(len(page.cssselect("#libro-registro tbody tr")), 50)
        second = html.fromstring(self.browser().get(PAGE, params={"b_start": 50}).text)
        self.assertEqual(len(second.cssselect("#libro-registro tbody tr")), total - 50)
        self.assertIn(
            str(total), page.cssselect("#libro-registro-total")[0].text_content()
        )
        # The export link carries the filters and gives every row.
        csv_url = page.cssselect("#libro-registro-csv")[0].get("href")
        response = self.browser().get(csv_url)
        rows = self.rows(response)
        self.assertEqual(len(rows), total + 1)
        self.assertEqual(len({row[0] for row in rows[1:]}), total)
        self.assertEqual(len(self.book(b_size=1000)["items"]), total)

    def test_ods(self):
        response = self.session().get(BOOK, params={"format": "ods", "serie": "S"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.headers["Content-Type"],
            "application/vnd.oasis.opendocument.spreadsheet",
        )
        self.assertRegex(
            response.headers["Content-Disposition"],
            r'^attachment; filename="libro-registro-inicio-\d{4}-\d\d-\d\d\.ods"$',
        )
        archive = zipfile.ZipFile(BytesIO(response.content))
        first = archive.infolist()[0]
        self.assertEqual(first.filename, "mimetype")
        self.assertEqual(first.compress_type, zipfile.ZIP_STORED)
        self.assertEqual(
            archive.read("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet"
        )
        self.assertIn("META-INF/manifest.xml", archive.namelist())
        content = etree.fromstring(archive.read("content.xml"))
        rows = content.findall(".//table:table-row", ODS_NS)
        texts = [
            [
                "".join(cell.itertext())
                for cell in row.findall("table:table-cell", ODS_NS)
            ]
            for row in rows
        ]
        self.assertEqual(texts[0][0], "Register number")
        self.assertEqual(
            [row[0] for row in texts[1:]], self.fixture.numbers("ofici", "notificacio")
        )
        date_cell = rows[1].findall("table:table-cell", ODS_NS)[1]
        self.assertEqual(date_cell.get(f"{{{ODS_NS['office']}}}value-type"), "date")
        self.assertEqual(
            date_cell.get(f"{{{ODS_NS['office']}}}date-value"), "2026-04-15T10:00:00"
        )


class TestBookPage(BookHTTPTestCase):
    def page(self, user="registrador", **params):
        response = self.browser(user).get(PAGE, params=params)
        self.assertEqual(response.status_code, 200, response.text[:500])
        return html.fromstring(response.text)

    def numbers(self, page):
        return [
            row.get("data-numero") for row in page.cssselect("#libro-registro tbody tr")
        ]

    def test_filters(self):
        units = {key: IUUID(unit) for key, unit in self.fixture.units.items()}
        for label, params, keys in FILTER_CASES:
            if "dir3:" in params.get("unidad", ""):
                continue
            with self.subTest(label):
                params = dict(params)
                if "unidad" in params:
                    params["unidad"] = units[params["unidad"]]
                page = self.page(**params)
                self.assertEqual(
                    self.numbers(page), self.fixture.numbers(*newest_first(keys))
                )
                self.assertFalse(page.cssselect("#libro-registro-error"))

    def test_row(self):
        page = self.page(interesado=VALID_NIE)
        (row,) = page.cssselect("#libro-registro tbody tr")
        asiento = self.fixture.entries["subvencio"]
        cells = [cell.text_content().strip() for cell in row.cssselect("td")]
        self.assertEqual(cells[0], asiento.numero)
        self.assertEqual(cells[1], "2026-03-03 00:00:10")
        self.assertEqual(cells[3], "Online")
        self.assertIn("Núria Ferrer Bosch", cells[4])
        self.assertIn(VALID_NIE, cells[4])
        self.assertEqual(cells[5], "Subvenció d'activitats culturals")
        self.assertIn(self.fixture.otra_unidad.dir3_code, cells[6])
        self.assertEqual(cells[7], self.fixture.unidad.Title())
        self.assertEqual(cells[8], "Distributed")
        links = [link.get("href") for link in row.cssselect("a")]
        self.assertEqual(
            links,
            [
                asiento.absolute_url(),
                f"{asiento.absolute_url()}/{asiento.justificante}/@@download/file",
            ],
        )

    def test_bad_filters_show_a_form_error(self):
        for name, value, message in (
            ("desde", "2026-02-30", "Not a date: write it as YYYY-MM-DD."),
            ("serie", "Z", 'Unknown series: use "E" (entries) or "S" (exits).'),
            ("canal", "fax", "Unknown channel"),
            ("format", "xls", "Unknown export format: use csv or ods."),
        ):
            with self.subTest(name=name):
                page = self.page(**{name: value})
                (error,) = page.cssselect("#libro-registro-error")
                self.assertIn(name, error.text_content())
                self.assertIn(message, page.text_content())
                self.assertFalse(page.cssselect("#libro-registro tbody tr"))

    def test_who_may_open_the_page(self):
        for user in ALLOWED:
            with self.subTest(user=user):
                self.assertEqual(len(self.numbers(self.page(user))), len(ENTRIES))
        for user in REFUSED:
            with self.subTest(user=user):
                response = self.browser(user).get(PAGE, allow_redirects=False)
                if response.status_code == 302:
                    self.assertIn("require_login", response.headers["Location"])
                else:
                    self.assertIn(response.status_code, (401, 403))
                self.assertNotIn("Puig", response.text)

    def test_export_filename_names_the_range(self):
        response = self.browser().get(
            PAGE, params={"format": "csv", "desde": "2026-03-02", "hasta": "2026-03-02"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Disposition"],
            'attachment; filename="libro-registro-2026-03-02-2026-03-02.csv"',
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(
            [row[0] for row in rows[1:]],
            self.fixture.numbers("notificacio", "obra"),
        )
        self.assertEqual(date(2026, 3, 2).isoformat(), rows[1][1][:10])

    def test_export_filename_names_today_as_the_open_end(self):
        # setUp's today: 20 Apr 2026.
        for params, filename in (
            ({"desde": "2026-03-02"}, "libro-registro-2026-03-02-2026-04-20.csv"),
            ({}, "libro-registro-inicio-2026-04-20.csv"),
        ):
            with self.subTest(params):
                response = self.browser().get(PAGE, params={"format": "csv", **params})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    response.headers["Content-Disposition"],
                    f'attachment; filename="{filename}"',
                )
