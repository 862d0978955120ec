"""The expediente's page (its header and its electronic index) and a
document's page (its ENI metadata, its fingerprint and the file)."""

from Acquisition import aq_inner
from Acquisition import aq_parent
from paeria.egov import _
from paeria.egov.collaboration.requests import request_unit_title
from paeria.egov.content.documento import format_name
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.expedientes.assignment import assign
from paeria.egov.expedientes.assignment import assignment_problem
from paeria.egov.expedientes.assignment import fullname
from paeria.egov.expedientes.assignment import may_reassign
from paeria.egov.expedientes.assignment import NOT_RESPONSABLE
from paeria.egov.expedientes.assignment import staff_of
from paeria.egov.notifications.evidence import STATE_TEXTS
from paeria.egov.states import SolicitudInforme
from paeria.egov.verification.urls import page_url
from paeria.egov.viewhelpers import deadline_status
from paeria.egov.viewhelpers import localized_date
from paeria.egov.viewhelpers import readable_size
from paeria.egov.viewhelpers import search_sorted
from paeria.egov.viewhelpers import state_title
from paeria.egov.viewhelpers import term_title
from paeria.egov.workflow.signing import signatures_of
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from zExceptions import Forbidden
from zope.i18n import translate


# The expediente's page --------------------------------------------------------

ADD_DOCUMENTO_PERMISSION = "paeria.egov: Add Documento"
ADD_SOLICITUD_PERMISSION = "paeria.egov: Add SolicitudInforme"
# The permission of @@eni-download (eni/configure.zcml): a link is offered to
# exactly those the download would serve.
EXPORT_ENI_PERMISSION = "paeria.egov: Export ENI"
# (format parameter of @@eni-download, css name, label)
ENI_DOWNLOADS = (
    (
        None,
        "paeria-eni-intercambio",
        _("link_eni_download_exchange", default="ENI exchange file (XML)"),
    ),
    ("zip", "paeria-eni-zip", _("link_eni_download_zip", default="ENI zip package")),
)
# Enough of the fingerprint to tell documents apart at a glance; the full one
# is in the title attribute and on the document's page.
SHORT_FINGERPRINT = 16


class ExpedienteView(BrowserView):
    def __call__(self):
        self.update()
        return self.index()

    def update(self):
        context = aq_inner(self.context)
        self.procedure = self._procedure(context.procedimiento)
        self.unidad = self._unidad(context)
        self.deadline = deadline_status(context.fecha_limite, self.request)

    def _unidad(self, context):
        # A dict, not the object: TAL would call (render) a content object.
        unidad = enclosing_unidad(aq_parent(context))
        if unidad is None:
            return None
        return {"title": unidad.Title(), "url": unidad.absolute_url()}

    def _procedure(self, uid):
        """Title, SIA code and, when the user may open it, the link: read from
        the catalog so that a draft procedure still names itself to staff."""
        if not uid:
            return None
        catalog = api.portal.get_tool("portal_catalog")
        brains = catalog(UID=uid)
        if brains:
            brain = brains[0]
            return {
                "title": brain.Title,
                "sia_code": brain.sia_code,
                "url": brain.getURL(),
            }
        brains = catalog.unrestrictedSearchResults(UID=uid)
        if brains:
            brain = brains[0]
            return {"title": brain.Title, "sia_code": brain.sia_code, "url": None}
        return {"title": uid, "sia_code": None, "url": None}

    @property
    def numero(self):
        return self.context.numero or ""

    @property
    def opening_date(self):
        return localized_date(self.context.fecha_apertura)

    @property
    def deadline_date(self):
        return localized_date(self.context.fecha_limite)

    @property
    def tramitador_name(self):
        return fullname(self.context.tramitador_asignado)

    def assignment_choices(self):
        """The unit's staff, for a Responsable of the unit; else nothing."""
        if not may_reassign(self.context) or self.unidad is None:
            return []
        return staff_of(enclosing_unidad(self.context))

    @property
    def eni_state(self):
        return term_title(
            "paeria.egov.EstadoExpediente", self.context.eni_state, self.request
        )

    def interesados(self):
        for row in self.context.interesados or ():
            yield {
                "identifier_type": term_title(
                    "paeria.egov.TipoIdentificador",
                    row.get("identifier_type"),
                    self.request,
                ),
                "identifier": row.get("identifier") or "",
                "name": row.get("name") or "",
                "representative": row.get("representative") or "",
                "notification_channel": term_title(
                    "paeria.egov.CanalNotificacion",
                    row.get("notification_channel"),
                    self.request,
                ),
                "email": row.get("email") or "",
            }

    def documents(self):
        """The electronic index, in foliado order, from brains only: an
        expediente may hold hundreds of documents with large blobs."""
        brains = search_sorted(
            {
                "portal_type": "Documento",
                "path": {"query": "/".join(self.context.getPhysicalPath()), "depth": 1},
            },
            "orden",
        )
        for brain in brains:
            huella = brain.huella or ""
            yield {
                "orden": brain.orden,
                "title": brain.Title,
                "url": brain.getURL(),
                "tipo_documental": term_title(
                    "paeria.egov.TipoDocumental", brain.tipo_documental, self.request
                ),
                "format": format_name(brain.mime_type) or "",
                "size": readable_size(brain.getObjSize),
                "huella": huella,
                "huella_short": huella[:SHORT_FINGERPRINT],
                # The catalog keeps no incorporation date; a document is
                # incorporated when it is created inside the expediente.
                "added": localized_date(brain.created, long_format=True),
            }

    def can_add_documento(self):
        return api.user.has_permission(ADD_DOCUMENTO_PERMISSION, obj=self.context)

    def add_documento_url(self):
        return f"{self.context.absolute_url()}/++add++Documento"

    def report_requests(self):
        """The report requests the user may see (collaboration/): requested
        unit, deadline and state, oldest first."""
        brains = api.portal.get_tool("portal_catalog")(
            portal_type="SolicitudInforme",
            path={"query": "/".join(self.context.getPhysicalPath()), "depth": 1},
            sort_on="created",
        )
        for brain in brains:
            solicitud = brain.getObject()
            pending = brain.review_state == SolicitudInforme.PENDIENTE
            deadline = (
                deadline_status(solicitud.fecha_limite, self.request)
                if pending
                else {"text": "", "urgent": False, "overdue": False}
            )
            yield {
                "url": brain.getURL(),
                "unit": request_unit_title(solicitud),
                "asunto": solicitud.asunto or "",
                "deadline": localized_date(solicitud.fecha_limite),
                "deadline_text": deadline["text"],
                "deadline_class": "badge ms-1 paeria-days-left "
                + (
                    "text-bg-danger"
                    if deadline["overdue"]
                    else "text-bg-warning"
                    if deadline["urgent"]
                    else "text-bg-light"
                ),
                "state": brain.review_state,
                "state_title": state_title(solicitud, self.request),
            }

    def can_add_solicitud(self):
        # The add view also needs "Add portal content", which the expediente's
        # workflow takes away once it is closed.
        context = self.context
        return (
            api.user.has_permission(ADD_SOLICITUD_PERMISSION, obj=context)
            and api.user.has_permission("Add portal content", obj=context)
            and "SolicitudInforme"
            in [fti.getId() for fti in context.allowedContentTypes()]
        )

    def add_solicitud_url(self):
        return f"{self.context.absolute_url()}/++add++SolicitudInforme"

    def notifications(self):
        """The expediente's notifications the user may see: addressee, notified
        document, state in plain words and the dates, oldest first."""
        brains = api.portal.get_tool("portal_catalog")(
            portal_type="Notificacion",
            path={"query": "/".join(self.context.getPhysicalPath()), "depth": 1},
            sort_on="created",
        )
        for brain in brains:
            notificacion = brain.getObject()
            yield {
                "url": brain.getURL(),
                "addressee": notificacion.destinatario_name,
                "document": notificacion.documento_title,
                "made_available": localized_date(
                    notificacion.fecha_puesta_disposicion, long_format=True
                ),
                "state": brain.review_state,
                "state_text": translate(
                    STATE_TEXTS[brain.review_state], context=self.request
                ),
            }

    def can_notify(self):
        context = self.context
        return api.user.has_permission(
            "paeria.egov: Add Notificacion", obj=context
        ) and api.user.has_permission("Add portal content", obj=context)

    def notify_url(self):
        return f"{self.context.absolute_url()}/@@notificar"

    def history_url(self):
        return f"{self.context.absolute_url()}/@@historial"

    def eni_downloads(self):
        """The expediente's ENI files, to those who may export it."""
        if not api.user.has_permission(EXPORT_ENI_PERMISSION, obj=self.context):
            return []
        url = f"{self.context.absolute_url()}/@@eni-download"
        return [
            {
                "url": f"{url}?format={format}" if format else url,
                "css": css,
                "title": title,
            }
            for format, css, title in ENI_DOWNLOADS
        ]


# A document's page ------------------------------------------------------------

# The ENI metadata of a document in the order of the NTI Documento
# electrónico: (css name, label).
ENI_METADATA = (
    ("eni_identifier", _("label_eni_identifier", default="ENI identifier")),
    ("organo", _("label_organo", default="Body (DIR3)")),
    ("fecha_captura", _("label_fecha_captura", default="Capture date")),
    ("origen", _("label_origen", default="Origin")),
    (
        "estado_elaboracion",
        _("label_estado_elaboracion", default="Elaboration state"),
    ),
    (
        "id_documento_origen",
        _("label_id_documento_origen", default="Identifier of the original"),
    ),
    ("tipo_documental", _("label_tipo_documental", default="Document type (ENI)")),
    ("nombre_formato", _("label_nombre_formato", default="Format")),
    ("funcion_resumen", _("label_funcion_resumen", default="Hash function")),
    ("orden", _("label_orden", default="Order in the expediente")),
    (
        "fecha_incorporacion",
        _("label_fecha_incorporacion", default="Added to the expediente on"),
    ),
)


# What the sender's index fingerprint was computed over (eni.digests).
FINGERPRINT_BASES = {
    "content": _("fingerprint_over_content", default="of the document's content"),
    "document_xml": _(
        "fingerprint_over_document_xml",
        default="of the whole ENI document (enidoc:documento) as sent",
    ),
}


class AsignarView(BrowserView):
    """The expediente page's reassignment form (POST): a Responsable of the
    unit gives the expediente to one of the unit's staff."""

    def __call__(self):
        if self.request.method != "POST":
            return self.request.response.redirect(self.context.absolute_url())
        CheckAuthenticator(self.request)
        if not may_reassign(self.context):
            raise Forbidden(translate(NOT_RESPONSABLE, context=self.request))
        user_id = self.request.form.get("tramitador")
        user_id = user_id if isinstance(user_id, str) else None
        problem = assignment_problem(self.context, user_id)
        if problem is not None:
            api.portal.show_message(problem, self.request, type="error")
        elif assign(self.context, user_id):
            api.portal.show_message(
                _("msg_reassigned", default="The expediente has been reassigned."),
                self.request,
            )
        return self.request.response.redirect(self.context.absolute_url())


def eni_metadata_values(documento, request):
    """Each ENI field's value as shown, by css name: dates localised, codes
    by their title in the request's language."""
    return {
        "eni_identifier": documento.eni_identifier,
        "organo": documento.organo,
        "fecha_captura": localized_date(documento.fecha_captura, long_format=True),
        "origen": term_title("paeria.egov.Origen", documento.origen, request),
        "estado_elaboracion": term_title(
            "paeria.egov.EstadoElaboracion", documento.estado_elaboracion, request
        ),
        "id_documento_origen": documento.id_documento_origen,
        "tipo_documental": term_title(
            "paeria.egov.TipoDocumental", documento.tipo_documental, request
        ),
        "nombre_formato": documento.nombre_formato,
        "funcion_resumen": documento.funcion_resumen,
        "orden": documento.orden,
        "fecha_incorporacion": localized_date(
            documento.fecha_incorporacion, long_format=True
        ),
    }


def received_signature_detail(record):
    """What a received signature holds, in words: its CSV and regulation, the
    size of its signature value, the file it refers to, or its inline XML
    signature."""
    if record.get("csv_value"):
        return _(
            "received_signature_csv",
            default="CSV ${csv} (${regulation})",
            mapping={
                "csv": record["csv_value"],
                "regulation": record.get("csv_regulation") or "",
            },
        )
    if record.get("value") is not None:
        return _(
            "received_signature_value",
            default="Signature of ${size} kept with the document",
            mapping={"size": readable_size(len(record["value"]))},
        )
    if record.get("reference"):
        return _(
            "received_signature_reference",
            default="Signature in the file ${reference}",
            mapping={"reference": record["reference"]},
        )
    if record.get("xmldsig") is not None:
        return _(
            "received_signature_xmldsig",
            default="XML signature (ds:Signature) inside the document",
        )
    return _("received_signature_empty", default="No signature value")


def as_text(value):
    return "" if value is None else str(value)


class DocumentoView(BrowserView):
    def __call__(self):
        return self.index()

    def metadata(self):
        """{name, translated label, value} for every ENI field, in the order
        of the NTI Documento electrónico."""
        values = eni_metadata_values(self.context, self.request)
        return [
            {
                "name": name,
                "label": translate(label, context=self.request),
                "value": as_text(values[name]),
            }
            for name, label in ENI_METADATA
        ]

    def received_fingerprint(self):
        """The fingerprint of an imported document in its sender's index, or
        None: function, value, over what it was computed and whether the
        function is weak (SHA-1), which staff must see."""
        record = getattr(self.context, "eni_import", None) or {}
        if not record.get("fingerprint"):
            return None
        basis = FINGERPRINT_BASES.get(record.get("fingerprint_basis"))
        return {
            "hash_function": record.get("hash_function_name")
            or record.get("hash_function"),
            "fingerprint": record["fingerprint"],
            "basis": translate(basis, context=self.request) if basis else "",
            "weak": bool(record.get("weak_hash")),
        }

    def verification(self):
        """The document's CSV and the public page that verifies it, or None
        before it is signed."""
        csv = getattr(self.context, "csv", None)
        if not csv:
            return None
        return {"csv": csv, "url": page_url(csv)}

    def signatures(self):
        """The portal's own signatures of the document, oldest first."""
        return [
            {
                "type": self.signature_type(record.signature_type),
                "signer": record.signer_fullname or record.signer_id,
                "signed_at": localized_date(record.signed_at, long_format=True),
                "csv": record.csv_value or "",
            }
            for record in signatures_of(self.context)
        ]

    def received_signatures(self):
        """The signatures an imported document came with, kept unchanged as
        received (stored, exported as they are; not validated here)."""
        return [
            {
                "type": self.signature_type(record.get("signature_type")),
                "detail": translate(received_signature_detail(record), self.request),
            }
            for record in getattr(self.context, "eni_signatures_origen", None) or ()
        ]

    def signature_type(self, code):
        """ "CSV (TF01)": the TipoFirma's name with its code."""
        title = term_title("paeria.egov.TipoFirma", code or "", self.request)
        return f"{title} ({code})" if title and title != code else code or ""

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
