"""Import of ENI files into the portal: the other half of :mod:`.bridge`.

An expediente comes into a unit as the paeria.egov exchange file, or as a zip
package (:mod:`.package`) holding one or more bare ``eniexp:expediente``
files with their ``enidoc:documento`` files; a document comes into an
expediente as an ``enidoc:documento``. The Plone-free core reads and checks
them (:mod:`.parse`), the portal makes its own checks and look-ups
(:mod:`.admission`), then the content is created with plone.api.

Import is all or nothing: everything that can be checked is checked before any
object is created (for a package: every expediente in it), and the creation
runs under one savepoint that is rolled back on any problem, so a refused file
creates nothing and takes no number. :func:`import_report` (``dryRun``) makes
the same checks and says what would be imported, creating nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from paeria.egov import clock
from paeria.egov.clock import MADRID
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.unidad import IUnidad
from paeria.egov.eni.admission import all_or_nothing
from paeria.egov.eni.admission import AlreadyImported
from paeria.egov.eni.admission import earlier_import
from paeria.egov.eni.admission import find_procedure
from paeria.egov.eni.admission import identifiers_in
from paeria.egov.eni.admission import interesados_rows
from paeria.egov.eni.admission import prepared_blob
from paeria.egov.eni.bridge import current_user_id
from paeria.egov.eni.bridge import max_import_size
from paeria.egov.eni.checks import document_label
from paeria.egov.eni.codes import DOCUMENT_TYPES
from paeria.egov.eni.digests import canonical_name
from paeria.egov.eni.digests import fingerprint_matches
from paeria.egov.eni.digests import is_weak
from paeria.egov.eni.digests import OVER_CONTENT
from paeria.egov.eni.messages import portal as messages
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.model import signature_to_record
from paeria.egov.eni.package import is_package
from paeria.egov.eni.package import parse_package
from paeria.egov.eni.package import read_package
from paeria.egov.eni.package import read_parts
from paeria.egov.eni.parse import DEFAULT_MAX_DEPTH
from paeria.egov.eni.parse import parse_document
from paeria.egov.eni.parse import parse_expediente
from paeria.egov.eni.problems import problem
from plone import api
import hashlib


def _stored(value: datetime) -> datetime:
    """An aware datetime in Madrid's pytz zone, which ZODB stores."""
    return value.astimezone(MADRID)


def _document_title(eni: EniDocument) -> str:
    kind = DOCUMENT_TYPES.get(eni.document_type)
    return f"{kind} {eni.identifier}" if kind else eni.identifier


def _stored_problems(documento, eni: EniDocument, entry) -> list[str]:
    """The stored bytes must be those received and, when the index
    fingerprinted the content (not the whole document), match the index."""
    label = document_label(eni.identifier)
    if documento.huella != hashlib.sha256(eni.content).hexdigest():
        return [problem(messages.STORED_DIFFERS, label=label)]
    if entry is None or entry.fingerprint_basis != OVER_CONTENT:
        return []
    if fingerprint_matches(documento.file.data, entry.fingerprint, entry.hash_function):
        return []
    return [problem(messages.STORED_NOT_INDEXED, label=label)]


def _create_documento(expediente, eni: EniDocument, blob, entry=None) -> tuple:
    """Create one imported document; returns (documento, problems)."""
    documento = api.content.create(
        container=expediente,
        type="Documento",
        title=_document_title(eni),
        file=blob,
        organo=eni.organos[0],
        fecha_captura=_stored(eni.capture_date),
        origen="administracion" if eni.origin_administration else "ciudadano",
        estado_elaboracion=eni.elaboration_state,
        id_documento_origen=eni.origin_document_id,
        tipo_documental=eni.document_type,
    )
    # The subscriber gave it a new identifier and hashed the stored bytes: the
    # identifier is the original one, the bytes must be those received.
    problems = _stored_problems(documento, eni, entry)
    documento.eni_identifier = eni.identifier
    # What the sender says the document is (PDF/A, a signed format…), which
    # its MIME type alone cannot tell; kept while the file stays the same.
    if eni.format_name:
        documento.nombre_formato = eni.format_name
    if len(eni.organos) > 1:
        documento.eni_organos_origen = list(eni.organos)
    if eni.signatures:
        documento.eni_signatures_origen = [
            signature_to_record(signature) for signature in eni.signatures
        ]
    origin = {"imported": clock.office_now(), "user": current_user_id()}
    if entry is not None:
        # The sender's fingerprint beside the portal's own SHA-256 (huella).
        origin.update(entry.received_fingerprint(), order=entry.order)
        incorporated = entry.incorporation_date
        origin["incorporation_date"] = _stored(incorporated) if incorporated else None
    documento.eni_import = origin
    documento.reindexObject()
    return documento, problems


def _admit_document(expediente, data: bytes) -> tuple:
    """(EniDocument, its blob or None, problems) of an ``enidoc:documento``
    file for ``expediente``; raises EniImportError when it cannot be read."""
    if not IExpediente.providedBy(expediente):
        raise TypeError("ENI documents are imported into an Expediente")
    eni = parse_document(data, max_size=max_import_size())
    label = document_label(eni.identifier)
    problems = []
    if eni.identifier in identifiers_in(expediente):
        problems.append(problem(messages.ALREADY_IN_EXPEDIENTE, label=label))
    return eni, prepared_blob(eni, label, problems), problems


def import_eni_document(expediente, data: bytes):
    """Add the document of an ``enidoc:documento`` file to ``expediente``.

    It keeps its ENI identifier, capture date, origin, elaboration state,
    document type and fingerprint, and takes the expediente's next order.
    Raises EniImportError listing every problem; then nothing is created.
    """
    eni, blob, problems = _admit_document(expediente, data)
    if problems:
        raise EniImportError(problems)
    with all_or_nothing():
        documento, problems = _create_documento(expediente, eni, blob)
        if problems:
            raise EniImportError(problems)
    return documento


def document_report(expediente, data: bytes) -> dict:
    """What importing the ``enidoc:documento`` file ``data`` into
    ``expediente`` would do (``dryRun``), creating nothing: the document
    (identifier, type, format, size, signatures), every problem, and whether
    it would be ``importable``."""
    report = {"dryRun": True, "documents": [], "problems": []}
    try:
        eni, _, report["problems"] = _admit_document(expediente, data)
    except EniImportError as error:
        report["problems"] = list(error.problems)
    else:
        report["documents"].append(
            {
                "identifier": eni.identifier,
                "tipo_documental": eni.document_type,
                "nombre_formato": eni.format_name,
                "size": len(eni.content or b""),
                "signatures": [s.signature_type for s in eni.signatures],
            }
        )
    report["importable"] = not report["problems"]
    return report


def _expediente_origin(eni: EniExpediente, earlier) -> dict:
    """What the sender said of the expediente, kept as ``eni_import``; with
    ``earlier``, the expediente this one was imported again beside."""
    return {
        "identifier": eni.identifier,
        "organos": list(eni.organos),
        "opening_date": _stored(eni.opening_date),
        "classification": eni.classification,
        "state": eni.state,
        "interesados": list(eni.interesados),
        "index_date": _stored(eni.index_date),
        "index_signatures": [
            signature_to_record(signature) for signature in eni.index_signatures
        ],
        "imported": clock.office_now(),
        "user": current_user_id(),
        "again_of": api.content.get_uuid(earlier) if earlier else None,
    }


@dataclass
class Admitted:
    """An expediente read from a file and what the portal found for it."""

    eni: EniExpediente
    procedure: object
    rows: list
    blobs: dict
    earlier: object = None  # the expediente imported before, if any


def admit(eni: EniExpediente, procedimiento_uid, again, problems) -> Admitted:
    """The portal's checks and look-ups before ``eni`` is created; problems
    are added to ``problems``. Raises AlreadyImported when the same
    Identificador from the same Organo was imported before, unless ``again``."""
    earlier = earlier_import(eni.identifier, eni.organos)
    if earlier is not None and not again:
        raise AlreadyImported(earlier)
    procedure = find_procedure(eni.classification, procedimiento_uid, problems)
    rows = interesados_rows(eni.interesados, problems)
    blobs = {
        document.identifier: prepared_blob(
            document, document_label(document.identifier), problems
        )
        for document in eni.documents
    }
    return Admitted(eni, procedure, rows, blobs, earlier)


def _create_expediente(unidad, admitted: Admitted) -> tuple:
    """Create one admitted expediente and its documents, in index order;
    returns (expediente, problems)."""
    eni, procedure = admitted.eni, admitted.procedure
    expediente = api.content.create(
        container=unidad,
        type="Expediente",
        title=f"{procedure.Title()} ({eni.identifier})",
        procedimiento=api.content.get_uuid(procedure),
        interesados=admitted.rows,
    )
    expediente.eni_identifier_origen = eni.identifier
    expediente.eni_import = _expediente_origin(eni, admitted.earlier)
    by_id = {document.identifier: document for document in eni.documents}
    problems = []
    for entry in eni.index_entries:
        _, more = _create_documento(
            expediente,
            by_id[entry.document_id],
            admitted.blobs[entry.document_id],
            entry,
        )
        problems += more
    expediente.reindexObject()
    return expediente, problems


def _import_all(unidad, parsed, procedimiento_uid, again) -> list:
    """Admit every parsed expediente, then create them all or nothing."""
    if not IUnidad.providedBy(unidad):
        raise TypeError("ENI expedientes are imported into a Unidad")
    problems = []
    admitted = [admit(eni, procedimiento_uid, again, problems) for eni in parsed]
    if problems:
        raise EniImportError(problems)
    with all_or_nothing():
        created = []
        for one in admitted:
            expediente, more = _create_expediente(unidad, one)
            created.append(expediente)
            problems += more
        if problems:
            raise EniImportError(problems)
    return created


def import_eni_expediente(unidad, data: bytes, procedimiento_uid=None, again=False):
    """Create in ``unidad`` the expediente of an ENI exchange file.

    The expediente gets a new local number and ENI identifier (numbering is
    ours); the original identifier is kept in ``eni_identifier_origen`` and the
    rest of the original metadata in ``eni_import``. Its procedure is
    ``procedimiento_uid`` or the one whose SIA code is the classification.
    Documents are created in index order and keep their ENI metadata.
    Raises EniImportError listing every problem, or AlreadyImported when the
    same Identificador from the same Organo was imported before, unless
    ``again``; then nothing is created and no number is taken.
    """
    if not IUnidad.providedBy(unidad):
        raise TypeError("ENI expedientes are imported into a Unidad")
    eni = parse_expediente(data, max_size=max_import_size())
    return _import_all(unidad, [eni], procedimiento_uid, again)[0]


def read_expedientes(data) -> tuple[list, list[str]]:
    """([(package entry or None, EniExpediente or None, problems)], ignored
    entries) of an exchange file, a zip package, or files sent side by side
    (``data`` a list of (name, bytes)); raises EniImportError when a package
    is refused whole (hostile, or documents astray)."""
    limit = max_import_size()
    if isinstance(data, list):
        package = read_parts(data, max_size=limit, max_depth=DEFAULT_MAX_DEPTH)
        return parse_package(package, max_size=limit), package.ignored
    if not is_package(data):
        try:
            return [(None, parse_expediente(data, max_size=limit), [])], []
        except EniImportError as error:
            return [(None, None, error.problems)], []
    package = read_package(data, max_size=limit, max_depth=DEFAULT_MAX_DEPTH)
    return parse_package(package, max_size=limit), package.ignored


def import_eni_package(unidad, data, procedimiento_uid=None, again=False):
    """Create in ``unidad`` every expediente of a zip package (or of one
    exchange file, or of files sent side by side: :func:`read_expedientes`),
    as :func:`import_eni_expediente` does, in one go: all of them or, at the
    first problem in any, none. Returns them, in the order of the package;
    raises like :func:`import_eni_expediente`."""
    results, _ = read_expedientes(data)
    problems = [problem for _, _, found in results for problem in found]
    if problems:
        raise EniImportError(problems)
    return _import_all(unidad, [eni for _, eni, _ in results], procedimiento_uid, again)


# -- dry run ------------------------------------------------------------------------


def _document_report(document: EniDocument, entry) -> dict:
    return {
        "identifier": document.identifier,
        "tipo_documental": document.document_type,
        "nombre_formato": document.format_name,
        "size": len(document.content or b""),
        "order": entry.order,
        "folder": list(entry.folder),
        "hash_function": canonical_name(entry.hash_function),
        # A fingerprint that does not match is a problem, not a report.
        "fingerprint": "weak" if is_weak(entry.hash_function) else "ok",
        "fingerprint_over": entry.fingerprint_basis,
        "signatures": [signature.signature_type for signature in document.signatures],
    }


def _expediente_report(name, admitted: Admitted) -> dict:
    eni, earlier = admitted.eni, admitted.earlier
    by_id = {document.identifier: document for document in eni.documents}
    return {
        "entry": name,
        "identifier": eni.identifier,
        "organos": list(eni.organos),
        "classification": eni.classification,
        "procedimiento": api.content.get_uuid(admitted.procedure)
        if admitted.procedure is not None
        else None,
        "imported_before": {"@id": earlier.absolute_url(), "numero": earlier.numero}
        if earlier is not None
        else None,
        "index_signatures": [s.signature_type for s in eni.index_signatures],
        "documents": [
            _document_report(by_id[entry.document_id], entry)
            for entry in eni.index_entries
        ],
    }


def import_report(unidad, data, procedimiento_uid=None, again=False) -> dict:
    """What importing ``data`` into ``unidad`` would do (``dryRun``), after
    the same checks, creating nothing: each expediente with its documents
    (type, format, size, fingerprint function, ``ok`` or ``weak``, what it
    was computed over, signatures) and the earlier import of each, the
    entries of a package that would be ignored, every problem, and whether
    it would be ``importable``."""
    if not IUnidad.providedBy(unidad):
        raise TypeError("ENI expedientes are imported into a Unidad")
    report = {"dryRun": True, "expedientes": [], "ignored": [], "problems": []}
    try:
        results, report["ignored"] = read_expedientes(data)
    except EniImportError as error:
        results = []
        report["problems"] = list(error.problems)
    repeated = False
    for name, eni, problems in results:
        report["problems"] += problems
        if eni is None:
            continue
        admitted = admit(eni, procedimiento_uid, True, report["problems"])
        repeated = repeated or (admitted.earlier is not None and not again)
        report["expedientes"].append(_expediente_report(name, admitted))
    report["importable"] = not report["problems"] and not repeated
    return report
