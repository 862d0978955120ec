"""JSON bodies read in bounded memory (issue 17, finding 7): files' data
spooled to temporary files while the body is read in chunks, base64 decoded in
chunks, and a long body never read whole by plone.restapi's login lookup
while the user is authenticated. The memory itself is measured on a running
instance by tests/test_upload_memory.py."""

from paeria.egov import spooling
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests.base import api_session
from paeria.egov.tests.base import create_unidad
from paeria.egov.tests.base import pdf_bytes
from paeria.egov.tests.base import VALID_NIF
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.restapi import deserializer
from plone.uuid.interfaces import IUUID
from unittest import mock
import base64
import io
import json
import transaction
import unittest


def spool(body, fields_limit=4096):
    """spool_json of ``body`` read 7 bytes at a time: every string, escape
    and base64 quantum is split between reads somewhere."""
    with mock.patch.object(spooling, "READ_SIZE", 7):
        return spooling.spool_json(io.BytesIO(body), fields_limit)


class TestSpoolJson(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.object(spooling, "SPOOL_THRESHOLD", 16)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_long_data_is_spooled_and_the_rest_parsed(self):
        data = base64.b64encode(pdf_bytes("Spooled")).decode()
        body = json.dumps(
            {"resumen": 'Sol·licitud "d\'obra"', "files": [{"data": data}]}
        ).encode()
        parsed, spools = spool(body)
        self.assertEqual(parsed["resumen"], 'Sol·licitud "d\'obra"')
        placeholder = parsed["files"][0]["data"]
        self.assertEqual(list(spools), [placeholder])
        self.assertEqual(b"".join(spools[placeholder].chunks()), data.encode())

    def test_escapes_split_between_reads_are_unescaped(self):
        text = 'línia\n"cometes"\\barra/é' * 4
        parsed, spools = spool(json.dumps({"data": text}).encode())
        self.assertEqual(b"".join(spools[parsed["data"]].chunks()), text.encode())

    def test_short_data_and_other_members_stay_in_memory(self):
        body = json.dumps({"data": "abc", "resumen": "x" * 100}).encode()
        self.assertEqual(spool(body), ({"data": "abc", "resumen": "x" * 100}, {}))

    def test_fields_beyond_their_limit_are_refused(self):
        body = json.dumps({"resumen": "x" * 5000}).encode()
        with self.assertRaises(spooling.BodyTooLarge):
            spool(body)

    def test_broken_json_is_refused(self):
        for body in (b'{"data": "' + b"A" * 40, b'{"a": 1', b'{"data": "\\'):
            with self.subTest(body=body[:12]), self.assertRaises(spooling.BadBody):
                spool(body)

    def test_base64_decoded_in_chunks(self):
        raw = bytes(range(256)) * 50
        text = base64.b64encode(raw).decode()
        with mock.patch.object(spooling, "DECODE_SIZE", 8):
            self.assertEqual(spooling.decode_base64(text).read(), raw)
            lenient = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
            self.assertEqual(spooling.decode_base64(lenient, strict=False).read(), raw)
            for broken in (lenient, text[:-1], "QQ==" + text):
                with self.subTest(broken=broken[:8]):
                    with self.assertRaises(spooling.BadBody):
                        spooling.decode_base64(broken)


class TestLongBodyDuringAuthentication(unittest.TestCase):
    """plone.restapi's JWT plugin looks for a login in every JSON body while
    the user is authenticated, reading, decoding and parsing it whole (600
    MB for a 200 MB body); a long body reads as ``{}`` to it."""

    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        portal = self.layer["portal"]
        setRoles(portal, TEST_USER_ID, ["Manager"])
        self.unidad = IUUID(create_unidad(portal))
        transaction.commit()
        self.session = api_session(portal.absolute_url())
        self.addCleanup(self.session.close)

    def post(self, pdf, chunked=False):
        seen = []
        original = deserializer.json_body

        def recording(request):
            seen.append(len(request.get("BODY") or b""))
            return original(request)

        body = {
            "canal": "telematico",
            "interesado_identifier_type": "NIF",
            "interesado_identifier": VALID_NIF,
            "interesado_name": "Maria Puig i Soler",
            "resumen": "Cos llarg",
            "unidad_destino": self.unidad,
            "files": [
                {
                    "data": base64.b64encode(pdf).decode(),
                    "encoding": "base64",
                    "filename": "llarg.pdf",
                    "content-type": "application/pdf",
                }
            ],
        }
        encoded = json.dumps(body).encode()
        # A generator has no length: requests sends it chunked, with no
        # Content-Length.
        data = (encoded[i : i + 65536] for i in range(0, len(encoded), 65536))
        with mock.patch.object(deserializer, "json_body", recording):
            response = self.session.post(
                "/registro/@registrar",
                data=data if chunked else encoded,
                headers={"Content-Type": "application/json"},
            )
        return response, seen

    def test_a_long_body_is_not_read_while_authenticating(self):
        pdf = pdf_bytes("Llarg") + b"%" + b"x" * 200_000 + b"\n"
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                response, seen = self.post(pdf, chunked)
                self.assertEqual(response.status_code, 201, response.text)
                self.assertTrue(seen)
                self.assertEqual(set(seen), {len(b"{}")})
                self.assertEqual(response.json()["documents"][0]["size"], len(pdf))

    def test_a_short_body_is_still_read(self):
        response, seen = self.post(pdf_bytes("Curt"))
        self.assertEqual(response.status_code, 201, response.text)
        self.assertTrue(seen)
        self.assertGreater(min(seen), 1000)
