"""What the signing tests share: a development PKI written to a temporary
directory, its configuration, and a local RFC 3161 time-stamping authority
served over HTTP (pyHanko's test TSA behind a real socket, so that the portal's
own HTTP client is what asks it)."""

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.serialization import NoEncryption
from cryptography.hazmat.primitives.serialization import PrivateFormat
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from io import BytesIO
from paeria.egov.demo.pdf import make_pdf
from paeria.egov.signing import pki
from paeria.egov.signing.config import from_environment
from paeria.egov.signing.keys import asn1_certificate
from pathlib import Path
from pyhanko.sign.timestamps import DummyTimeStamper
from pypdf import PdfReader
from pypdf import PdfWriter
import tempfile
import threading


SIGNERS = (
    pki.Signer("responsable.urbanismo", "Responsable — Urbanisme", pki.nif_for(11)),
    pki.Signer("responsable.hisenda", "Responsable — Hisenda", pki.nif_for(22)),
)


def private_key_info(key):
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    )


def dummy_timestamper(dev_pki):
    return DummyTimeStamper(
        tsa_cert=asn1_certificate(dev_pki.tsa.certificate),
        tsa_key=private_key_info(dev_pki.tsa.key),
        certs_to_embed=[
            asn1_certificate(dev_pki.issuing.certificate),
            asn1_certificate(dev_pki.root.certificate),
        ],
    )


class _TsaHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = tsp.TimeStampReq.load(self.rfile.read(length))
        body = self.server.timestamper.request_tsa_response(request).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class LocalTsa:
    """An RFC 3161 TSA on 127.0.0.1, signing with the dev PKI's TSA key."""

    def __init__(self, dev_pki):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _TsaHandler)
        self.server.timestamper = dummy_timestamper(dev_pki)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class DevPkiDirectory:
    """A development PKI written under a temporary signing directory."""

    def __init__(self, signers=SIGNERS):
        self.temporary = tempfile.TemporaryDirectory(prefix="paeria-signing-")
        self.directory = Path(self.temporary.name)
        self.pki = pki.build_dev_pki(signers)
        pki.write_dev_pki(self.pki, self.directory / "dev-pki", self.directory / "keys")

    def config(self, **environ):
        return from_environment({"PAERIA_SIGNING_DIR": str(self.directory), **environ})

    @property
    def root_pem(self):
        return self.directory / "dev-pki" / "root.pem"

    def cleanup(self):
        self.temporary.cleanup()


def sample_pdf(title="Resolució", paragraphs=3, pages=1):
    """A real PDF of ``pages`` A4 pages (reportlab, as the demo's)."""
    page = make_pdf(title, ["Text de la resolució. " * 20] * paragraphs)
    if pages == 1:
        return page
    writer = PdfWriter()
    for _ in range(pages):
        writer.append(PdfReader(BytesIO(page)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


class DevPkiLayer:
    """A zope.testrunner layer: one development PKI for a whole test module
    (zope.testrunner does not run ``setUpClass``)."""

    __bases__ = ()
    __name__ = "DevPkiLayer"
    __module__ = __name__
    dev = None

    @classmethod
    def setUp(cls):
        cls.dev = DevPkiDirectory()

    @classmethod
    def tearDown(cls):
        cls.dev.cleanup()
        cls.dev = None
