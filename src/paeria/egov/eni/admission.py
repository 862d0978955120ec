"""What the portal checks and looks up before it admits an imported ENI file.

The checks the portal's forms would make on an imported document (format
accepted, size, the identifier of its original), the identifiers already in an
expediente, the procedure an expediente is imported into, the interested
parties its identifiers stand for, and the savepoint that makes an import all
or nothing. It knows the portal, not the ENI core: :mod:`.bridge` joins them.
"""

from contextlib import contextmanager
from paeria.egov.content.documento import check_file
from paeria.egov.content.indexers import eni_origin_keys
from paeria.egov.eni.messages import portal as messages
from paeria.egov.eni.problems import problem
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.identifiers import guess_identifier_type
from paeria.egov.validators.identifiers import validate_identifier
from plone import api
from plone.namedfile.file import NamedBlobFile
from Products.CMFCore.indexing import getQueue
from Products.CMFCore.indexing import processQueue
from zope.i18nmessageid import Message
from zope.schema import ValidationError
import transaction


@contextmanager
def all_or_nothing():
    """Run the block under a savepoint; on any exception undo all it did.

    The indexing queue is flushed first so that rolling back leaves no queued
    catalog operation of undone objects behind.
    """
    processQueue()
    savepoint = transaction.savepoint()
    try:
        yield
    except BaseException:
        savepoint.rollback()
        getQueue().clear()
        raise


def message_of(error):
    """The translatable message of a validator's or a field constraint's
    error (its English text when it has none)."""
    message = error.args[0] if error.args else None
    return message if isinstance(message, Message) else str(error)


def prepared_blob(eni, label: str, problems: list[str]):
    """The blob of an imported document, after the checks that the portal's
    forms would make (format accepted, size), or None with problems added."""
    if eni.origin_document_id:
        try:
            validate_eni_document_id(eni.origin_document_id)
        except InvalidIdentifier as error:
            problems.append(
                problem(
                    messages.ORIGIN_IDENTIFIER, label=label, error=message_of(error)
                )
            )
    blob = NamedBlobFile(
        data=eni.content,
        filename=eni.filename or f"{eni.identifier}",
        contentType=eni.mime_type or "application/octet-stream",
    )
    try:
        check_file(blob)
    except ValidationError as error:
        problems.append(
            problem(
                messages.FILE_REFUSED,
                label=label,
                format=eni.format_name,
                error=message_of(error),
            )
        )
        return None
    return blob


def identifiers_in(expediente) -> set[str]:
    catalog = api.portal.get_tool("portal_catalog")
    return {
        brain.eni_identifier
        for brain in catalog.unrestrictedSearchResults(
            path={"query": "/".join(expediente.getPhysicalPath()), "depth": 1},
            portal_type="Documento",
        )
    }


class AlreadyImported(Exception):
    """The expediente of the file was imported before (same Identificador from
    the same Organo) and the client did not ask to import it again."""

    def __init__(self, earlier):
        super().__init__(earlier.numero)
        self.earlier = earlier


def earlier_import(identifier, organos):
    """The expediente imported earlier with this Identificador from one of
    these bodies (the newest), or None. Looked up whoever is importing: the
    earlier one may be in a unit the user does not see."""
    keys = eni_origin_keys(identifier, organos)
    if not keys:
        return None
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Expediente",
        eni_origen=keys,
        sort_on="created",
        sort_order="descending",
    )
    return brains[0]._unrestrictedGetObject() if brains else None


def find_procedure(classification, procedimiento_uid, problems):
    catalog = api.portal.get_tool("portal_catalog")
    if procedimiento_uid:
        brains = catalog.unrestrictedSearchResults(
            UID=procedimiento_uid, portal_type="Procedimiento"
        )
        if not brains:
            problems.append(
                problem(messages.PROCEDURE_UID, uid=repr(procedimiento_uid))
            )
            return None
        return brains[0]._unrestrictedGetObject()
    brains = (
        catalog.unrestrictedSearchResults(
            portal_type="Procedimiento", sia_code=classification
        )
        if classification
        else []
    )
    if len(brains) == 1:
        return brains[0]._unrestrictedGetObject()
    if not brains:
        problems.append(problem(messages.PROCEDURE_SIA_NONE, code=repr(classification)))
    else:
        problems.append(
            problem(
                messages.PROCEDURE_SIA_SEVERAL,
                count=len(brains),
                code=repr(classification),
            )
        )
    return None


def interesados_rows(identifiers, problems) -> list[dict]:
    """Rows of interested parties from ENI identifiers (the file has no names:
    the identifier stands for the name until staff complete it)."""
    rows = []
    for identifier in identifiers:
        kind = guess_identifier_type(identifier)
        if kind is None:
            problems.append(
                problem(messages.INTERESADO_KIND, identifier=repr(identifier))
            )
            continue
        try:
            canonical = validate_identifier(kind, identifier)
        except InvalidIdentifier as error:
            problems.append(
                problem(
                    messages.INTERESADO_INVALID,
                    identifier=repr(identifier),
                    error=message_of(error),
                )
            )
            continue
        rows.append(
            {
                "identifier_type": kind,
                "identifier": canonical,
                "name": canonical,
                "representative": None,
                "notification_channel": "electronica",
                "email": None,
            }
        )
    return rows


def _documents_of(created) -> list:
    if created.portal_type == "Documento":
        return [created]
    return [item for item in created.objectValues() if item.portal_type == "Documento"]


def import_details(created) -> dict:
    """What the journal records of an import besides its kind: the documents
    whose sender fingerprinted them with a weak function (SHA-1), and the
    earlier import an expediente was imported again beside."""
    details = {}
    weak = sorted(
        documento.eni_identifier
        for documento in _documents_of(created)
        if (getattr(documento, "eni_import", None) or {}).get("weak_hash")
    )
    if weak:
        details["weak_fingerprints"] = weak
    again_of = (getattr(created, "eni_import", None) or {}).get("again_of")
    if again_of and created.portal_type == "Expediente":
        details["again_of"] = again_of
    return details
