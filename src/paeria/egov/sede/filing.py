"""Filing at the electronic office: "Iniciar trámite" on a procedure that can
be started online, and the generic application (instancia genérica).

:func:`file_procedure`, in the request's one transaction: registers the entry
through the register's one code path (``register_entry``: channel telemático,
the citizen as interested party, the procedure and its unit), distributes it to
that unit, opens the Expediente from it (``open_expediente_from_entry``: the
deadline counts from the entry's effective date, the documents are copied with
origin "ciudadano"), gives the citizen the Interesado role on it and returns
the receipt. :func:`file_generic` registers an entry only; the register
distributes it.

The interested party is always the logged-in citizen (their ``nif`` and full
name); a client cannot name another. The statement (expone / solicita) is
filed as the first document, a PDF "application" the entry's receipt lists
with its fingerprint like any other.

The steps that need the register's and the unit's permissions run with the
Manager role adopted (``plone.api.env.adopt_roles``) but as the citizen's own
user, so the journal, the workflow history and the ownership of what they filed
name the citizen. Any error after the entry's number was taken propagates and
the publisher aborts the transaction: nothing is kept, no number consumed.
"""

from AccessControl import Unauthorized
from paeria.egov import _
from paeria.egov.events import LocalRolesSetByCode
from paeria.egov.registro.distribution import distribute
from paeria.egov.registro.distribution import open_expediente_from_entry
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from paeria.egov.sede import idempotency
from paeria.egov.sede.errors import DOCUMENTS_NOT_AN_OBJECT
from paeria.egov.sede.errors import FilingError
from paeria.egov.sede.errors import FilingNotAllowed
from paeria.egov.sede.nif import current_citizen
from paeria.egov.sede.receipts import receipt_summary
from paeria.egov.sede.statement import statement_pdf
from paeria.egov.sede.statement import statement_text
from paeria.egov.sede.statement import translated
from paeria.egov.states import Procedimiento
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.i18n.normalizer import idnormalizer
from plone.uuid.interfaces import IUUID
from zope.event import notify


EXPONE_MAX_LENGTH = 20000
SOLICITA_MAX_LENGTH = 5000
RESUMEN_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 200
STATEMENT_TIPO_DOCUMENTAL = "TD14"  # ENI: application
GENERIC_TARGET = "instancia-generica"
# The unit a generic application goes to when the citizen names none: the id
# (in /unidades) or UID of a Unidad, set in profiles/default/registry/sede.xml.
GENERIC_UNIT_RECORD = "paeria.egov.sede.unidad_instancia_generica"
DOCUMENT_KEY = "documentos.{slot}"
EXTRA_KEY = "files[{position}]"


# -- the procedure's documents -------------------------------------------------


class Slot:
    """One document the procedure asks for: ``id`` names its upload."""

    def __init__(self, id, name, mandatory, tipo_documental):
        self.id = id
        self.name = name
        self.mandatory = mandatory
        self.tipo_documental = tipo_documental

    @property
    def key(self):
        return DOCUMENT_KEY.format(slot=self.id)

    def as_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "mandatory": self.mandatory,
            "tipo_documental": self.tipo_documental,
        }


def document_slots(procedimiento):
    """The procedure's required documents, each with a stable id made from its
    name (``fotocopia-del-dni``), unique within the procedure."""
    slots, seen = [], set()
    for position, row in enumerate(procedimiento.required_documents or (), start=1):
        name = (row.get("name") or "").strip() or f"{position}"
        base = idnormalizer.normalize(name, max_length=60) or f"documento-{position}"
        slot_id, suffix = base, 2
        while slot_id in seen:
            slot_id, suffix = f"{base}-{suffix}", suffix + 1
        seen.add(slot_id)
        mandatory = row.get("mandatory")
        slots.append(
            Slot(
                slot_id,
                name,
                True if mandatory is None else bool(mandatory),
                row.get("tipo_documental") or "TD14",
            )
        )
    return slots


# -- checks ------------------------------------------------------------------------


def require_citizen():
    """The logged-in citizen, with the NIF and name an entry needs."""
    citizen = current_citizen()
    if citizen is None:
        raise Unauthorized("Log in to file at the electronic office.")
    if citizen.nif is None:
        raise FilingNotAllowed(
            _(
                "error_filing_no_nif",
                default="Your account has no NIF/NIE: add it in your personal "
                "information before filing.",
            ),
            field="nif",
        )
    if citizen.fullname is None:
        raise FilingNotAllowed(
            _(
                "error_filing_no_fullname",
                default="Your account has no full name: add it in your personal "
                "information before filing.",
            ),
            field="fullname",
        )
    return citizen


def check_procedure_open(procedimiento):
    """A published procedure that can be started online, else FilingNotAllowed."""
    if api.content.get_state(procedimiento, default=None) != Procedimiento.PUBLICADO:
        raise FilingNotAllowed(
            _(
                "error_filing_not_published",
                default="This procedure is not published in the catalogue: it "
                "cannot be started.",
            ),
            field="procedimiento",
        )
    if not procedimiento.online_start:
        raise FilingNotAllowed(
            _(
                "error_filing_not_online",
                default="This procedure cannot be started online: its page says "
                "how to apply.",
            ),
            field="procedimiento",
        )


def _is_file(item):
    return isinstance(item, dict) and bool(item.get("data") or item.get("filename"))


# -- filing -------------------------------------------------------------------------


def _prepare_documents(slots, documents, extras, errors):
    """The files for register_entry after the statement, and the field each
    one came from (to name it in an error)."""
    documents = documents or {}
    if not isinstance(documents, dict):
        errors["documentos"] = DOCUMENTS_NOT_AN_OBJECT
        documents = {}
    by_id = {slot.id: slot for slot in slots}
    for key in documents:
        if key not in by_id:
            errors[DOCUMENT_KEY.format(slot=key)] = _(
                "error_filing_unknown_document",
                default="This procedure asks for no document with this id; its "
                "documents are: ${ids}.",
                mapping={"ids": ", ".join(by_id) or "-"},
            )
    files, keys = [], []
    for slot in slots:
        item = documents.get(slot.id)
        if not _is_file(item):
            if slot.mandatory:
                errors[slot.key] = _(
                    "error_filing_missing_document",
                    default="Required document missing: ${name}.",
                    mapping={"name": slot.name},
                )
            continue
        files.append(dict(item, title=slot.name, tipo_documental=slot.tipo_documental))
        keys.append((slot.key, slot.name))
    for position, item in enumerate(extras or ()):
        if isinstance(item, dict) and not _is_file(item):
            continue  # an empty input of the form
        files.append(item)
        keys.append((EXTRA_KEY.format(position=position), None))
    return files, keys


def _register(data, statement, files, keys):
    """register_entry with the statement first; its errors by our fields."""
    try:
        return register_entry(data, [statement, *files])
    except RegistrationError as error:
        errors = {}
        for key, message in error.errors.items():
            if key.startswith("files[") and key.endswith("]"):
                position = int(key[len("files[") : -1]) - 1
                if 0 <= position < len(keys):
                    field, name = keys[position]
                    if name:
                        message = _(
                            "error_filing_document_problem",
                            default="${name}: ${problem}",
                            mapping={"name": name, "problem": message},
                        )
                    errors[field] = message
                    continue
                key = "solicita" if position < 0 else key
            errors[key] = message
        raise FilingError(errors) from None


def _interesado(citizen):
    return {
        "canal": "telematico",
        "interesado_identifier_type": citizen.identifier_type,
        "interesado_identifier": citizen.nif,
        "interesado_name": citizen.fullname,
    }


def file_procedure(procedimiento, data, documents=None, extras=(), token=None):
    """Start ``procedimiento`` for the logged-in citizen; return the receipt
    (:func:`~paeria.egov.sede.receipts.receipt_summary`). Raises Unauthorized,
    FilingNotAllowed or FilingError (nothing stored)."""
    citizen = require_citizen()
    check_procedure_open(procedimiento)
    target = IUUID(procedimiento)
    replay = idempotency.remembered(citizen.userid, token, target)
    if replay is not None:
        return replay
    errors = {}
    expone = statement_text(data, "expone", EXPONE_MAX_LENGTH, errors)
    solicita = statement_text(data, "solicita", SOLICITA_MAX_LENGTH, errors)
    slots = document_slots(procedimiento)
    files, keys = _prepare_documents(slots, documents, extras, errors)
    if errors:
        raise FilingError(errors)
    title = procedimiento.Title()
    statement = _procedure_statement(procedimiento, citizen, expone, solicita)
    entry = _interesado(citizen)
    entry.update(
        resumen=(f"{title}: {solicita}" if solicita else title)[:RESUMEN_MAX_LENGTH],
        procedimiento=target,
        unidad_destino=procedimiento.responsible_unit,
    )
    with api.env.adopt_roles(["Manager"]):
        asiento = _register(entry, statement, files, keys)
        distribute(asiento)
        expediente = _open_for_citizen(asiento, citizen, title)
    result = receipt_summary(asiento, expediente)
    idempotency.remember(citizen.userid, token, target, result)
    return result


def _procedure_statement(procedimiento, citizen, expone, solicita):
    """The application to start ``procedimiento``, as the entry's first file."""
    title = procedimiento.Title()
    statement_title = translated(
        _(
            "statement_title",
            default="Application: ${procedure}",
            mapping={"procedure": title},
        )
    )
    solicita = solicita or translated(
        _(
            "statement_default_solicita",
            default="That the procedure be started.",
        )
    )
    return _statement_file(
        "solicitud.pdf",
        statement_title,
        citizen,
        title,
        procedimiento.responsible_unit,
        expone,
        solicita,
    )


def _statement_file(
    filename, statement_title, citizen, procedure_title, unit_uid, expone, solicita
):
    """The statement as a PDF file for register_entry."""
    unidad = uuidToObject(unit_uid, unrestricted=True)
    return {
        "data": statement_pdf(
            statement_title,
            citizen,
            procedure_title,
            unidad.Title() if unidad is not None else None,
            expone,
            solicita,
        ),
        "filename": filename,
        "content_type": "application/pdf",
        "title": statement_title[:255],
        "tipo_documental": STATEMENT_TIPO_DOCUMENTAL,
    }


def _open_for_citizen(asiento, citizen, title):
    """The Expediente opened from the citizen's entry, with the citizen as its
    Interesado (their e-mail for notices included)."""
    expediente = open_expediente_from_entry(
        asiento, title=f"{title} - {citizen.fullname}"[:TITLE_MAX_LENGTH]
    )
    rows = [dict(row) for row in expediente.interesados or ()]
    for row in rows:
        if row.get("identifier") == citizen.nif and not row.get("email"):
            row["email"] = citizen.email
    expediente.interesados = rows
    # The entry's documents are incorporated as presented by
    # open_expediente_from_entry.
    expediente.manage_setLocalRoles(citizen.userid, ["Interesado"])
    expediente.reindexObjectSecurity()
    expediente.reindexObject()
    notify(LocalRolesSetByCode(expediente, reason="presentacion_electronica"))
    return expediente


def generic_unit(unidad_uid):
    """The Unidad a generic application goes to: the one named, else the
    configured default; None if neither (refused then)."""
    if unidad_uid:
        return unidad_uid
    configured = api.portal.get_registry_record(GENERIC_UNIT_RECORD, default=None)
    configured = (configured or "").strip()
    if not configured:
        return None
    unidades = api.portal.get().get("unidades")
    if unidades is not None and configured in unidades.objectIds():
        return IUUID(unidades[configured])
    return configured


def file_generic(data, extras=(), token=None):
    """A generic application (instancia genérica) of the logged-in citizen: an
    entry to the unit they name, or the configured one; the register
    distributes it."""
    citizen = require_citizen()
    replay = idempotency.remembered(citizen.userid, token, GENERIC_TARGET)
    if replay is not None:
        return replay
    errors = {}
    expone = statement_text(data, "expone", EXPONE_MAX_LENGTH, errors)
    solicita = statement_text(
        data, "solicita", SOLICITA_MAX_LENGTH, errors, required=True
    )
    unidad_uid = data.get("unidad_destino") or None
    if unidad_uid is not None and not isinstance(unidad_uid, str):
        errors["unidad_destino"] = _("error_register_not_text", default="Must be text.")
        unidad_uid = None
    unidad_uid = generic_unit(unidad_uid)
    if unidad_uid is None:
        errors["unidad_destino"] = _(
            "error_generic_unit_required",
            default="Choose the unit your application is for.",
        )
    files, keys = _prepare_documents([], None, extras, errors)
    if errors:
        raise FilingError(errors)
    statement_title = translated(
        _("generic_statement_title", default="Generic application")
    )
    statement = _statement_file(
        "instancia-generica.pdf",
        statement_title,
        citizen,
        None,
        unidad_uid,
        expone,
        solicita,
    )
    entry = _interesado(citizen)
    entry.update(
        resumen=f"{statement_title}: {solicita}"[:RESUMEN_MAX_LENGTH],
        unidad_destino=unidad_uid,
    )
    with api.env.adopt_roles(["Manager"]):
        asiento = _register(entry, statement, files, keys)
    result = receipt_summary(asiento, None)
    idempotency.remember(citizen.userid, token, GENERIC_TARGET, result)
    return result
