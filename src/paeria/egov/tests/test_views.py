"""The Classic UI views of the domain types, rendered over HTTP as staff and
citizens see them."""

from datetime import date
from datetime import timedelta
from lxml import html
from paeria.egov import _
from paeria.egov.procedures.browser import SILENCE_EXPLANATIONS
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import login
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import TEST_USER_ID
from plone.app.testing import TEST_USER_NAME
from plone.app.textfield.value import RichTextValue
from plone.namedfile.file import NamedBlobFile
from plone.testing.zope import Browser
from reportlab.pdfgen.canvas import Canvas
from zope.i18n import translate
import hashlib
import io
import random
import transaction
import unittest


LLEIDA_DIR3 = "L01251207"
OTHER_DIR3 = "LA0000002"
PASSWORD = "secret-password-1234"
PAYLOAD = '<script>alert("pwned")</script>'


# Local factories ----------------------------------------------------------


def pdf(text):
    """A small, real PDF (pdftotext indexes it without complaint)."""
    stream = io.BytesIO()
    canvas = Canvas(stream, invariant=True)
    canvas.drawString(100, 750, text)
    canvas.save()
    return stream.getvalue()


def make_unidad(portal, unidad_id, title, dir3_code):
    return api.content.create(
        container=portal["unidades"],
        type="Unidad",
        id=unidad_id,
        title=title,
        dir3_code=dir3_code,
    )


def make_procedimiento(portal, title, sia_code, unidad, publish=True, **fields):
    values = {
        "max_resolution_amount": 3,
        "max_resolution_unit": "months",
        "silence_effect": "estimatorio",
        "channels": ["telematico", "presencial"],
        "online_start": True,
        "required_documents": [],
    }
    values.update(fields)
    procedimiento = api.content.create(
        container=portal["tramites"],
        type="Procedimiento",
        title=title,
        sia_code=sia_code,
        responsible_unit=api.content.get_uuid(unidad),
        **values,
    )
    if publish:
        api.content.transition(obj=procedimiento, transition="publicar")
    return procedimiento


def party(identifier, name, identifier_type="NIF"):
    return {
        "identifier_type": identifier_type,
        "identifier": identifier,
        "name": name,
        "representative": "",
        "notification_channel": "electronica",
        "email": "",
    }


def make_expediente(unidad, procedimiento, title, interesados=(), deadline=None):
    expediente = api.content.create(
        container=unidad,
        type="Expediente",
        title=title,
        procedimiento=api.content.get_uuid(procedimiento),
        interesados=list(interesados),
    )
    if deadline is not None:
        # As a suspension would leave it: the tray must sort whatever it is.
        expediente.fecha_limite = deadline
        expediente.reindexObject()
    return expediente


def make_documento(expediente, title, data=None, tipo_documental="TD14", **fields):
    return api.content.create(
        container=expediente,
        type="Documento",
        title=title,
        file=NamedBlobFile(
            data=data or pdf(title),
            filename=f"{title.lower()}.pdf",
            contentType="application/pdf",
        ),
        tipo_documental=tipo_documental,
        **fields,
    )


def make_staff(username, groups=(), roles=("Member",)):
    api.user.create(
        email=f"{username}@example.org",
        username=username,
        password=PASSWORD,
        roles=list(roles),
    )
    for group in groups:
        api.group.add_user(groupname=group, username=username)


def spanish(message):
    """The label a Spanish visitor reads: the es catalogue's text when it has
    one, else the English default (never the msgid, never the code)."""
    return translate(message, target_language="es")


# Test base ------------------------------------------------------------------


class ViewTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Today is Tuesday 2 Jun 2026 in Madrid, with Lleida's 2026 holidays.
        base.travel(self, "2026-06-02T10:00")
        self.app = self.layer["app"]
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        login(self.portal, TEST_USER_NAME)
        base.with_holidays(2026, 2027)

    def browser(self, username=SITE_OWNER_NAME, password=SITE_OWNER_PASSWORD):
        """A Spanish-speaking visitor; anonymous when ``username`` is None."""
        browser = Browser(self.app)
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "es")
        if username is not None:
            browser.addHeader("Authorization", f"Basic {username}:{password}")
        return browser

    def open(self, url, username=SITE_OWNER_NAME, password=SITE_OWNER_PASSWORD):
        browser = self.browser(username, password)
        browser.open(url)
        self.assertEqual(browser.headers["status"], "200 OK")
        return browser, html.fromstring(browser.contents)

    def texts(self, tree, xpath):
        return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]

    def text(self, tree, xpath):
        found = self.texts(tree, xpath)
        self.assertEqual(len(found), 1, f"{xpath} matched {found}")
        return found[0]


# Expediente and Documento -----------------------------------------------------


class ExpedienteViewTests(ViewTestCase):
    def setUp(self):
        super().setUp()
        self.unidad = make_unidad(self.portal, "urbanismo", "Urbanismo", LLEIDA_DIR3)
        self.procedimiento = make_procedimiento(
            self.portal, "Licencia de obras", "2001234", self.unidad
        )
        self.expediente = make_expediente(
            self.unidad,
            self.procedimiento,
            "Obras en la calle Mayor",
            interesados=[
                party("12345678Z", "Maria Puig"),
                party("B12345674", "Construccions Segre SL", identifier_type="CIF"),
            ],
        )
        # Created in one order, then refoliated: the index must follow orden.
        self.documents = [
            make_documento(self.expediente, "Solicitud", data=pdf("1")),
            make_documento(
                self.expediente, "Informe", data=pdf("22"), tipo_documental="TD13"
            ),
            make_documento(
                self.expediente, "Resolucion", data=pdf("333"), tipo_documental="TD01"
            ),
        ]
        for documento, orden in zip(self.documents, (2, 3, 1), strict=True):
            documento.orden = orden
            documento.reindexObject()
        make_staff("tramitadora", groups=["urbanismo-tramitadores"])
        make_staff("auditora", roles=("Member", "Auditor"))
        transaction.commit()

    def test_header(self):
        _browser, tree = self.open(self.expediente.absolute_url())
        # Opened today, 2 Jun 2026: three months end on Wednesday 2 Sep.
        deadline = self.expediente.fecha_limite
        self.assertEqual(deadline, date(2026, 9, 2))
        self.assertEqual(self.expediente.numero, "2026/000001")
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-numero')]"),
            self.expediente.numero,
        )
        procedure = tree.xpath("//dd[contains(@class,'paeria-procedure')]")[0]
        self.assertIn("Licencia de obras", procedure.text_content())
        self.assertIn("2001234", procedure.text_content())
        self.assertEqual(
            procedure.xpath(".//a/@href"), [self.procedimiento.absolute_url()]
        )
        self.assertEqual(
            tree.xpath(
                "//section[contains(@class,'paeria-expediente-header')]//a/@href"
            ),
            [self.procedimiento.absolute_url(), self.unidad.absolute_url()],
        )
        self.assertEqual(
            self.text(tree, "//span[contains(@class,'paeria-deadline-date')]"),
            deadline.strftime("%d/%m/%Y"),
        )
        left = self.text(tree, "//span[contains(@class,'paeria-days-left')]")
        # 3 Jun - 2 Sep: 19 business days in June (Sant Joan on the 24th),
        # 23 in July, 21 in August (15 Aug is a Saturday) and 2 in September.
        days = 65
        self.assertEqual(
            left,
            spanish(
                _(
                    "msg_deadline_days_left",
                    default="${days} business days left",
                    mapping={"days": days},
                )
            ),
        )
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-eni-state')]"),
            spanish(_("eni_E01", default="Open")),
        )

    def test_interested_parties(self):
        browser, tree = self.open(self.expediente.absolute_url())
        self.assertEqual(
            self.texts(tree, "//td[contains(@class,'paeria-identifier')]"),
            ["12345678Z", "B12345674"],
        )
        self.assertIn("Construccions Segre SL", browser.contents)
        self.assertIn(
            spanish(_("identifier_CIF", default="CIF (legal entity)")), browser.contents
        )

    def test_electronic_index_in_foliado_order(self):
        _browser, tree = self.open(self.expediente.absolute_url())
        rows = tree.xpath("//tr[contains(@class,'paeria-index-entry')]")
        self.assertEqual(
            [" ".join(row.xpath(".//a")[0].text_content().split()) for row in rows],
            ["Resolucion", "Solicitud", "Informe"],
        )
        self.assertEqual(
            self.texts(tree, "//td[contains(@class,'paeria-orden')]"), ["1", "2", "3"]
        )
        self.assertEqual(
            self.texts(tree, "//td[contains(@class,'paeria-tipo')]"),
            [
                spanish(_("eni_TD01", default="Resolution")),
                spanish(_("eni_TD14", default="Application")),
                spanish(_("eni_TD13", default="Report")),
            ],
        )
        resolution = self.documents[2]
        full = hashlib.sha256(pdf("333")).hexdigest()
        self.assertEqual(resolution.huella, full)
        fingerprint = rows[0].xpath(".//code[contains(@class,'paeria-huella')]")[0]
        self.assertEqual(fingerprint.text_content(), full[:16])
        self.assertEqual(fingerprint.get("title"), full)

    def test_electronic_index_format_from_the_catalog(self):
        # The brain's mime_type: needs Documento.content_type() to return the
        # file's MIME type (Dexterity's default says text/plain for any item).
        _browser, tree = self.open(self.expediente.absolute_url())
        self.assertEqual(
            self.texts(tree, "//td[contains(@class,'paeria-format')]"), ["PDF"] * 3
        )

    def test_add_button_only_for_who_may_add(self):
        cases = (
            (SITE_OWNER_NAME, SITE_OWNER_PASSWORD, True),
            ("tramitadora", PASSWORD, True),
            ("auditora", PASSWORD, False),
        )
        for username, password, expected in cases:
            with self.subTest(user=username):
                _browser, tree = self.open(
                    self.expediente.absolute_url(), username, password
                )
                links = tree.xpath("//a[contains(@class,'paeria-add-documento')]/@href")
                self.assertEqual(
                    links,
                    [f"{self.expediente.absolute_url()}/++add++Documento"]
                    if expected
                    else [],
                )

    def test_documento_view(self):
        documento = self.documents[1]
        browser, tree = self.open(documento.absolute_url(), "tramitadora", PASSWORD)
        full = hashlib.sha256(pdf("22")).hexdigest()
        self.assertEqual(
            self.text(tree, "//code[contains(@class,'paeria-huella')]"), full
        )
        expected = {
            "paeria-meta-eni_identifier": documento.eni_identifier,
            "paeria-meta-organo": LLEIDA_DIR3,
            "paeria-meta-origen": spanish(
                _("origin_administration", default="Administration")
            ),
            "paeria-meta-estado_elaboracion": spanish(
                _("eni_EE01", default="Original")
            ),
            "paeria-meta-tipo_documental": spanish(_("eni_TD13", default="Report")),
            "paeria-meta-nombre_formato": "PDF",
            "paeria-meta-funcion_resumen": "SHA-256",
            "paeria-meta-orden": "3",
        }
        for css_class, value in expected.items():
            with self.subTest(row=css_class):
                self.assertTrue(value)
                self.assertEqual(
                    self.text(tree, f"//tr[@class='{css_class}']/td"), value
                )
        download = tree.xpath("//a[contains(@class,'paeria-download')]/@href")
        self.assertEqual(download, [f"{documento.absolute_url()}/@@download/file"])
        self.assertEqual(
            self.text(tree, "//span[contains(@class,'paeria-format')]"), "PDF"
        )
        self.assertIn("B", self.text(tree, "//span[contains(@class,'paeria-size')]"))
        self.assertEqual(
            tree.xpath("//a[contains(@class,'paeria-expediente-link')]/@href"),
            [self.expediente.absolute_url()],
        )
        self.assertIn(self.expediente.numero, browser.contents)
        browser.open(download[0])
        self.assertEqual(browser.contents, pdf("22"))

    def test_a_signed_document_shows_its_signature_and_csv(self):
        documento = self.documents[1]
        _browser, tree = self.open(documento.absolute_url(), "tramitadora", PASSWORD)
        self.assertEqual(
            self.text(
                tree,
                "//section[contains(@class,'paeria-documento-signatures')]"
                "/p[contains(@class,'text-muted')]",
            ),
            spanish(_("msg_not_signed", default="The document is not signed.")),
        )
        api.content.transition(documento, "enviar_firma")
        # Signing is the Responsable's (an administrator may not sign).
        with api.env.adopt_roles(["Responsable"]):
            api.content.transition(documento, "firmar")
        transaction.commit()
        _browser, tree = self.open(documento.absolute_url(), "tramitadora", PASSWORD)
        self.assertTrue(documento.csv)
        self.assertEqual(self.text(tree, "//code[@class='paeria-csv']"), documento.csv)
        self.assertEqual(
            tree.xpath("//a[@class='paeria-verification-link']/@href"),
            [f"{self.portal_url}/@@verificar?csv={documento.csv}"],
        )
        (signature,) = self.texts(tree, "//ul[@class='paeria-own-signatures']/li")
        self.assertIn("(CSV) (TF01)", signature)
        self.assertIn(TEST_USER_ID, signature)
        # Signed now, at 10:00 in Madrid (08:00 UTC): shown in the office's time.
        self.assertTrue(signature.endswith("02/06/2026 10:00"), signature)
        self.assertEqual(tree.xpath("//ul[@class='paeria-received-signatures']"), [])

    def test_user_data_is_escaped(self):
        expediente = make_expediente(
            self.unidad,
            self.procedimiento,
            PAYLOAD,
            interesados=[party("00000000T", '<img src=x onerror="alert(1)">')],
        )
        make_documento(expediente, PAYLOAD)
        transaction.commit()
        for url in (expediente.absolute_url(), self.unidad.absolute_url()):
            with self.subTest(url=url):
                browser, _tree = self.open(url)
                self.assertNotIn(PAYLOAD, browser.contents)
                self.assertNotIn("<img src=x", browser.contents)
                self.assertIn("&lt;script&gt;alert(", browser.contents)
                self.assertIn("&lt;img src=x onerror=", browser.contents)


# Unidad: the work tray -------------------------------------------------------


class WorkTrayTests(ViewTestCase):
    def setUp(self):
        super().setUp()
        self.unidad = make_unidad(self.portal, "urbanismo", "Urbanismo", LLEIDA_DIR3)
        self.procedimiento = make_procedimiento(
            self.portal, "Licencia de obras", "2001234", self.unidad
        )
        start = date(2026, 7, 12)  # 40 days after today (2 Jun 2026)
        offsets = list(range(30))
        random.Random(7).shuffle(offsets)
        self.expedientes = [
            make_expediente(
                self.unidad,
                self.procedimiento,
                f"Expediente {offset:02d}",
                interesados=[
                    party(
                        "12345678Z" if offset == 17 else "00000000T",
                        f"Persona {offset}",
                    )
                ],
                deadline=start + timedelta(days=offset),
            )
            for offset in offsets
        ]
        self.by_offset = dict(zip(offsets, self.expedientes, strict=True))
        make_staff("tramitadora", groups=["urbanismo-tramitadores"])
        transaction.commit()

    def numbers(self, tree):
        return self.texts(
            tree,
            "//tr[contains(@class,'paeria-tray-row')]/td[contains(@class,'paeria-numero')]",
        )

    def test_add_expediente_link(self):
        _browser, tree = self.open(self.unidad.absolute_url(), "tramitadora", PASSWORD)
        self.assertEqual(
            tree.xpath("//a[contains(@class,'paeria-add-expediente')]/@href"),
            [f"{self.unidad.absolute_url()}/++add++Expediente"],
        )
        self.assertEqual(
            self.text(tree, "//code[contains(@class,'paeria-dir3')]"), LLEIDA_DIR3
        )

    def test_sorted_by_deadline_and_paginated_by_25(self):
        _browser, tree = self.open(self.unidad.absolute_url(), "tramitadora", PASSWORD)
        first_page = self.numbers(tree)
        self.assertEqual(
            first_page, [self.by_offset[offset].numero for offset in range(25)]
        )
        self.assertTrue(tree.xpath("//nav//ul[contains(@class,'pagination')]"))
        self.assertEqual(
            self.text(tree, "//p[contains(@class,'paeria-tray-count')]"),
            spanish(
                _(
                    "msg_open_expedientes_count",
                    default="Open expedientes: ${count}",
                    mapping={"count": 30},
                )
            ),
        )
        _browser, tree = self.open(
            f"{self.unidad.absolute_url()}?b_start:int=25", "tramitadora", PASSWORD
        )
        self.assertEqual(
            self.numbers(tree),
            [self.by_offset[offset].numero for offset in range(25, 30)],
        )

    def test_expediente_without_deadline_comes_last(self):
        undated = self.by_offset[3]
        undated.fecha_limite = None  # e.g. imported without a procedure
        undated.reindexObject()
        transaction.commit()
        _browser, tree = self.open(f"{self.unidad.absolute_url()}?b_start:int=25")
        self.assertEqual(
            self.numbers(tree),
            [self.by_offset[offset].numero for offset in (26, 27, 28, 29, 3)],
        )
        self.assertEqual(
            len(tree.xpath("//span[contains(@class,'paeria-no-deadline')]")), 1
        )

    def test_closed_expedientes_are_not_in_the_tray(self):
        closed = self.by_offset[0]
        closed.index_closed = True  # ENI E03
        closed.reindexObject()
        transaction.commit()
        _browser, tree = self.open(self.unidad.absolute_url())
        self.assertEqual(self.numbers(tree)[0], self.by_offset[1].numero)
        self.assertNotIn(closed.numero, self.numbers(tree))

    def test_deadline_highlighting(self):
        # Today is Tuesday 2 Jun 2026: Friday 5 Jun is 3 business days away
        # (urgent), Wednesday 10 Jun 6 (not yet), 23 May is overdue.
        cases = (
            (0, date(2026, 6, 5), True),
            (1, date(2026, 5, 23), True),
            (2, date(2026, 6, 10), False),
        )
        for offset, deadline, _urgent in cases:
            self.by_offset[offset].fecha_limite = deadline
            self.by_offset[offset].reindexObject()
        transaction.commit()
        _browser, tree = self.open(self.unidad.absolute_url())
        rows = {
            " ".join(
                row.xpath("td[contains(@class,'paeria-numero')]")[0]
                .text_content()
                .split()
            ): row
            for row in tree.xpath("//tr[contains(@class,'paeria-tray-row')]")
        }
        for offset, _deadline, urgent in cases:
            with self.subTest(offset=offset):
                row_class = rows[self.by_offset[offset].numero].get("class")
                self.assertEqual(
                    "table-danger" in row_class or "table-warning" in row_class, urgent
                )
        overdue_row = rows[self.by_offset[1].numero]
        self.assertIn("table-danger", overdue_row.get("class"))

    def test_search(self):
        target = self.by_offset[17]
        cases = (
            ("interesado", "12345678-z", [target.numero]),
            ("interesado", "99999999R", []),
            ("numero", target.numero, [target.numero]),
            (
                "numero",
                f"{target.numero[:4]}/{int(target.numero[5:])}",
                [target.numero],
            ),
            ("SearchableText", "Persona 17", [target.numero]),
        )
        for field, value, expected in cases:
            with self.subTest(field=field, value=value):
                browser = self.browser("tramitadora", PASSWORD)
                browser.open(self.unidad.absolute_url())
                form = browser.getForm(index=self._tray_form_index(browser))
                form.getControl(name=field).value = value
                form.submit()
                tree = html.fromstring(browser.contents)
                self.assertEqual(self.numbers(tree), expected)

    def _tray_form_index(self, browser):
        forms = html.fromstring(browser.contents).xpath("//form")
        for index, form in enumerate(forms):
            if "paeria-tray-search" in (form.get("class") or ""):
                return index
        self.fail("no tray search form")

    def test_columns_come_from_the_catalog(self):
        _browser, tree = self.open(self.unidad.absolute_url())
        first = tree.xpath("//tr[contains(@class,'paeria-tray-row')]")[0]
        cells = [" ".join(td.text_content().split()) for td in first.xpath("td")]
        self.assertEqual(cells[0], self.by_offset[0].numero)
        self.assertEqual(cells[1], "Expediente 00")
        self.assertEqual(cells[2], "Licencia de obras")
        self.assertEqual(cells[3], "Persona 0")
        self.assertTrue(
            cells[4].startswith(self.by_offset[0].fecha_limite.strftime("%d/%m/%Y"))
        )


# Procedimiento and the catalogue ------------------------------------------------


class CatalogueTests(ViewTestCase):
    def setUp(self):
        super().setUp()
        self.urbanismo = make_unidad(self.portal, "urbanismo", "Urbanismo", LLEIDA_DIR3)
        self.cultura = make_unidad(self.portal, "cultura", "Cultura", OTHER_DIR3)
        self.obras = make_procedimiento(
            self.portal,
            "Licencia de obras",
            "2001234",
            self.urbanismo,
            description="Para construir o reformar.",
            requirements=RichTextValue(
                "<p>Ser <strong>propietario</strong>.</p><script>alert(1)</script>",
                "text/html",
                "text/x-html-safe",
            ),
            required_documents=[
                {"name": "DNI", "mandatory": True, "tipo_documental": "TD14"},
                {"name": "Planos", "mandatory": False, "tipo_documental": "TD99"},
            ],
            subject=("Vivienda",),
        )
        self.subvencion = make_procedimiento(
            self.portal,
            "Ayudas a entidades culturales",
            "2005678",
            self.cultura,
            max_resolution_amount=20,
            max_resolution_unit="business_days",
            silence_effect="desestimatorio",
            channels=["presencial"],
            online_start=False,
            subject=("Cultura",),
        )
        self.draft = make_procedimiento(
            self.portal, "Borrador secreto", "2009999", self.cultura, publish=False
        )
        transaction.commit()

    def listed(self, tree):
        return self.texts(tree, "//a[contains(@class,'paeria-procedure-link')]")

    def test_anonymous_sees_only_published_sorted_by_title(self):
        _browser, tree = self.open(self.portal["tramites"].absolute_url(), None)
        self.assertEqual(
            self.listed(tree), ["Ayudas a entidades culturales", "Licencia de obras"]
        )

    def test_search_and_filters(self):
        url = self.portal["tramites"].absolute_url()
        cases = (
            ("SearchableText=reformar", ["Licencia de obras"]),
            ("SearchableText=secreto", []),
            ("Subject=Cultura", ["Ayudas a entidades culturales"]),
            (f"responsible_unit={self.urbanismo.UID()}", ["Licencia de obras"]),
            (f"responsible_unit={self.urbanismo.UID()}&Subject=Cultura", []),
        )
        for query, expected in cases:
            with self.subTest(query=query):
                _browser, tree = self.open(f"{url}?{query}", None)
                self.assertEqual(self.listed(tree), expected)
        _browser, tree = self.open(url, None)
        self.assertEqual(
            tree.xpath("//select[@name='Subject']/option/@value"),
            ["", "Cultura", "Vivienda"],
        )
        self.assertEqual(
            self.texts(tree, "//select[@name='responsible_unit']/option")[1:],
            ["Cultura", "Urbanismo"],
        )

    def test_user_data_is_escaped(self):
        payload = make_procedimiento(
            self.portal, PAYLOAD, "2007777", self.cultura, subject=(PAYLOAD,)
        )
        transaction.commit()
        for url in (self.portal["tramites"].absolute_url(), payload.absolute_url()):
            with self.subTest(url=url):
                browser, _tree = self.open(url, None)
                self.assertNotIn(PAYLOAD, browser.contents)
                self.assertIn("&lt;script&gt;alert(", browser.contents)

    def test_procedimiento_view_for_citizens(self):
        browser, tree = self.open(self.obras.absolute_url(), None)
        self.assertIn("Para construir o reformar.", browser.contents)
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-sia')]"), "2001234"
        )
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-responsible-unit')]"),
            "Urbanismo",
        )
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-max-time')]"), "3 meses"
        )
        self.assertEqual(
            self.texts(tree, "//dd[contains(@class,'paeria-channels')]//li"),
            [
                spanish(_("channel_telematico", default="Online")),
                spanish(_("channel_presencial", default="In person")),
            ],
        )
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-online-start')]"),
            spanish(_("label_yes", default="Yes")),
        )
        richtext = tree.xpath("//div[contains(@class,'paeria-richtext')]")[0]
        self.assertEqual(richtext.xpath(".//strong/text()"), ["propietario"])
        self.assertEqual(richtext.xpath(".//script"), [])
        rows = [
            [" ".join(td.text_content().split()) for td in row.xpath("td")]
            for row in tree.xpath("//tr[contains(@class,'paeria-required-document')]")
        ]
        self.assertEqual(
            rows,
            [
                [
                    "DNI",
                    spanish(_("label_yes", default="Yes")),
                    spanish(_("eni_TD14", default="Application")),
                ],
                [
                    "Planos",
                    spanish(_("label_no", default="No")),
                    spanish(_("eni_TD99", default="Other")),
                ],
            ],
        )
        self.assertEqual(
            self.text(tree, "//p[contains(@class,'paeria-silence-label')]"),
            spanish(_("silence_estimatorio", default="Granted (positive silence)")),
        )
        self.assertEqual(
            self.text(tree, "//p[contains(@class,'paeria-silence-explanation')]"),
            spanish(SILENCE_EXPLANATIONS["estimatorio"]),
        )
        self.assertNotIn("eni_TD14", browser.contents)

    def test_maximum_time_in_business_days_and_negative_silence(self):
        _browser, tree = self.open(self.subvencion.absolute_url(), None)
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-max-time')]"),
            "20 días hábiles",
        )
        self.assertEqual(
            self.text(tree, "//p[contains(@class,'paeria-silence-explanation')]"),
            spanish(SILENCE_EXPLANATIONS["desestimatorio"]),
        )
        self.assertEqual(
            self.text(tree, "//dd[contains(@class,'paeria-online-start')]"),
            spanish(_("label_no", default="No")),
        )

    def test_every_maximum_time_reads_in_the_visitors_language(self):
        # Issue 20: "1 month" and "20 business days" on the Spanish site.
        cases = (
            (1, "months", "1 mes", "1 mes"),
            (3, "months", "3 meses", "3 mesos"),
            (1, "business_days", "1 día hábil", "1 dia hàbil"),
            (20, "business_days", "20 días hábiles", "20 dies hàbils"),
            (1, "calendar_days", "1 día natural", "1 dia natural"),
            (15, "calendar_days", "15 días naturales", "15 dies naturals"),
        )
        for amount, unit, spanish_text, catalan_text in cases:
            self.subvencion.max_resolution_amount = amount
            self.subvencion.max_resolution_unit = unit
            transaction.commit()
            for language, expected in (("es", spanish_text), ("ca", catalan_text)):
                with self.subTest(amount=amount, unit=unit, language=language):
                    browser = self.browser(None)
                    browser.addHeader("Accept-Language", language)
                    browser.open(self.subvencion.absolute_url())
                    tree = html.fromstring(browser.contents)
                    self.assertEqual(
                        self.text(tree, "//dd[contains(@class,'paeria-max-time')]"),
                        expected,
                    )

    def test_start_this_procedure_where_it_can_be_started_online(self):
        start = "//a[contains(@class,'paeria-start-button')]"
        _browser, tree = self.open(self.obras.absolute_url(), None)
        self.assertEqual(
            tree.xpath(f"{start}/@href"), [f"{self.obras.absolute_url()}/@@iniciar"]
        )
        self.assertEqual(self.text(tree, start), "Iniciar trámite")
        _browser, tree = self.open(self.subvencion.absolute_url(), None)
        self.assertEqual(tree.xpath(start), [])
        _browser, tree = self.open(self.portal["tramites"].absolute_url(), None)
        self.assertEqual(
            tree.xpath(f"{start}/@href"), [f"{self.obras.absolute_url()}/@@iniciar"]
        )
        # The button names its procedure for those who hear the list.
        self.assertEqual(self.text(tree, start), "Iniciar trámite: Licencia de obras")

    def test_an_anonymous_start_leads_to_the_login_and_back(self):
        browser = self.browser(None)
        browser.handleErrors = True
        browser.raiseHttpErrors = False
        browser.open(f"{self.obras.absolute_url()}/@@iniciar")
        self.assertIn("/login", browser.url)
        self.assertIn("came_from=", browser.url)
        self.assertIn("%40%40iniciar", browser.url)


# Unidades ---------------------------------------------------------------------


class UnidadesViewTests(ViewTestCase):
    def setUp(self):
        super().setUp()
        self.urbanismo = make_unidad(self.portal, "urbanismo", "Urbanismo", LLEIDA_DIR3)
        self.cultura = make_unidad(self.portal, "cultura", "Cultura", OTHER_DIR3)
        procedimiento = make_procedimiento(
            self.portal, "Licencia de obras", "2001234", self.urbanismo
        )
        for number in range(3):
            make_expediente(self.urbanismo, procedimiento, f"Obra {number}")
        closed = make_expediente(self.urbanismo, procedimiento, "Obra cerrada")
        closed.index_closed = True
        closed.reindexObject()
        transaction.commit()

    def test_units_with_dir3_and_open_expedientes(self):
        _browser, tree = self.open(self.portal["unidades"].absolute_url())
        rows = [
            [" ".join(td.text_content().split()) for td in row.xpath("td")]
            for row in tree.xpath("//tr[contains(@class,'paeria-unit')]")
        ]
        self.assertEqual(
            rows, [["Cultura", OTHER_DIR3, "0"], ["Urbanismo", LLEIDA_DIR3, "3"]]
        )

    def test_anonymous_is_sent_to_login(self):
        for path in ("unidades", "unidades/urbanismo"):
            with self.subTest(path=path):
                browser = Browser(self.app)
                browser.raiseHttpErrors = False
                browser.open(f"{self.portal_url}/{path}")
                self.assertTrue(
                    browser.url.startswith(f"{self.portal_url}/login?came_from="),
                    browser.url,
                )
                self.assertNotIn(LLEIDA_DIR3, browser.contents)
                self.assertNotIn("paeria-unit", browser.contents)
