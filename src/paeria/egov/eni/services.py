"""REST services of the ENI exchange (plone.restapi).

``GET <documento>/@eni`` and ``GET <expediente>/@eni`` answer the XML file as
an attachment named after the ENI identifier (``?format=standard`` gives the
bare official ``eniexp:expediente``, ``?format=zip`` the zip package of it and
its documents' files); ``GET <expediente>/@eni-index`` the
electronic index as JSON; ``POST <unidad>/@eni-import`` creates an expediente
from an exchange file and ``POST <expediente>/@eni-import`` adds a document.
The file is the raw body (Content-Type application/xml) or JSON
``{"file": {"data": <base64>, "encoding": "base64"}, "procedimiento": <uid>}``;
on a unit it may also be a zip package of one or more expedientes
(:mod:`paeria.egov.eni.package`) or a multipart body whose ``files`` parts are
an expediente XML and its documento XMLs; these answer ``{"items": [...]}``, and
``dryRun`` answers what would be imported, creating nothing.
A refused file answers 400 with every problem found, one a line, in the
request's language (as ``dryRun``'s ``problems``), under
``fields.file`` (an export refused: under ``fields.expediente`` or
``fields.documento``), and nothing is created. An expediente imported before
(same Identificador from the same Organo) answers 409 naming the earlier one,
unless the client asks for ``import_again``. Each export and import made
notifies :class:`paeria.egov.events.EniExported` or
:class:`paeria.egov.events.EniImported` (the journal's entries).

Like every plone.restapi service these answer requests that send
``Accept: application/json`` (or go through ``++api++``), even when the answer
is XML: a site-wide service for ``Accept: application/xml`` would capture every
request with that header.
"""

from paeria.egov import _
from paeria.egov import uploads
from paeria.egov.eni.admission import AlreadyImported
from paeria.egov.eni.admission import import_details
from paeria.egov.eni.bridge import expediente_documents
from paeria.egov.eni.bridge import expediente_index
from paeria.egov.eni.bridge import export_documento
from paeria.egov.eni.bridge import export_expediente
from paeria.egov.eni.bridge import export_package
from paeria.egov.eni.bridge import max_import_size
from paeria.egov.eni.importing import document_report
from paeria.egov.eni.importing import import_eni_document
from paeria.egov.eni.importing import import_eni_package
from paeria.egov.eni.importing import import_report
from paeria.egov.eni.model import EniExportError
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.package import is_package
from paeria.egov.eni.report import translated_problems
from paeria.egov.events import EniExported
from paeria.egov.events import EniImported
from paeria.egov.interfaces import IRecordsWhatItHandsOut
from paeria.egov.restapi.service import Refused
from paeria.egov.restapi.service import Service
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zope.event import notify
from zope.interface import alsoProvides
from zope.interface import implementer
import transaction


XML_CONTENT_TYPE = "application/xml; charset=utf-8"
NOT_A_FILE = _(
    "error_eni_part_not_a_file",
    default="Each part named files must be a file.",
)
PROCEDIMIENTO_UID = _(
    "error_eni_procedimiento_uid",
    default="procedimiento must be the UID of a procedure.",
)


YES = ("1", "true", "on", "yes")
NO = ("", "0", "false", "off", "no")


def wants(options, request, name) -> bool:
    """A yes/no option: in the JSON body (true/false), or ``?<name>=1`` (or
    true, on, yes; 0, false, off, no). Any other value is refused naming the
    option: a misspelt ``dryRun`` must not import for real."""
    value = options.get(name)
    if value is None:
        value = request.form.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in YES:
        return True
    if text in NO:
        return False
    message = _(
        "error_yes_no_option",
        default="${name} must be true or false.",
        mapping={"name": name},
    )
    raise Refused(400, "BadRequest", message, {name: message})


def wants_import_again(options, request) -> bool:
    """``import_again``: true in the JSON body, or ``?import_again=1``."""
    return wants(options, request, "import_again")


def already_imported_message(earlier):
    return _(
        "error_eni_already_imported",
        default="This expediente was imported before, as ${numero}; nothing was "
        "imported. To import it again as a new expediente, send import_again: "
        "true.",
        mapping={"numero": earlier.numero},
    )


def earlier_message(earlier):
    return _(
        "error_eni_imported_before",
        default="The same Identificador from the same Organo was imported as "
        "${numero}: ${url}",
        mapping={"numero": earlier.numero, "url": earlier.absolute_url()},
    )


def problems_by_field(field, problems, request):
    """ENI problems are sentences about the file, not about one field: all of
    them, one a line, under the field at fault, in the request's language."""
    return {field: "\n".join(translated_problems(problems, request))}


def attachment_headers(
    response, identifier, extension="xml", content_type=XML_CONTENT_TYPE
):
    response.setHeader("Content-Type", content_type)
    response.setHeader(
        "Content-Disposition", f'attachment; filename="{identifier}.{extension}"'
    )


@implementer(IRecordsWhatItHandsOut)
class _XmlExportService(Service):
    """Answers the file itself; refusals answer JSON like any service."""

    kind = None
    extension = "xml"
    content_type = XML_CONTENT_TYPE

    def render(self):
        self.check_permission()
        response = self.request.response
        try:
            data = self.export()
        except EniExportError as error:
            return self.render_refusal(
                Refused(
                    400,
                    "BadRequest",
                    _(
                        "error_eni_export_refused",
                        default="This cannot be exported in the ENI format.",
                    ),
                    problems_by_field(
                        self.context.portal_type.lower(), error.problems, self.request
                    ),
                )
            )
        except Refused as refusal:
            return self.render_refusal(refusal)
        attachment_headers(
            response, self.context.eni_identifier, self.extension, self.content_type
        )
        notify(EniExported(self.context, self.kind))
        return data

    def export(self) -> bytes:
        raise NotImplementedError


class DocumentoEniGet(_XmlExportService):
    """``GET <documento>/@eni``: the ``enidoc:documento`` file."""

    kind = "documento"

    def export(self):
        return export_documento(self.context)


class ExpedienteEniGet(_XmlExportService):
    """``GET <expediente>/@eni``: the exchange file (index, metadata and every
    document); ``?format=standard``: the bare ``eniexp:expediente``."""

    def export(self):
        kind = self.request.form.get("format") or "intercambio"
        if kind not in ("intercambio", "standard", "zip"):
            raise Refused(
                400,
                "BadRequest",
                _(
                    "error_eni_format",
                    default='Unknown format ${format}: use "standard", "zip" or '
                    "leave it out.",
                    mapping={"format": str(kind)[:40]},
                ),
            )
        self.kind = kind
        if kind == "zip":
            self.extension, self.content_type = "zip", "application/zip"
            return export_package(self.context)
        return export_expediente(self.context, include_documents=kind == "intercambio")


class ExpedienteEniIndexGet(Service):
    """``GET <expediente>/@eni-index``: the electronic index, in order."""

    def reply(self):
        return expediente_index(self.context)


class _ImportService(Service):
    streams_body = True
    kind = None  # of what is created: expediente, documento

    def file_limit(self):
        return max_import_size()

    @property
    def too_large_message(self):
        return _(
            "error_eni_too_large",
            default="The ENI file is larger than the ${limit} MB accepted.",
            mapping={"limit": self.file_limit() // (1024 * 1024)},
        )

    def reply(self):
        # Like plone.restapi's own write services: authenticated by header.
        alsoProvides(self.request, IDisableCSRFProtection)
        data, options = self.read_import()
        if wants(options, self.request, "dryRun"):
            # Nothing is kept of a dry run, even by accident: the publisher
            # aborts a doomed transaction instead of committing it.
            transaction.doom()
            return self.translated(self.dry_run(data, options))
        try:
            created = self.create(data, options)
        except AlreadyImported as error:
            return self.refuse(
                409,
                "Conflict",
                already_imported_message(error.earlier),
                {"file": earlier_message(error.earlier)},
            )
        except EniImportError as error:
            return self.refuse(
                400,
                "BadRequest",
                _(
                    "error_eni_import_refused",
                    default="The ENI file was refused; nothing was imported.",
                ),
                problems_by_field("file", error.problems, self.request),
            )
        items = created if isinstance(created, list) else [created]
        for item in items:
            notify(EniImported(item, self.kind, **import_details(item)))
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", items[0].absolute_url())
        if isinstance(created, list):
            summaries = [self.summary(item) for item in items]
            return {"items": summaries, "items_total": len(summaries)}
        return self.summary(created)

    def translated(self, report):
        """The dry run's report, its problems in the request's language."""
        if report.get("problems"):
            report["problems"] = translated_problems(report["problems"], self.request)
        return report

    def read_import(self):
        """(the file, options) of the request."""
        return self.read_file()


class UnidadEniImportPost(_ImportService):
    """``POST <unidad>/@eni-import``: a new expediente from an exchange file."""

    kind = "expediente"

    def procedimiento(self, options):
        procedimiento = options.get("procedimiento") or self.request.form.get(
            "procedimiento"
        )
        if procedimiento is not None and not isinstance(procedimiento, str):
            raise Refused(
                400,
                "BadRequest",
                PROCEDIMIENTO_UID,
                {"procedimiento": PROCEDIMIENTO_UID},
            )
        return procedimiento or None

    def body_limit(self):
        """A multipart body: its parts may total one ENI file's limit."""
        return self.file_limit() + uploads.JSON_OVERHEAD

    def read_import(self):
        """A multipart body is an expediente XML and its documento XMLs (and
        separate contents) as ``files`` parts: [(file name, bytes)]."""
        content_type = (self.request.getHeader("Content-Type") or "").lower()
        if not content_type.startswith("multipart/form-data"):
            return self.read_file()
        fields, files = self.read_upload()
        parts = []
        for position, item in enumerate(files):
            if not isinstance(item, dict):
                raise Refused(
                    400, "BadRequest", NOT_A_FILE, {f"files[{position}]": NOT_A_FILE}
                )
            data = item["data"]
            if hasattr(data, "read"):  # spooled by Zope's multipart parser
                data.seek(0)
                data = data.read()
            parts.append((item.get("filename"), data))
        return parts, fields

    def create(self, data, options):
        """The expediente of an exchange file; a list of them for a zip or
        for files sent side by side."""
        imported = import_eni_package(
            self.context,
            data,
            procedimiento_uid=self.procedimiento(options),
            again=wants_import_again(options, self.request),
        )
        return imported if isinstance(data, list) or is_package(data) else imported[0]

    def dry_run(self, data, options):
        return import_report(
            self.context,
            data,
            procedimiento_uid=self.procedimiento(options),
            again=wants_import_again(options, self.request),
        )

    def summary(self, expediente):
        return {
            "@id": expediente.absolute_url(),
            "@type": expediente.portal_type,
            "UID": api.content.get_uuid(expediente),
            "title": expediente.Title(),
            "numero": expediente.numero,
            "eni_identifier": expediente.eni_identifier,
            "eni_identifier_origen": expediente.eni_identifier_origen,
            "procedimiento": expediente.procedimiento,
            "documents": len(expediente_documents(expediente)),
        }


class ExpedienteEniImportPost(_ImportService):
    """``POST <expediente>/@eni-import``: adds the document of an ENI file."""

    kind = "documento"

    def create(self, data, options):
        return import_eni_document(self.context, data)

    def dry_run(self, data, options):
        return document_report(self.context, data)

    def summary(self, documento):
        return {
            "@id": documento.absolute_url(),
            "@type": documento.portal_type,
            "UID": api.content.get_uuid(documento),
            "title": documento.Title(),
            "eni_identifier": documento.eni_identifier,
            "orden": documento.orden,
            "huella": documento.huella,
            "tipo_documental": documento.tipo_documental,
        }
