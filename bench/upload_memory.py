"""Peak resident memory growth of one upload, per upload endpoint
(issue 17, finding 7; docs/performance.md, "Uploads").

    .venv/bin/python bench/upload_memory.py            # 50 MB and 100 MB files
    .venv/bin/python bench/upload_memory.py --sizes 10 # quicker

The portal is the functional test layer's (paeria.egov.testing: a Plone site
with the add-on, served over HTTP by a WSGI server thread in this process),
set up here without the test runner. Each request's JSON body is made and
sent chunk by chunk (tests/uploadmemory.py: never whole in this process), and
the process's peak RSS (VmHWM, reset before each request) minus its RSS
before the request is the figure: the server's cost of the upload, the
client's being its 1 MB chunks. Freed memory is returned to the system before
each request (malloc_trim), so that one request's leftovers are not reused by
the next one unseen. One Markdown table on stdout, progress on stderr.
"""

from pathlib import Path
import argparse
import ctypes
import datetime
import gc
import os
import platform
import sys
import tempfile


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.uploadmemory import JsonUpload  # noqa: E402
from tests.uploadmemory import MB  # noqa: E402
from tests.uploadmemory import PeakMemory  # noqa: E402


# Zope and Plone are imported inside the functions that use them, so that
# `--help` answers without loading them.

# A file of exactly N MB is over the N MB limit by the PDF's own bytes at
# most; N MB minus 4 KB is "a 50 MB file" within the default limit.
MARGIN = 4096


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def set_up(layer, done):
    """Set ``layer`` up after its bases, as zope.testrunner does."""
    for base in layer.__bases__:
        set_up(base, done)
    if layer not in done:
        layer.setUp()
        done.append(layer)


class Portal:
    """The site, its users and the content each endpoint is called on."""

    def __init__(self):
        from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
        from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
        import transaction

        layers = []
        set_up(PAERIA_EGOV_FUNCTIONAL_TESTING, layers)
        for layer in layers:
            layer.testSetUp()
        self.layers = layers
        portal = PAERIA_EGOV_FUNCTIONAL_TESTING["portal"]
        self.url = portal.absolute_url()
        fixture = WorkflowFixture(portal)
        self.fixture = fixture
        # Documents are added by staff to an expediente in progress.
        self.expediente = fixture.expediente("en_tramitacion", title="Obra")
        self.destino = fixture.expediente("en_tramitacion", title="Importa")
        procedimiento = fixture.procedimiento
        procedimiento.required_documents = [
            {"name": "Plano", "mandatory": True, "tipo_documental": "TD99"}
        ]
        self.procedimiento = procedimiento
        transaction.commit()

    def waiting_for_documents(self, title):
        """A new expediente in subsanación, waiting for the citizen's
        documents (one @aportar answers it)."""
        from plone import api
        import transaction

        transaction.begin()  # see what the server's requests committed
        expediente = self.fixture.expediente("en_tramitacion", title=title)
        api.content.transition(
            expediente, "requerir_subsanacion", comment="Aporte el plano."
        )
        transaction.commit()
        return expediente

    def tear_down(self):
        for layer in reversed(self.layers):
            layer.testTearDown()
        for layer in reversed(self.layers):
            layer.tearDown()


def session(user, password):
    import requests

    opened = requests.Session()
    opened.auth = (user, password)
    opened.headers.update({"Accept": "application/json"})
    return opened


def json_post(opened, url, upload, method="POST"):
    return opened.request(
        method,
        url,
        data=upload,
        headers={"Content-Type": "application/json"},
        timeout=900,
    )


def eni_file(portal, size):
    """An ENI document exchange file (XML) of a ``size`` document, written
    to a temporary file: made before the measure, by the export."""
    from paeria.egov.eni.bridge import export_documento
    from paeria.egov.spooling import SpooledFile
    from plone import api
    from plone.namedfile.file import NamedBlobFile
    import transaction

    transaction.begin()  # see what the server's requests committed
    raw = SpooledFile()
    raw.write(b"%PDF-1.4\n")
    chunk = os.urandom(MB)
    while raw.size < size:
        raw.write(chunk[: size - raw.size])
    raw.seek(0)
    documento = api.content.create(
        container=portal.expediente,
        type="Documento",
        title="Exportado",
        tipo_documental="TD99",
        file=NamedBlobFile(data=raw, filename="exportado.pdf"),
    )
    raw.close()
    data = export_documento(documento)
    transaction.commit()
    exported = tempfile.TemporaryFile()  # noqa: SIM115 (returned, closed by caller)
    exported.write(data)
    exported.seek(0)
    del data
    return exported


def measure(name, size, call):
    """(status, growth in MB) of ``call()``, which sends one request."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with PeakMemory(os.getpid()) as memory:
        response = call()
    log(f"{name} {size // MB} MB: {response.status_code} +{memory.growth_mb:.1f} MB")
    if response.status_code >= 400:
        log("   ", response.text[:300])
    return response, memory.growth_mb


def endpoints(portal, size):
    """(endpoint, call) for each upload endpoint, with a ``size`` file."""
    from paeria.egov.tests.test_workflow_fixtures import PASSWORD
    from plone.app.testing import SITE_OWNER_NAME
    from plone.app.testing import SITE_OWNER_PASSWORD
    from plone.uuid.interfaces import IUUID

    staff = session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
    citizen = session("interesado", PASSWORD)
    file_size = size - MARGIN
    created = {}

    def documento_post():
        response = json_post(
            staff,
            portal.expediente.absolute_url(),
            JsonUpload(
                {"@type": "Documento", "title": "Grande", "tipo_documental": "TD99"},
                ["file"],
                [file_size],
            ),
        )
        created["url"] = response.json().get("@id") if response.ok else None
        return response

    def documento_patch():
        url = created.get("url") or portal.expediente.absolute_url()
        return json_post(staff, url, JsonUpload({}, ["file"], [file_size]), "PATCH")

    registrar_fields = {
        "canal": "telematico",
        "interesado_identifier_type": "NIF",
        "interesado_identifier": "12345678Z",
        "interesado_name": "Maria Puig i Soler",
        "resumen": "Un fitxer gran",
        "unidad_destino": IUUID(portal.fixture.unidad),
    }
    iniciar_fields = {"solicita": "Que se me conceda la licencia."}
    subsanacion = portal.waiting_for_documents(f"Subsana {size // MB}")
    return [
        ("Documento POST (plone.restapi)", documento_post),
        ("Documento PATCH (plone.restapi)", documento_patch),
        (
            "@registrar",
            lambda: json_post(
                staff,
                f"{portal.url}/registro/@registrar",
                JsonUpload(registrar_fields, ["files"], [file_size]),
            ),
        ),
        (
            "@iniciar (citizen)",
            lambda: json_post(
                citizen,
                f"{portal.procedimiento.absolute_url()}/@iniciar",
                JsonUpload(iniciar_fields, ["documentos", "plano"], [file_size]),
            ),
        ),
        (
            "@aportar (citizen)",
            lambda: json_post(
                citizen,
                f"{subsanacion.absolute_url()}/@aportar",
                JsonUpload({"statement": "El plano."}, ["files"], [file_size]),
            ),
        ),
    ]


def eni_import(portal, size):
    from plone.app.testing import SITE_OWNER_NAME
    from plone.app.testing import SITE_OWNER_PASSWORD

    exported = eni_file(portal, size - MARGIN)
    staff = session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
    try:
        return measure(
            "@eni-import",
            size,
            lambda: staff.post(
                f"{portal.destino.absolute_url()}/@eni-import",
                data=exported,
                headers={"Content-Type": "application/xml"},
                timeout=900,
            ),
        )
    finally:
        exported.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,100", help="file sizes in MB")
    parser.add_argument("--no-eni", action="store_true", help="skip @eni-import")
    arguments = parser.parse_args()
    sizes = [int(size) * MB for size in arguments.sizes.split(",")]
    os.environ.setdefault("zope_i18n_compile_mo_files", "true")
    portal = Portal()
    rows = {}
    try:
        for size in sizes:
            for name, call in endpoints(portal, size):
                response, growth = measure(name, size, call)
                rows.setdefault(name, {})[size] = (response.status_code, growth)
            if not arguments.no_eni:
                response, growth = eni_import(portal, size)
                rows.setdefault("@eni-import", {})[size] = (
                    response.status_code,
                    growth,
                )
    finally:
        portal.tear_down()
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    print(f"{platform.node()}, {os.cpu_count()} cores, {today}\n")
    header = " | ".join(f"{size // MB} MB file" for size in sizes)
    print(f"| Endpoint | {header} |")
    print("|---|" + "---|" * len(sizes))
    for name, figures in rows.items():
        cells = " | ".join(
            f"{status}, +{growth:.1f} MB" for status, growth in figures.values()
        )
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main()
