"""Distributing an entry to a unit, and opening an expediente from it.

``distribuir`` is a workflow transition, so it is journalled in the entry's
workflow history like every other; :func:`distribute` is the Python door to
it. The unit then opens an expediente from the entry
(:func:`open_expediente_from_entry`): the expediente's deadline counts from
the entry's effective date (LPAC art. 31.2.b), and the entry's documents go
into it as new documents, the citizen's with origin "ciudadano".
"""

from paeria.egov import _
from paeria.egov.content.asiento import ENTRADA
from paeria.egov.registro.receipt import attached_documents
from paeria.egov.registro.receipt import receipt_of
from paeria.egov.states import Asiento
from paeria.egov.states import Documento
from paeria.egov.system import as_portal
from paeria.egov.workflow.errors import TransitionRefused
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.namedfile.file import NamedBlobFile
from plone.uuid.interfaces import IUUID


def distribute(asiento, unidad_uid=None, comment=""):
    """Distribute the entry to ``unidad_uid`` (default: its destination unit)."""
    if unidad_uid is not None:
        brains = api.portal.get_tool("portal_catalog").unrestrictedSearchResults(
            portal_type="Unidad", UID=unidad_uid
        )
        if not brains:
            raise TransitionRefused(
                [
                    _(
                        "error_register_unknown_unit",
                        default="There is no unit with this identifier.",
                    )
                ],
                url=asiento.absolute_url(),
                transition=Asiento.DISTRIBUIR,
            )
        asiento.unidad_distribucion = unidad_uid
    api.content.transition(obj=asiento, transition=Asiento.DISTRIBUIR, comment=comment)
    return asiento


def _copy_file(named_file):
    return NamedBlobFile(
        data=named_file.data,
        filename=named_file.filename,
        contentType=named_file.contentType,
    )


def file_entry_documents(asiento, expediente):
    """Copies of the entry's documents (and its receipt) in ``expediente``, the
    citizen's with origin "ciudadano", incorporated as presented; return them.
    The entry keeps its own."""
    origen = "ciudadano" if asiento.tipo == ENTRADA else "administracion"
    documents = [(documento, origen) for documento in attached_documents(asiento)]
    receipt = receipt_of(asiento)
    if receipt is not None:
        documents.append((receipt, "administracion"))
    copies = [
        api.content.create(
            container=expediente,
            type="Documento",
            title=documento.Title(),
            file=_copy_file(documento.file),
            tipo_documental=documento.tipo_documental,
            organo=documento.organo,
            origen=document_origin,
            estado_elaboracion="EE01",
            fecha_captura=documento.fecha_captura,
        )
        for documento, document_origin in documents
    ]
    # They are what was registered: incorporated as presented, never drafts
    # of the unit (which would also keep the expediente from being closed).
    comment = f"Registrado con el asiento {asiento.numero}"
    with as_portal():
        for copy in copies:
            api.content.transition(
                obj=copy, transition=Documento.INCORPORAR, comment=comment
            )
    return copies


def attach_entry_to_expediente(asiento, expediente):
    """File a distributed entry into an existing expediente of its unit: its
    documents join the expediente and the entry records it."""
    problems = []
    if asiento.expediente:
        problems.append(
            _(
                "error_asiento_has_expediente",
                default="The entry ${numero} has already started or joined an "
                "expediente.",
                mapping={"numero": asiento.numero},
            )
        )
    if api.content.get_state(asiento) != Asiento.DISTRIBUIDO:
        problems.append(
            _(
                "error_asiento_not_distributed",
                default="Distribute the entry ${numero} to a unit first.",
                mapping={"numero": asiento.numero},
            )
        )
    unidad_uid = asiento.unidad_distribucion or asiento.unidad_destino
    if IUUID(expediente.__parent__, None) != unidad_uid:
        problems.append(
            _(
                "error_asiento_other_unit",
                default="The expediente ${expediente} belongs to another unit "
                "than the one the entry ${numero} was distributed to.",
                mapping={
                    "expediente": expediente.numero or expediente.getId(),
                    "numero": asiento.numero,
                },
            )
        )
    if problems:
        raise TransitionRefused(problems, url=asiento.absolute_url())
    documents = file_entry_documents(asiento, expediente)
    asiento.expediente = IUUID(expediente)
    asiento.reindexObject()
    return documents


def _check_may_open(asiento):
    """Raise TransitionRefused unless an expediente can be opened from the
    entry: none yet, distributed, naming its procedure."""
    if asiento.expediente:
        raise TransitionRefused(
            [
                _(
                    "error_asiento_has_expediente",
                    default="The entry ${numero} has already started or joined an "
                    "expediente.",
                    mapping={"numero": asiento.numero},
                )
            ],
            url=asiento.absolute_url(),
        )
    problems = []
    if api.content.get_state(asiento) != Asiento.DISTRIBUIDO:
        problems.append(
            _(
                "error_asiento_not_distributed",
                default="Distribute the entry ${numero} to a unit first.",
                mapping={"numero": asiento.numero},
            )
        )
    if not asiento.procedimiento:
        problems.append(
            _(
                "error_asiento_without_procedure",
                default="The entry ${numero} names no procedure: an expediente "
                "needs one.",
                mapping={"numero": asiento.numero},
            )
        )
    if problems:
        raise TransitionRefused(problems, url=asiento.absolute_url())


def _interesado_of(asiento):
    """The entry's interested party as a row of the expediente's interesados."""
    return {
        "identifier_type": asiento.interesado_identifier_type,
        "identifier": asiento.interesado_identifier,
        "name": asiento.interesado_name,
        "representative": None,
        "notification_channel": "electronica",
        "email": None,
    }


def open_expediente_from_entry(asiento, title=None):
    """A new Expediente in the entry's unit for its procedure, with its
    interested party, its deadline counted from the entry's effective date and
    the entry's documents (and receipt); the entry records it."""
    _check_may_open(asiento)
    unidad = uuidToObject(
        asiento.unidad_distribucion or asiento.unidad_destino, unrestricted=True
    )
    expediente = api.content.create(
        container=unidad,
        type="Expediente",
        title=title or asiento.resumen[:200],
        procedimiento=asiento.procedimiento,
        interesados=[_interesado_of(asiento)],
        # Read by the added subscriber: the deadline counts from here.
        fecha_inicio_computo=asiento.fecha_efectiva,
        asiento=IUUID(asiento),
    )
    file_entry_documents(asiento, expediente)
    asiento.expediente = IUUID(expediente)
    asiento.reindexObject()
    return expediente
