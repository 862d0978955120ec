"""The ids of every workflow's states and transitions, named once.

One small namespace per workflow of ``profiles/default/workflows/``; the ids
are exactly those of its ``definition.xml`` (``tests/test_states.py`` checks
that, both ways). The sets the code reasons with (closed expedientes, documents
that are records, ...) are derived here, once, with the reason for each.

Plone-free: plain strings, importable from content and from every feature.
"""


class Asiento:
    """paeria_asiento_workflow: a register entry (and its documents)."""

    WORKFLOW = "paeria_asiento_workflow"

    REGISTRADO = "registrado"
    DISTRIBUIDO = "distribuido"
    STATES = (REGISTRADO, DISTRIBUIDO)

    DISTRIBUIR = "distribuir"
    TRANSITIONS = (DISTRIBUIR,)


class Documento:
    """paeria_documento_workflow."""

    WORKFLOW = "paeria_documento_workflow"

    BORRADOR = "borrador"
    PENDIENTE_FIRMA = "pendiente_firma"
    FIRMADO = "firmado"
    INCORPORADO = "incorporado"
    ANULADO = "anulado"
    STATES = (BORRADOR, PENDIENTE_FIRMA, FIRMADO, INCORPORADO, ANULADO)

    ENVIAR_FIRMA = "enviar_firma"
    DEVOLVER = "devolver"
    FIRMAR = "firmar"
    INCORPORAR = "incorporar"
    ANULAR = "anular"
    TRANSITIONS = (ENVIAR_FIRMA, DEVOLVER, FIRMAR, INCORPORAR, ANULAR)


class Expediente:
    """paeria_expediente_workflow."""

    WORKFLOW = "paeria_expediente_workflow"

    INICIADO = "iniciado"
    EN_TRAMITACION = "en_tramitacion"
    SUBSANACION = "subsanacion"
    RESUELTO = "resuelto"
    CERRADO = "cerrado"
    ARCHIVADO = "archivado"
    STATES = (INICIADO, EN_TRAMITACION, SUBSANACION, RESUELTO, CERRADO, ARCHIVADO)

    TRAMITAR = "tramitar"
    REQUERIR_SUBSANACION = "requerir_subsanacion"
    SUBSANAR = "subsanar"
    RESOLVER = "resolver"
    CERRAR = "cerrar"
    REABRIR = "reabrir"
    ARCHIVAR = "archivar"
    TRANSITIONS = (
        TRAMITAR,
        REQUERIR_SUBSANACION,
        SUBSANAR,
        RESOLVER,
        CERRAR,
        REABRIR,
        ARCHIVAR,
    )


class Notificacion:
    """paeria_notificacion_workflow: an electronic notification."""

    WORKFLOW = "paeria_notificacion_workflow"

    PUESTA_A_DISPOSICION = "puesta_a_disposicion"
    ACEPTADA = "aceptada"
    RECHAZADA = "rechazada"
    STATES = (PUESTA_A_DISPOSICION, ACEPTADA, RECHAZADA)

    ACCEDER = "acceder"
    RECHAZAR = "rechazar"
    EXPIRAR = "expirar"
    TRANSITIONS = (ACCEDER, RECHAZAR, EXPIRAR)


class Procedimiento:
    """paeria_procedimiento_workflow: a procedure of the catalogue."""

    WORKFLOW = "paeria_procedimiento_workflow"

    BORRADOR = "borrador"
    PUBLICADO = "publicado"
    RETIRADO = "retirado"
    STATES = (BORRADOR, PUBLICADO, RETIRADO)

    PUBLICAR = "publicar"
    RETIRAR = "retirar"
    TRANSITIONS = (PUBLICAR, RETIRAR)


class SolicitudInforme:
    """paeria_solicitudinforme_workflow: a report request to another unit."""

    WORKFLOW = "paeria_solicitudinforme_workflow"

    PENDIENTE = "pendiente"
    EMITIDO = "emitido"
    CANCELADA = "cancelada"
    STATES = (PENDIENTE, EMITIDO, CANCELADA)

    EMITIR = "emitir"
    CANCELAR = "cancelar"
    TRANSITIONS = (EMITIR, CANCELAR)


WORKFLOWS = (
    Asiento,
    Documento,
    Expediente,
    Notificacion,
    Procedimiento,
    SolicitudInforme,
)


# --- Derived sets ---------------------------------------------------------

# Expediente states that are closed for ENI (E02, every other state is open,
# E01): once closed (and then archived) the expediente is a finished record.
CLOSED_EXPEDIENTE_STATES = frozenset((Expediente.CERRADO, Expediente.ARCHIVADO))

# Document states that make a document a record, kept as it is forever: signed,
# incorporated as presented, annulled (Ley 39/2015 arts. 26 and 70).
IMMUTABLE_DOCUMENT_STATES = frozenset(
    (Documento.FIRMADO, Documento.INCORPORADO, Documento.ANULADO)
)

# Document states that are not finished yet: an expediente is not closed while
# it holds one (still a draft, or waiting for its signature).
UNFINISHED_DOCUMENT_STATES = (Documento.BORRADOR, Documento.PENDIENTE_FIRMA)

# States in which the law makes the object a record that nobody, Manager
# included, may change, delete or add to (Ley 39/2015 arts. 26, 70 and 16): the
# immutable documents, the closed expedientes, every register entry.
LEGAL_RECORD_STATES = {
    Documento.WORKFLOW: (Documento.FIRMADO, Documento.INCORPORADO, Documento.ANULADO),
    Expediente.WORKFLOW: (Expediente.CERRADO, Expediente.ARCHIVADO),
    Asiento.WORKFLOW: Asiento.STATES,
}

# Expediente states still being processed (reference data's open expedientes).
OPEN_EXPEDIENTE_STATES = (
    Expediente.INICIADO,
    Expediente.EN_TRAMITACION,
    Expediente.SUBSANACION,
)
# Expediente states with a resolution (reference data's resolved expedientes).
RESOLVED_EXPEDIENTE_STATES = (
    Expediente.RESUELTO,
    Expediente.CERRADO,
    Expediente.ARCHIVADO,
)

# Notification states in which the citizen has answered (accepted, or
# rejected, expiry included): the notified document is then the addressee's to
# read.
ANSWERED_NOTIFICACION_STATES = (Notificacion.ACEPTADA, Notificacion.RECHAZADA)
