"""The domain's types over HTTP with plone.restapi's standard services: create,
read and update; computed fields are the server's; bad input is a 400 that
names the field, and nothing is stored."""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import last_number
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.validators.eni_ids import validate_eni_document_id
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from zope.i18n import translate
import ast
import base64
import datetime
import hashlib
import transaction
import unittest


def file_payload(data, filename="solicitud.pdf", content_type="application/pdf"):
    return {
        "data": base64.b64encode(data).decode("ascii"),
        "encoding": "base64",
        "filename": filename,
        "content-type": content_type,
    }


def errors_of(response):
    """plone.restapi's validation errors: a list of {field, message} in the
    message of a BadRequest."""
    body = response.json()
    assert body["type"] == "BadRequest", body
    return ast.literal_eval(body["message"])


class RESTTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        # Tuesday 2 Jun 2026 in Madrid: expedientes are numbered 2026/…
        base.travel(self, "2026-06-02T10:00")
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(self.portal)
        self.procedimiento = base.create_procedimiento(
            self.portal, self.unidad, publish=True
        )
        self.expediente = base.create_expediente(self.unidad, self.procedimiento)
        transaction.commit()
        self.year = 2026
        self.assertEqual(self.expediente.numero, "2026/000001")
        self.session = base.api_session(self.portal.absolute_url())

    def tearDown(self):
        self.session.close()

    def refresh(self):
        """See what the requests committed."""
        transaction.begin()

    def expediente_payload(self, **fields):
        payload = {
            "@type": "Expediente",
            "title": "Llicència d'obra menor",
            "procedimiento": self.procedimiento.UID(),
            "interesados": [base.interesado()],
        }
        payload.update(fields)
        return payload

    def documento_payload(self, data=None, **fields):
        payload = {
            "@type": "Documento",
            "title": "Sol·licitud",
            "tipo_documental": "TD14",
            "file": file_payload(data if data is not None else base.pdf_bytes()),
        }
        payload.update(fields)
        return payload


class TestCreateReadUpdate(RESTTestCase):
    def test_unidad(self):
        response = self.session.post(
            "unidades",
            json={"@type": "Unidad", "title": "Cultura", "dir3_code": "la0054321"},
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        url = response.json()["@id"]
        self.assertTrue(url.endswith("/unidades/cultura"), url)
        # Stored as validated: it goes into the ENI identifiers.
        self.assertEqual(self.session.get(url).json()["dir3_code"], "LA0054321")
        response = self.session.patch(url, json={"title": "Cultura i Festes"})
        self.assertEqual(response.status_code, 204)
        self.refresh()
        unidad = self.portal["unidades"]["cultura"]
        self.assertEqual(unidad.Title(), "Cultura i Festes")
        self.assertEqual(
            dict(unidad.get_local_roles())["cultura-tramitadores"], ("Tramitador",)
        )

    def test_procedimiento(self):
        response = self.session.post(
            "tramites",
            json={
                "@type": "Procedimiento",
                "title": "Ocupació de la via pública",
                "sia_code": "2001234",
                "responsible_unit": self.unidad.UID(),
                "max_resolution_amount": 15,
                "max_resolution_unit": "business_days",
                "silence_effect": "desestimatorio",
                "channels": ["telematico"],
                "online_start": True,
                "required_documents": [
                    {"name": "Plànol", "mandatory": True, "tipo_documental": "TD99"}
                ],
            },
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        body = self.session.get(response.json()["@id"]).json()
        self.assertEqual(body["sia_code"], "2001234")
        self.assertEqual(body["responsible_unit"]["token"], self.unidad.UID())
        self.assertEqual(body["max_resolution_unit"]["token"], "business_days")
        self.assertEqual(
            body["required_documents"],
            [{"name": "Plànol", "mandatory": True, "tipo_documental": "TD99"}],
        )
        response = self.session.patch(body["@id"], json={"max_resolution_amount": 20})
        self.assertEqual(response.status_code, 204)
        self.assertEqual(
            self.session.get(body["@id"]).json()["max_resolution_amount"], 20
        )

    def refused_fields(self, response):
        """The fields a 400 of plone.restapi's deserializer names."""
        self.assertEqual(response.status_code, 400, response.text[:500])
        return sorted(error["field"] for error in errors_of(response))

    def test_expediente_computed_fields_are_the_servers(self):
        forged = {
            "numero": "1999/000099",
            "eni_identifier": "ES_L01251207_1999_EXP_000099",
            "clasificacion": "999",
            "fecha_apertura": "1999-01-01T00:00:00+00:00",
            "fecha_limite": "1999-02-01",
            "eni_state": "E02",
        }
        before = last_number(self.portal, EXPEDIENTE, self.year)
        response = self.session.post(
            self.unidad.absolute_url(),
            json=self.expediente_payload(
                interesados=[base.interesado(identifier="12.345.678-z")], **forged
            ),
        )
        # Refused naming each field, as @registrar refuses a forged number;
        # nothing created and no number taken.
        self.assertEqual(self.refused_fields(response), sorted(forged))
        self.assertIn("The portal computes this value", response.text)
        self.refresh()
        self.assertEqual(last_number(self.portal, EXPEDIENTE, self.year), before)
        response = self.session.post(
            self.unidad.absolute_url(),
            json=self.expediente_payload(
                interesados=[base.interesado(identifier="12.345.678-z")]
            ),
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        url = response.json()["@id"]
        self.refresh()
        expediente = self.portal.unrestrictedTraverse(
            url[len(self.portal.absolute_url()) + 1 :]
        )
        numero = f"{self.year}/000002"
        self.assertEqual(expediente.numero, numero)
        self.assertEqual(expediente.clasificacion, base.VALID_SIA)
        # Opened today (2 Jun 2026), due three months later (Wed 2 Sep 2026).
        self.assertEqual(expediente.fecha_apertura.date(), datetime.date(2026, 6, 2))
        self.assertEqual(expediente.fecha_limite, datetime.date(2026, 9, 2))
        self.assertEqual(expediente.eni_state, "E01")
        self.assertEqual(expediente.interesados[0]["identifier"], base.VALID_NIF)

        body = self.session.get(url).json()
        self.assertEqual(body["numero"], numero)
        self.assertEqual(body["fecha_limite"], expediente.fecha_limite.isoformat())
        response = self.session.patch(url, json={"title": "Obra major", **forged})
        self.assertEqual(self.refused_fields(response), sorted(forged))
        # What a GET gave, sent back whole, is accepted: nothing forged.
        body["title"] = "Obra major"
        response = self.session.patch(
            url, json={name: body[name] for name in ("title", *forged)}
        )
        self.assertEqual(response.status_code, 204, response.text[:500])
        body = self.session.get(url).json()
        self.assertEqual(
            (body["title"], body["numero"], body["fecha_limite"]),
            ("Obra major", numero, expediente.fecha_limite.isoformat()),
        )

    def test_expediente_patch_parties(self):
        url = self.expediente.absolute_url()
        response = self.session.patch(
            url,
            json={
                "interesados": [
                    base.interesado(),
                    base.interesado(
                        identifier="b-12345674", identifier_type="CIF", name="SL"
                    ),
                ]
            },
        )
        self.assertEqual(response.status_code, 204, response.text[:500])
        self.assertEqual(
            [row["identifier"] for row in self.session.get(url).json()["interesados"]],
            [base.VALID_NIF, "B12345674"],
        )
        self.refresh()
        (brain,) = api.content.find(interesados_ids="B12345674")
        self.assertEqual(brain.UID, self.expediente.UID())

    def test_documento_computed_fields_are_the_servers(self):
        data = base.pdf_bytes("Sol licitud de llicencia")
        forged = {
            "huella": "0" * 64,
            "orden": 99,
            "eni_identifier": "ES_L01251207_1999_FORGED",
            "funcion_resumen": "MD5",
            "nombre_formato": "EXE",
            "fecha_incorporacion": "1999-01-01T00:00:00+00:00",
        }
        response = self.session.post(
            self.expediente.absolute_url(),
            json=self.documento_payload(data, **forged),
        )
        self.assertEqual(self.refused_fields(response), sorted(forged))
        response = self.session.post(
            self.expediente.absolute_url(),
            json=self.documento_payload(data),
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        body = self.session.get(response.json()["@id"]).json()
        self.assertEqual(body["huella"], hashlib.sha256(data).hexdigest())
        self.assertEqual(body["funcion_resumen"], "SHA-256")
        self.assertEqual(body["nombre_formato"], "PDF")
        self.assertEqual(body["orden"], 1)
        self.assertTrue(
            body["eni_identifier"].startswith(f"ES_{base.UNIT_DIR3}_"),
            body["eni_identifier"],
        )
        validate_eni_document_id(body["eni_identifier"])
        self.assertEqual(body["organo"], base.UNIT_DIR3)
        # plone.restapi answers in UTC; the day is Madrid's (2 Jun 2026, setUp).
        incorporated = datetime.datetime.fromisoformat(body["fecha_incorporacion"])
        if incorporated.tzinfo is None:
            incorporated = incorporated.replace(tzinfo=datetime.UTC)
        self.assertEqual(
            incorporated.astimezone(clock.OFFICE_ZONE).date(), datetime.date(2026, 6, 2)
        )
        download = self.session.get(body["file"]["download"])
        self.assertEqual(download.content, data)

        new_data = b"Informe favorable\n"
        response = self.session.patch(
            body["@id"],
            json={
                "file": file_payload(new_data, "informe.txt", "text/plain"),
                "huella": body["huella"],
                "orden": body["orden"],
            },
        )
        self.assertEqual(response.status_code, 204, response.text[:500])
        patched = self.session.get(body["@id"]).json()
        self.assertEqual(patched["huella"], hashlib.sha256(new_data).hexdigest())
        self.assertEqual((patched["orden"], patched["nombre_formato"]), (1, "TXT"))
        self.refresh()
        (brain,) = api.content.find(UID=body["UID"])
        self.assertEqual(brain.huella, hashlib.sha256(new_data).hexdigest())

    def test_documents_are_numbered_in_order(self):
        urls = []
        for position in range(3):
            response = self.session.post(
                self.expediente.absolute_url(),
                json=self.documento_payload(
                    base.pdf_bytes(f"doc {position}"), title=f"Document {position}"
                ),
            )
            self.assertEqual(response.status_code, 201, response.text[:500])
            urls.append(response.json()["@id"])
        self.assertEqual(
            [self.session.get(url).json()["orden"] for url in urls], [1, 2, 3]
        )

    def test_copy_of_an_original_names_it(self):
        response = self.session.post(
            self.expediente.absolute_url(),
            json=self.documento_payload(
                estado_elaboracion="EE03",
                id_documento_origen="ES_L01251207_2024_REG000123",
                origen="ciudadano",
            ),
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        body = response.json()
        self.assertEqual(body["estado_elaboracion"]["token"], "EE03")
        self.assertEqual(body["id_documento_origen"], "ES_L01251207_2024_REG000123")
        self.assertEqual(body["origen"]["token"], "ciudadano")


class TestBadInput(RESTTestCase):
    """Each refusal is a 400 whose errors name the field with a readable
    message; nothing is created and no number is consumed."""

    def setUp(self):
        super().setUp()
        self.counts = self.stored()

    def stored(self):
        self.refresh()
        catalog = api.portal.get_tool("portal_catalog")
        return {
            "content": len(catalog.unrestrictedSearchResults()),
            "numero": last_number(self.portal, EXPEDIENTE, self.year),
            "orden": self.portal.unrestrictedTraverse(
                self.expediente.getPhysicalPath()
            )._last_order,
        }

    def assertRefused(self, container, payload, expected, method="post"):
        """``expected``: the [(field, message)] of the 400's errors."""
        response = getattr(self.session, method)(container, json=payload)
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertEqual(
            [(error.get("field"), error["message"]) for error in errors_of(response)],
            expected,
        )
        self.assertEqual(self.stored(), self.counts, "nothing stored")

    def test_invalid_identifiers_of_the_parties(self):
        for kind, identifier, problem in (
            ("NIF", "12345678A", "The NIF check letter is wrong: expected Z."),
            ("NIE", "X1234567A", "The NIE check letter is wrong: expected L."),
            ("CIF", "B12345670", "The CIF control digit is wrong: expected 4."),
            ("CIF", "P2512000I", "The CIF control letter is wrong: expected G."),
        ):
            with self.subTest(kind=kind, identifier=identifier):
                self.assertRefused(
                    self.unidad.absolute_url(),
                    self.expediente_payload(
                        interesados=[
                            base.interesado(identifier=identifier, identifier_type=kind)
                        ]
                    ),
                    [("interesados", f"Interested party 1: {problem}")],
                )

    def test_bad_expedientes(self):
        for label, payload, expected in (
            (
                "unknown identifier type",
                self.expediente_payload(
                    interesados=[base.interesado(identifier_type="DNI")]
                ),
                [
                    (
                        "interesados",
                        "DNI is not an accepted value: use one of NIF, NIE, CIF, "
                        "PASAPORTE.",
                    )
                ],
            ),
            (
                "no procedure",
                self.expediente_payload(procedimiento=None),
                [
                    (
                        "procedimiento",
                        "procedimiento is a required field. Setting it to null is "
                        "not allowed.",
                    )
                ],
            ),
        ):
            with self.subTest(label):
                self.assertRefused(self.unidad.absolute_url(), payload, expected)

    def test_invalid_codes(self):
        for label, container, payload, expected in (
            (
                "SIA",
                "tramites",
                {
                    "@type": "Procedimiento",
                    "title": "Gual",
                    "sia_code": "12345678A",
                    "responsible_unit": self.unidad.UID(),
                },
                [
                    (
                        "sia_code",
                        'The SIA code contains "A" (U+0041), which is not allowed: '
                        "it has only the digits 0 to 9.",
                    )
                ],
            ),
            (
                "DIR3 of a unit",
                "unidades",
                {"@type": "Unidad", "title": "Cultura", "dir3_code": "L01251208"},
                [
                    (
                        "dir3_code",
                        "The DIR3 code's INE control digit is wrong: expected 7.",
                    )
                ],
            ),
            (
                "DIR3 of a document's body",
                self.expediente.absolute_url(),
                self.documento_payload(organo="LA00123"),
                [
                    (
                        "organo",
                        "The DIR3 code must have 9 characters; this one has 7.",
                    )
                ],
            ),
            (
                "unknown tipo_documental",
                self.expediente.absolute_url(),
                self.documento_payload(tipo_documental="TD77"),
                [
                    (
                        "tipo_documental",
                        "TD77 is not an accepted value: use one of TD01, TD02, TD03, "
                        "TD04, TD05, TD06, TD07, TD08, TD09, TD10, TD11, TD12, TD13, "
                        "TD14, TD15, TD16, TD17, TD18, TD19, TD20, TD99.",
                    )
                ],
            ),
            (
                "unknown estado_elaboracion",
                self.expediente.absolute_url(),
                self.documento_payload(estado_elaboracion="EE05"),
                [
                    (
                        "estado_elaboracion",
                        "EE05 is not an accepted value: use one of EE01, EE02, EE03, "
                        "EE04, EE99.",
                    )
                ],
            ),
        ):
            with self.subTest(label):
                self.assertRefused(container, payload, expected)

    def test_a_copy_without_its_original(self):
        message = (
            "Identifier of the original: a copy (EE02, EE03, EE04) must give the ENI "
            "identifier of the document it copies."
        )
        for state in ("EE02", "EE03", "EE04"):
            with self.subTest(state):
                # An invariant: plone.restapi gives no "field", the message
                # starts with the field's label.
                self.assertRefused(
                    self.expediente.absolute_url(),
                    self.documento_payload(estado_elaboracion=state),
                    [(None, message)],
                )

    def test_bad_files(self):
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        transaction.commit()
        one_mb = 1024 * 1024
        for label, file, message in (
            (
                "format not accepted",
                file_payload(b"MZ\x90\x00", "setup.exe", "application/x-msdownload"),
                "Files of type application/x-msdownload are not accepted. Accepted: "
                "CAdES, CSV, DOCX, JPEG, ODP, ODS, ODT, PDF, PNG, RTF, SVG, TIFF, TXT, "
                "XAdES, XLSX, XML, ZIP.",
            ),
            (
                "too large",
                file_payload(b"x" * (one_mb + 1), "big.txt", "text/plain"),
                "The file is larger than the 1 MB accepted.",
            ),
            # plone.restapi reads empty data as no file at all.
            ("empty", file_payload(b""), "Required input is missing."),
        ):
            with self.subTest(label):
                self.assertRefused(
                    self.expediente.absolute_url(),
                    self.documento_payload(file=file),
                    [("file", message)],
                )
        response = self.session.post(
            self.expediente.absolute_url(),
            json=self.documento_payload(
                file=file_payload(b"x" * one_mb, "limit.txt", "text/plain")
            ),
        )
        self.assertEqual(response.status_code, 201, "the limit itself is accepted")

    def test_patch_refused_keeps_the_stored_values(self):
        url = self.expediente.absolute_url()
        self.assertRefused(
            url,
            {
                "title": "Changed",
                "interesados": [base.interesado(identifier="12345678A")],
            },
            [
                (
                    "interesados",
                    "Interested party 1: The NIF check letter is wrong: expected Z.",
                )
            ],
            method="patch",
        )
        body = self.session.get(url).json()
        self.assertEqual(body["title"], "Obra menor")
        self.assertEqual(body["interesados"][0]["identifier"], base.VALID_NIF)

    def test_errors_in_the_clients_language(self):
        session = base.api_session(self.portal.absolute_url(), language="es")
        self.addCleanup(session.close)
        response = session.post(
            self.unidad.absolute_url(),
            json=self.expediente_payload(
                interesados=[base.interesado(identifier="12345678A")]
            ),
        )
        self.assertEqual(response.status_code, 400)
        problem = translate(
            _(
                "error_nif_check_letter",
                default="The NIF check letter is wrong: expected ${expected}.",
                mapping={"expected": "Z"},
            ),
            target_language="es",
        )
        expected = translate(
            _(
                "error_interesado_row",
                default="Interested party ${position}: ${problem}",
                mapping={"position": 1, "problem": problem},
            ),
            target_language="es",
        )
        self.assertNotIn("error_", expected)
        self.assertEqual(
            [(e["field"], e["message"]) for e in errors_of(response)],
            [("interesados", expected)],
        )


class TestStaffOverHTTP(RESTTestCase):
    def setUp(self):
        super().setUp()
        api.user.create(
            email="tramitadora@example.org",
            username="tramitadora",
            password="secret1234",
        )
        api.group.add_user(groupname="urbanismo-tramitadores", username="tramitadora")
        self.other = base.create_unidad(
            self.portal, id="medi", title="Medi ambient", dir3_code=base.OTHER_UNIT_DIR3
        )
        transaction.commit()
        self.staff = base.api_session(
            self.portal.absolute_url(), "tramitadora", "secret1234"
        )
        self.addCleanup(self.staff.close)

    def test_a_case_worker_opens_expedientes_in_her_unit_only(self):
        response = self.staff.post(
            self.unidad.absolute_url(), json=self.expediente_payload()
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        self.assertEqual(response.json()["numero"], f"{self.year}/000002")
        response = self.staff.post(
            self.other.absolute_url(), json=self.expediente_payload()
        )
        self.assertIn(response.status_code, (401, 403))
        self.refresh()
        self.assertEqual(last_number(self.portal, EXPEDIENTE, self.year), 2)
        self.assertEqual(len(self.other.objectIds()), 0)
