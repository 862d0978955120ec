"""The document's page: its ENI metadata, its fingerprint and the file."""

from Acquisition import aq_inner
from Acquisition import aq_parent
from paeria.egov import _
from paeria.egov.content.expediente import IExpediente
from paeria.egov.viewhelpers import localized_date
from paeria.egov.viewhelpers import readable_size
from paeria.egov.viewhelpers import term_title
from Products.Five.browser import BrowserView
from zope.i18n import translate


class DocumentoView(BrowserView):
    def __call__(self):
        return self.index()

    def _label(self, message):
        return translate(message, context=self.request)

    def metadata(self):
        """(css name, translated label, value) for every ENI field, in the
        order of the NTI Documento electrónico."""
        context = self.context
        request = self.request
        rows = (
            (
                "eni_identifier",
                _("label_eni_identifier", default="ENI identifier"),
                context.eni_identifier,
            ),
            ("organo", _("label_organo", default="Body (DIR3)"), context.organo),
            (
                "fecha_captura",
                _("label_fecha_captura", default="Capture date"),
                localized_date(context.fecha_captura, long_format=True),
            ),
            (
                "origen",
                _("label_origen", default="Origin"),
                term_title("paeria.egov.Origen", context.origen, request),
            ),
            (
                "estado_elaboracion",
                _("label_estado_elaboracion", default="Elaboration state"),
                term_title(
                    "paeria.egov.EstadoElaboracion", context.estado_elaboracion, request
                ),
            ),
            (
                "id_documento_origen",
                _("label_id_documento_origen", default="Identifier of the original"),
                context.id_documento_origen,
            ),
            (
                "tipo_documental",
                _("label_tipo_documental", default="Document type (ENI)"),
                term_title(
                    "paeria.egov.TipoDocumental", context.tipo_documental, request
                ),
            ),
            (
                "nombre_formato",
                _("label_nombre_formato", default="Format"),
                context.nombre_formato,
            ),
            (
                "funcion_resumen",
                _("label_funcion_resumen", default="Hash function"),
                context.funcion_resumen,
            ),
            (
                "orden",
                _("label_orden", default="Order in the expediente"),
                context.orden,
            ),
            (
                "fecha_incorporacion",
                _("label_fecha_incorporacion", default="Added to the expediente on"),
                localized_date(context.fecha_incorporacion, long_format=True),
            ),
        )
        return [
            {
                "name": name,
                "label": self._label(label),
                "value": "" if value is None else str(value),
            }
            for name, label, value in rows
        ]

    @property
    def file(self):
        return self.context.file

    def download_url(self):
        return f"{self.context.absolute_url()}/@@download/file"

    def file_size(self):
        return readable_size(self.file.getSize()) if self.file is not None else ""

    def expediente(self):
        parent = aq_parent(aq_inner(self.context))
        if IExpediente.providedBy(parent):
            return {
                "title": parent.Title(),
                "numero": parent.numero or "",
                "url": parent.absolute_url(),
            }
        return None
