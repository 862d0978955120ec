"""Per-endpoint body limits (issue 17, finding 7), refused 413 in the one
error shape: plone.restapi's content writes take one file of the largest
size, a citizen's filing the procedure's documents plus one. Tested with a 1
MB file size limit, so that the bodies stay small; and waitress's own cap."""

from paeria.egov.instance.config import ConfigurationError
from paeria.egov.instance.config import InstanceSettings
from paeria.egov.instance.config import zope_ini
from paeria.egov.tests import base
from paeria.egov.tests.test_restapi_content import file_payload
from paeria.egov.tests.test_restapi_content import RESTTestCase
from paeria.egov.tests.test_sede_filing import b64file
from paeria.egov.tests.test_sede_filing import DNI
from paeria.egov.tests.test_sede_filing import FilingTestCase
from plone import api
import transaction
import unittest


MB = 1024 * 1024


def padded_pdf(size):
    """A PDF of ``size`` bytes (a comment pads it)."""
    pdf = base.pdf_bytes("Padded")
    return pdf + b"%" + b"x" * (size - len(pdf) - 2) + b"\n"


def assert_too_large(test, response):
    test.assertEqual(response.status_code, 413, response.text[:500])
    error = response.json()["error"]
    test.assertEqual(error["type"], "RequestEntityTooLarge")
    test.assertTrue(error["message"])


class TestContentBodyLimit(RESTTestCase):
    def setUp(self):
        super().setUp()
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        transaction.commit()

    def test_a_body_over_one_file_is_refused_by_its_length(self):
        # 2 MB in base64, 2.7 MB: over one 1 MB file's 1.6 MB; read, it
        # would be refused 400 by the file's own size check.
        response = self.session.post(
            self.expediente.absolute_url(),
            json=self.documento_payload(data=padded_pdf(2 * MB)),
        )
        assert_too_large(self, response)
        self.refresh()
        self.assertEqual(list(self.expediente.objectIds()), [])

    def test_a_file_within_the_limit_is_stored_whole(self):
        pdf = padded_pdf(MB - 4096)
        response = self.session.post(
            self.expediente.absolute_url(), json=self.documento_payload(data=pdf)
        )
        self.assertEqual(response.status_code, 201, response.text[:500])
        document_url = response.json()["@id"]
        replaced = padded_pdf(MB - 8192)
        response = self.session.patch(
            document_url, json={"file": file_payload(replaced)}
        )
        self.assertEqual(response.status_code, 204, response.text[:500])
        self.refresh()
        (documento,) = self.expediente.objectValues()
        self.assertEqual(documento.file.data, replaced)


class TestFilingBodyLimit(FilingTestCase):
    def setUp(self):
        super().setUp()
        api.portal.set_registry_record("paeria.egov.max_file_size_mb", 1)
        # One document asked for: a filing carries at most two files' worth.
        self.procedimiento.required_documents = self.procedimiento.required_documents[
            :1
        ]
        transaction.commit()

    def test_more_than_the_documents_and_one_is_refused(self):
        file = b64file(padded_pdf(MB - 4096), "dni.pdf")
        # Three files within the size limit each: 4 MB in base64, over the
        # 2.9 MB of two (the register's own limit would take four).
        response = self.file(documentos={DNI: file}, files=[file, file])
        assert_too_large(self, response)
        response = self.file(documentos={DNI: file}, files=[file])
        self.assertEqual(response.status_code, 201, response.text[:500])


class TestServerCap(unittest.TestCase):
    """waitress reads no body over MAX_REQUEST_MB (268 MB by default, the
    register's four 50 MB files in base64): it was 1 GB."""

    def cap(self, environ):
        settings = InstanceSettings.from_environment("/tmp", environ)
        (line,) = [
            line
            for line in zope_ini(settings).splitlines()
            if line.startswith("max_request_body_size")
        ]
        return int(line.split("=")[1])

    def test_the_cap_follows_the_environment(self):
        self.assertEqual(self.cap({}), 268 * MB)
        self.assertEqual(self.cap({"MAX_REQUEST_MB": "600"}), 600 * MB)

    def test_a_cap_that_is_not_a_size_is_refused(self):
        for value in ("0", "-5", "1GB", ""):
            with self.subTest(value=value), self.assertRaises(ConfigurationError):
                InstanceSettings.from_environment("/tmp", {"MAX_REQUEST_MB": value})
