"""Classic UI of the ENI exchange: import forms and downloads.

``@@eni-import`` on a Unidad imports an expediente, every expediente of a
zip package, or an expediente XML chosen together with its documento XMLs
(optionally into a chosen procedure); on an Expediente, one document. A
refused file shows every problem found and nothing is created. Both forms
also check without importing ("Check": REST's ``dryRun``,
:mod:`paeria.egov.eni.importing`'s ``import_report`` and ``document_report``),
showing what would be imported and every problem.
``@@eni-download`` on a Documento or an Expediente (``?format=standard`` for
the bare ``eniexp:expediente``, ``?format=zip`` for the zip package) answers
the file; a refusal shows its problems. What is imported or handed out is
notified (:mod:`paeria.egov.events`: the journal's entries).
"""

from paeria.egov import _
from paeria.egov.eni.admission import AlreadyImported
from paeria.egov.eni.admission import import_details
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
from paeria.egov.eni.report import ReportPresenter
from paeria.egov.eni.report import translated_problems
from paeria.egov.eni.services import attachment_headers
from paeria.egov.eni.services import earlier_message
from paeria.egov.eni.services import XML_CONTENT_TYPE
from paeria.egov.events import EniExported
from paeria.egov.events import EniImported
from paeria.egov.interfaces import IRecordsWhatItHandsOut
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zope.component import getUtility
from zope.event import notify
from zope.i18n import translate
from zope.interface import implementer
from zope.schema.interfaces import IVocabularyFactory
import transaction


class _ImportView(BrowserView):
    """Upload form; on success redirects to what was created."""

    error = None
    problems = ()
    report = None

    def __call__(self):
        # Looked at before the import's button: a request naming both (no
        # browser sends that) creates nothing.
        if self.request.method == "POST" and self.request.form.get("form.check"):
            check_authenticator(self.request)
            # As REST's dryRun: nothing of a check is kept, even by accident;
            # the publisher aborts a doomed transaction instead of committing.
            transaction.doom()
            data = self.uploaded()
            if data is not None:
                self.report = self.check(data)
            return self.index()
        if self.request.method == "POST" and self.request.form.get("form.submitted"):
            check_authenticator(self.request)
            created = self.handle()
            if created is not None:
                # A zip package may hold several expedientes.
                items = created if isinstance(created, list) else [created]
                for item in items:
                    notify(EniImported(item, self.kind, **import_details(item)))
                IStatusMessage(self.request).add(self.success(items), type="info")
                target = items[0] if len(items) == 1 else self.context
                self.request.response.redirect(target.absolute_url())
                return ""
        return self.index()

    def success(self, items):
        return self.success_message

    # Files sent side by side (an expediente XML and its documento XMLs) are
    # one import; a form for one document takes one file.
    takes_several_files = False

    def uploaded(self):
        """The uploaded file's bytes, or [(file name, bytes)] when several
        files were chosen, or None (and ``error`` says why)."""
        uploads = self.request.form.get("eni_file")
        if not isinstance(uploads, list | tuple):
            uploads = [uploads]
        uploads = [upload for upload in uploads if getattr(upload, "filename", None)]
        if not uploads:
            self.error = _(
                "error_eni_no_file", default="Choose the ENI file to import."
            )
            return None
        if len(uploads) > 1 and not self.takes_several_files:
            self.error = _(
                "error_eni_one_file", default="Choose one ENI file, not several."
            )
            return None
        limit, parts = max_import_size(), []
        for upload in uploads:
            upload.seek(0)
            data = upload.read(limit + 1)
            limit -= len(data)
            if limit < 0:
                self.error = _(
                    "error_eni_too_large",
                    default="The ENI file is larger than the ${limit} MB accepted.",
                    mapping={"limit": max_import_size() // (1024 * 1024)},
                )
                return None
            parts.append((upload.filename, data))
        return parts if len(parts) > 1 else parts[0][1]

    def handle(self):
        data = self.uploaded()
        if data is None:
            return None
        try:
            return self.create(data)
        except AlreadyImported as error:
            self.error = _(
                "error_eni_already_imported_form",
                default="This expediente was imported before, as ${numero}; "
                "nothing was imported. To import it again as a new expediente, "
                'tick "Import it again as a new expediente".',
                mapping={"numero": error.earlier.numero},
            )
            self.problems = [
                translate(earlier_message(error.earlier), context=self.request)
            ]
            return None
        except EniImportError as error:
            self.error = _(
                "error_eni_import_refused",
                default="The ENI file was refused; nothing was imported.",
            )
            self.problems = translated_problems(error.problems, self.request)
            return None


class ImportExpedienteView(_ImportView):
    """``@@eni-import`` on a Unidad: a new expediente from an exchange file,
    or the report of what importing it would do ("Check")."""

    kind = "expediente"
    takes_several_files = True

    def check(self, data):
        """What importing the uploaded file(s) would do, for the page."""
        report = import_report(
            self.context,
            data,
            procedimiento_uid=self.selected_procedure or None,
            again=self.import_again,
        )
        return ReportPresenter(report, self.request, self.procedures())

    success_message = _(
        "msg_eni_expediente_imported",
        default="The expediente was imported with a new number.",
    )

    def procedures(self):
        factory = getUtility(IVocabularyFactory, "paeria.egov.Procedimientos")
        return list(factory(self.context))

    @property
    def import_again(self):
        """The form's checkbox (any value ticks it)."""
        return bool(self.request.form.get("import_again"))

    @property
    def selected_procedure(self):
        return self.request.form.get("procedimiento") or ""

    def success(self, items):
        if len(items) == 1:
            return self.success_message
        return _(
            "msg_eni_expedientes_imported",
            default="${count} expedientes were imported with new numbers.",
            mapping={"count": len(items)},
        )

    def create(self, data):
        """The expediente of an exchange file, or all those of a zip."""
        return import_eni_package(
            self.context,
            data,
            procedimiento_uid=self.selected_procedure or None,
            again=self.import_again,
        )


class ImportDocumentoView(_ImportView):
    """``@@eni-import`` on an Expediente: adds the document of an ENI file."""

    kind = "documento"

    success_message = _(
        "msg_eni_documento_imported",
        default="The document was added to the expediente.",
    )

    def check(self, data):
        """What importing the uploaded document would do, for the page."""
        return ReportPresenter(document_report(self.context, data), self.request)

    def create(self, data):
        return import_eni_document(self.context, data)


@implementer(IRecordsWhatItHandsOut)
class _DownloadView(BrowserView):
    """The file as an attachment; a refusal renders the problems."""

    problems = ()

    def __call__(self):
        try:
            data = self.export()
        except EniExportError as error:
            self.problems = translated_problems(error.problems, self.request)
            self.request.response.setStatus(400)
            return self.index()
        attachment_headers(
            self.request.response, self.context.eni_identifier, *self.file_type()
        )
        notify(EniExported(self.context, self.kind()))
        return data

    def file_type(self):
        """(extension, Content-Type) of the file handed out."""
        return "xml", XML_CONTENT_TYPE


class DownloadDocumentoView(_DownloadView):
    def kind(self):
        return "documento"

    def export(self):
        return export_documento(self.context)


class DownloadExpedienteView(_DownloadView):
    def kind(self):
        """What is handed out, as the journal records it: any other format
        than "standard" or "zip" gives the exchange file."""
        asked = self.request.form.get("format")
        return asked if asked in ("standard", "zip") else "intercambio"

    def file_type(self):
        if self.kind() == "zip":
            return "zip", "application/zip"
        return super().file_type()

    def export(self):
        kind = self.kind()
        if kind == "zip":
            return export_package(self.context)
        return export_expediente(self.context, include_documents=kind == "intercambio")
