"""Factories for the domain's content, with valid defaults, for tests.

A test states only what it is about and takes the rest from here::

    unidad = create_unidad(portal)
    procedimiento = create_procedimiento(portal, unidad)
    expediente = create_expediente(unidad, procedimiento)
    documento = create_documento(expediente)

Each factory creates through ``plone.api`` as the current user, so events fire
as they do in production (numbers, identifiers, fingerprints, order), and
returns the new object. Keyword arguments override the defaults or set any
other field of the type's schema. The caller must have the roles to add (most
tests use ``setRoles(portal, TEST_USER_ID, ["Manager"])``).

Functional tests must ``transaction.commit()`` after creating content so that
the HTTP server (another ZODB connection) sees it; ``api_session`` gives a
plone.restapi session logged in as the site owner. Messages are compared in
English: ``api_session`` asks for it, ``prefer_english`` does it for an
integration test's request (the site's default language is Spanish).
"""

from paeria.egov import clock
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.namedfile.file import NamedBlobFile
from plone.uuid.interfaces import IUUID
import requests
import urllib.parse


# Valid values, checked by hand (NIF letter = number mod 23; the CIF's control
# computed by python-stdnum; LA… DIR3 codes are not municipalities, so only their
# shape is checked).
VALID_NIF = "12345678Z"
VALID_NIE = "X1234567L"
VALID_CIF = "B12345674"
COUNCIL_DIR3 = "L01251207"  # Ajuntament de Lleida
UNIT_DIR3 = "LA0012345"
OTHER_UNIT_DIR3 = "LA0067890"
VALID_SIA = "123456"


def pdf_bytes(text="Solicitud"):
    """A small well-formed one-page PDF showing ``text`` (ASCII), so that its
    fingerprint differs with ``text`` and pdftotext, when installed, reads it."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def travel(test, instant, tick=True):
    """Run the rest of ``test`` (its setUp onwards) with the portal's clock at
    ``instant`` (aware, or ISO text: ``2026-06-02T10:00`` is Madrid time), so
    that its dates are literals checked by hand; undone at cleanup. The clock
    is the process's, so the functional layer's HTTP server sees it too."""
    travelling = clock.travel(instant, tick=tick)
    travelling.__enter__()
    test.addCleanup(travelling.__exit__, None, None, None)


def with_holidays(*years):
    """Make sure the site's registry holds the holidays of ``years`` (national,
    Catalan and Lleida's, as the installation prefills them): installing only
    fills the year the layer was set up in and the next one, whatever instant
    a test then travels to."""
    from paeria.egov.settings.calendar import prefill_years

    prefill_years(years)


def named_file(data=None, filename="solicitud.pdf", content_type="application/pdf"):
    """A NamedBlobFile as a form or the API would store it (a PDF by default)."""
    if data is None:
        data = pdf_bytes()
    return NamedBlobFile(data=data, filename=filename, contentType=content_type)


def interesado(
    identifier=VALID_NIF,
    identifier_type="NIF",
    name="Maria Puig i Soler",
    **fields,
):
    """One row of an expediente's ``interesados``."""
    row = {
        "identifier_type": identifier_type,
        "identifier": identifier,
        "name": name,
        "representative": None,
        "notification_channel": "electronica",
        "email": None,
    }
    row.update(fields)
    return row


def create_unidad(
    portal, id="urbanismo", title="Urbanisme", dir3_code=UNIT_DIR3, **fields
):
    """A Unidad in /unidades (which creates its two groups)."""
    return api.content.create(
        container=portal["unidades"],
        type="Unidad",
        id=id,
        title=title,
        dir3_code=dir3_code,
        **fields,
    )


def create_procedimiento(
    portal,
    unidad,
    id=None,
    title="Llicència d'obres",
    sia_code=VALID_SIA,
    max_resolution_amount=3,
    max_resolution_unit="months",
    publish=False,
    **fields,
):
    """A Procedimiento in /tramites handled by ``unidad`` (3 months by default),
    a draft unless ``publish`` (only a published one takes new expedientes
    over REST and the forms)."""
    fields.setdefault("silence_effect", "estimatorio")
    fields.setdefault("channels", ["telematico", "presencial"])
    fields.setdefault("online_start", True)
    procedimiento = api.content.create(
        container=portal["tramites"],
        type="Procedimiento",
        id=id,
        title=title,
        sia_code=sia_code,
        responsible_unit=IUUID(unidad),
        max_resolution_amount=max_resolution_amount,
        max_resolution_unit=max_resolution_unit,
        **fields,
    )
    if publish:
        api.content.transition(obj=procedimiento, transition="publicar")
    return procedimiento


def procedures_that_take_no_expedientes(portal, unidad):
    """(draft, withdrawn, another unit's), each with the words of the refusal
    of an expediente opened for it in ``unidad``."""
    other_unit = create_unidad(
        portal, id="cultura", title="Cultura", dir3_code="LA0054321"
    )
    draft = create_procedimiento(portal, unidad, id="esborrany")
    withdrawn = create_procedimiento(portal, unidad, id="retirat", publish=True)
    api.content.transition(obj=withdrawn, transition="retirar")
    foreign = create_procedimiento(portal, other_unit, id="de-cultura", publish=True)
    return (
        (draft, "is not published"),
        (withdrawn, "is not published"),
        (foreign, "belongs to another unit"),
    )


def create_expediente(
    unidad, procedimiento, title="Obra menor", interesados=None, **fields
):
    """An Expediente in ``unidad`` of ``procedimiento``, with one interested
    party (a NIF) unless ``interesados`` is given ([] for none)."""
    if interesados is None:
        interesados = [interesado()]
    return api.content.create(
        container=unidad,
        type="Expediente",
        title=title,
        procedimiento=IUUID(procedimiento),
        interesados=interesados,
        **fields,
    )


def create_documento(
    expediente, title="Solicitud", file=None, tipo_documental="TD14", **fields
):
    """A Documento in ``expediente`` (or any container), a PDF by default."""
    return api.content.create(
        container=expediente,
        type="Documento",
        title=title,
        file=file if file is not None else named_file(),
        tipo_documental=tipo_documental,
        **fields,
    )


def prefer_english(request):
    """Have messages rendered in English on ``request`` (an integration test's),
    whatever the site's default language and translations: drop the language
    the site bound to the request and ask for English as a browser would."""
    request.environ["HTTP_ACCEPT_LANGUAGE"] = "en"
    request.other.pop("LANGUAGE_TOOL", None)


class RelativeSession(requests.Session):
    """A requests session for the test server: relative URLs are resolved
    against ``base_url`` (the portal). With ``test``, it is closed when the
    test ends, so that no socket outlives it."""

    def __init__(self, base_url, test=None):
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        if test is not None:
            test.addCleanup(self.close)

    def request(self, method, url, *args, **kwargs):
        if not urllib.parse.urlsplit(url).scheme:
            url = urllib.parse.urljoin(self.base_url, url.lstrip("/"))
        return super().request(method, url, *args, **kwargs)


def api_session(
    portal_url, user=SITE_OWNER_NAME, password=SITE_OWNER_PASSWORD, language="en"
):
    """A plone.restapi session (JSON in and out) authenticated as ``user``;
    close it in the test's tearDown. Messages come in ``language`` (English by
    default, so tests compare the texts' defaults whatever the translations)."""
    session = RelativeSession(portal_url)
    session.headers.update({"Accept": "application/json", "Accept-Language": language})
    session.auth = (user, password)
    return session


class UserSessions:
    """Mixin for functional test cases with ``self.portal_url``:
    ``self.session(user_id)`` is a plone.restapi session logged in as one of
    the named users of test_workflow_fixtures (``"admin"``: the site owner),
    closed when the test ends; ``self.refresh()`` begins a new transaction to
    see what the requests committed."""

    def session(self, user_id):
        from paeria.egov.tests.test_workflow_fixtures import PASSWORD

        if user_id == "admin":
            session = api_session(self.portal_url)
        else:
            session = api_session(self.portal_url, user_id, PASSWORD)
        self.addCleanup(session.close)
        return session

    def refresh(self):
        import transaction

        transaction.begin()
