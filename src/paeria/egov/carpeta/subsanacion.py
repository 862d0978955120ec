"""The citizen answers a subsanación from their carpeta (Ley 39/2015 art. 68):
the documents they send are registered as an entry (through the register's
one code path, so they get a receipt), filed into the expediente, and the
expediente goes back to its case worker (``subsanar``), its deadline running
again."""

from paeria.egov import _
from paeria.egov.carpeta.citizen import current_nif
from paeria.egov.carpeta.citizen import INTERESADO
from paeria.egov.content.indexers import enclosing_unidad
from paeria.egov.registro.distribution import attach_entry_to_expediente
from paeria.egov.registro.distribution import distribute
from paeria.egov.registro.register import register_entry
from paeria.egov.registro.register import RegistrationError
from paeria.egov.states import Expediente
from paeria.egov.system import as_portal
from plone import api
from plone.uuid.interfaces import IUUID


STATEMENT_MAX_LENGTH = 1500


def may_answer(expediente):
    """The current user is an interested party of the expediente, which waits
    for them."""
    user = api.user.get_current()
    roles = expediente.get_local_roles_for_userid(user.getId()) or ()
    return (
        INTERESADO in roles
        and api.content.get_state(expediente, default=None) == Expediente.SUBSANACION
    )


def _party(expediente, nif):
    for row in expediente.interesados or ():
        if (row.get("identifier") or "").upper() == nif:
            return row
    return None


def aportar(expediente, files, statement=""):
    """Register what the citizen sends, file it into ``expediente`` and return
    it to the unit; return the entry. Raises RegistrationError (nothing
    stored, no number consumed)."""
    errors = {}
    nif = current_nif()
    party = _party(expediente, nif) if nif else None
    if party is None:
        errors["interesado"] = _(
            "error_aportar_not_party",
            default="Your user's NIF is not that of an interested party of this "
            "expediente.",
        )
    if not files:
        errors["files"] = _(
            "error_aportar_no_files",
            default="Attach at least one document.",
        )
    if statement is None:
        statement = ""
    if not isinstance(statement, str):
        errors["statement"] = _("error_register_not_text", default="Must be text.")
        statement = ""
    statement = statement.strip()
    if len(statement) > STATEMENT_MAX_LENGTH:
        errors["statement"] = _(
            "error_aportar_statement_long",
            default="The statement is too long (at most ${max} characters).",
            mapping={"max": STATEMENT_MAX_LENGTH},
        )
    if errors:
        raise RegistrationError(errors)
    numero = expediente.numero or expediente.getId()
    resumen = f"Subsanación del expediente {numero}"
    if statement:
        resumen = f"{resumen}: {statement}"
    asiento = register_entry(
        {
            "canal": "telematico",
            "interesado_identifier_type": party.get("identifier_type"),
            "interesado_identifier": nif,
            "interesado_name": party.get("name") or nif,
            "resumen": resumen,
            "procedimiento": getattr(expediente, "procedimiento", None),
            "unidad_destino": IUUID(enclosing_unidad(expediente)),
        },
        files,
    )
    # Filing into the expediente and handing it back are the portal's acts:
    # the citizen holds no permission on the register or the workflow.
    with as_portal():
        distribute(asiento)
        attach_entry_to_expediente(asiento, expediente)
        api.content.transition(
            obj=expediente,
            transition=Expediente.SUBSANAR,
            comment=f"Documentación aportada por el interesado: {asiento.numero}",
        )
    return asiento
