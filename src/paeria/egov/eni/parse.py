"""Import of ENI documents and expedientes (v1.0), refusing unsafe or bad files.

:func:`parse_document` reads an ``enidoc:documento`` (NTI de Documento
electrónico, BOE-A-2011-13169, annex II) and :func:`parse_expediente` an
expediente (NTI de Expediente electrónico, BOE-A-2011-13170, annex II), either
as the paeria.egov envelope written by
:func:`~paeria.egov.eni.export.expediente_to_xml` or as a bare
``eniexp:expediente`` whose documents are given separately, as the NTI sends
them.

Files come from outside, so the XML is read defensively
(:mod:`paeria.egov.eni.safexml`): a size limit, no DOCTYPE, no network, no
DTD, no entity resolution and a nesting depth limit. The file is then
validated against the official XSDs when they are available (see
:mod:`paeria.egov.eni.schemas`) and checked against the NTIs: each
fingerprint in the index must match its document's content, the documents and
the index must list the same identifiers, the orders must read 1..n, etc.
Every problem found is collected and :class:`EniImportError` lists them all.
"""

from datetime import tzinfo
from functools import partial
from lxml import etree
from paeria.egov.eni.checks import check_expediente
from paeria.egov.eni.checks import check_index_documents
from paeria.egov.eni.checks import item_label
from paeria.egov.eni.messages import reading as messages
from paeria.egov.eni.model import EniDocument
from paeria.egov.eni.model import EniExpediente
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.model import SentDocument
from paeria.egov.eni.problems import problem
from paeria.egov.eni.reader import EniReader
from paeria.egov.eni.safexml import load_xml
from paeria.egov.eni.schemas import ENVELOPE_ROOT
from paeria.egov.eni.schemas import NS
from paeria.egov.eni.schemas import qname
from paeria.egov.eni.schemas import validate
from paeria.egov.eni.xsd_values import default_zone
import logging


__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_SIZE",
    "EniImportError",
    "parse_document",
    "parse_expediente",
]

logger = logging.getLogger(__name__)

#: Default size limit of one input: 200 MiB.
DEFAULT_MAX_SIZE = 200 * 1024 * 1024
#: Default limit of element nesting. ENI files need about 20 levels (a XAdES
#: signature inside a document inside the envelope); XML content (DatosXML)
#: and folders in the index add a few more.
DEFAULT_MAX_DEPTH = 100
_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
_warned_without_schema: set[str] = set()


def _prefixed(tag) -> str:
    """A readable name for a tag: ``prefix:local`` for the ENI namespaces."""
    if not isinstance(tag, str):
        return repr(tag)
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = _PREFIXES.get(uri)
        return f"{prefix}:{local}" if prefix else f"{{{uri}}}{local}"
    return tag


def _wrong_root(what: str, root, expected: str) -> EniImportError:
    return EniImportError(
        [
            problem(
                messages.WRONG_ROOT,
                what=what,
                element=_prefixed(root.tag),
                expected=expected,
            )
        ]
    )


def _schema_problems(root, kind, schema_dir, validate_schema) -> list[str]:
    if not validate_schema:
        return []
    problems = validate(root.getroottree(), kind, schema_dir)
    if problems is None:
        if kind not in _warned_without_schema:
            _warned_without_schema.add(kind)
            logger.warning(
                "ENI XSDs not found (set PAERIA_ENI_XSD_DIR): %s files are checked "
                "without schema validation",
                kind,
            )
        return []
    return problems


def _finish(problems: list[str]):
    if problems:
        raise EniImportError(list(dict.fromkeys(problems)))


def parse_document(
    data: bytes,
    *,
    schema_dir=None,
    validate_schema: bool = True,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
    strict_identifiers: bool = True,
    local_timezone: tzinfo | None = None,
) -> EniDocument:
    """The EniDocument in an ``enidoc:documento`` exchange file.

    ``schema_dir`` names the directory of the official XSDs (default: see
    :func:`paeria.egov.eni.schemas.find_schema_dir`; without XSDs only the
    checks of this module apply). ``max_size`` limits the input in bytes and
    ``max_depth`` the nesting of elements. With ``strict_identifiers`` the
    identifier and bodies must follow the NTI form (``ES_<DIR3>_<year>_<ID>``).
    Dates without an offset are taken in ``local_timezone`` (default
    Europe/Madrid). Raises :class:`EniImportError` listing every problem found.
    """
    what = problem(messages.LABEL_DOCUMENT_FILE)
    root = load_xml(data, what, max_size, max_depth)
    if root.tag != qname("enidoc", "documento"):
        raise _wrong_root(what, root, "enidoc:documento")
    reader = EniReader(local_timezone or default_zone())
    problems = _schema_problems(root, "documento", schema_dir, validate_schema)
    document = reader.document(root, item_label("Document"), strict_identifiers, False)
    _finish(problems + reader.problems)
    return document


def parse_expediente(
    data: bytes,
    *,
    documents=None,
    schema_dir=None,
    validate_schema: bool = True,
    max_size: int = DEFAULT_MAX_SIZE,
    max_depth: int = DEFAULT_MAX_DEPTH,
    strict_identifiers: bool = True,
    local_timezone: tzinfo | None = None,
) -> EniExpediente:
    """The EniExpediente in an exchange file.

    ``data`` is either the paeria.egov envelope (``eniexp:expediente`` followed
    by its ``enidoc:documento`` elements) or a bare ``eniexp:expediente``, whose
    documents are then given as ``documents``, one ``enidoc:documento`` file
    each, as the NTI sends them: bytes, or a :class:`SentDocument` carrying
    the files its ``enifile:referenciaFichero`` names (a zip package, read by
    :mod:`paeria.egov.eni.package`). ``max_size`` applies to each input and
    to their total. The other arguments are those of :func:`parse_document`.

    Besides the schemas, checks that every document listed in the index is
    present and no other, that each fingerprint matches its document's content,
    that the orders read 1..n in index order, that the index and every
    document are signed. Documents are returned in index order. Raises
    :class:`EniImportError` listing every problem found.
    """
    what = problem(messages.LABEL_EXPEDIENTE_FILE)
    root = load_xml(data, what, max_size, max_depth)
    reader = EniReader(local_timezone or default_zone())
    options = {"schema_dir": schema_dir, "validate_schema": validate_schema}
    if root.tag == qname("paeriaeni", ENVELOPE_ROOT):
        expediente_el, document_elements, problems = _envelope_parts(
            root, what, documents, **options
        )
    elif root.tag == qname("eniexp", "expediente"):
        expediente_el = root
        problems = _schema_problems(root, "expediente", **options)
        document_elements = _separate_documents(
            documents,
            len(data),
            problems,
            **options,
            max_size=max_size,
            max_depth=max_depth,
        )
    else:
        expected = problem(messages.LABEL_EXPEDIENTE_ROOTS)
        raise _wrong_root(what, root, expected)

    expediente = _read_expediente(
        reader, expediente_el, document_elements, strict_identifiers
    )
    problems += reader.problems + _expediente_problems(expediente, strict_identifiers)
    for document in expediente.documents:
        document.sent_forms = None  # checked: the XML tree may go
    _finish(problems)
    return expediente


def _expediente_problems(expediente, strict_identifiers) -> list[str]:
    """The problems of an expediente read from a file."""
    problems = check_expediente(
        expediente, strict_identifiers=strict_identifiers, check_documents=False
    )
    # Each document was checked while read; now the index against them.
    return problems + check_index_documents(
        expediente.index_entries, expediente.documents, check_each_document=False
    )


def _envelope_parts(root, what: str, documents, *, schema_dir, validate_schema):
    """(eniexp:expediente, [(enidoc:documento, label, None)], problems) of the
    paeria.egov envelope, reporting a missing expediente and unexpected
    elements."""
    if documents is not None:
        raise TypeError(
            "documents are given separately only with a bare eniexp:expediente"
        )
    problems = _schema_problems(root, "intercambio", schema_dir, validate_schema)
    document_elements = []
    children = [child for child in root if isinstance(child.tag, str)]
    expediente_el = root.find(qname("eniexp", "expediente"))
    if expediente_el is None:
        problems.append(
            problem(messages.ELEMENT_MISSING, where=what, element="eniexp:expediente")
        )
    for child in children:
        if child.tag == qname("enidoc", "documento"):
            label = problem(
                messages.LABEL_DOCUMENT_NUMBER, number=len(document_elements) + 1
            )
            document_elements.append((child, label, None, None))
        elif child is not expediente_el:
            problems.append(
                problem(
                    messages.UNEXPECTED_ELEMENT, what=what, element=_prefixed(child.tag)
                )
            )
    return expediente_el, document_elements, problems


def _separate_documents(
    documents, total, problems, *, schema_dir, validate_schema, max_size, max_depth
):
    """[(enidoc:documento, label, its bytes, files it references)] of the
    document files sent beside a bare expediente; ``total`` is the size read
    so far, the files may not pass ``max_size`` together."""
    document_elements = []
    for number, sent in enumerate(documents or [], 1):
        label = problem(messages.LABEL_SEPARATE_DOCUMENT, number=number)
        item, files = sent, None
        if isinstance(sent, SentDocument):
            item, files = sent.data, sent.files
            if sent.name:
                label = problem(messages.LABEL_PACKAGE_ENTRY, name=sent.name)
        if isinstance(item, bytes | bytearray | memoryview):
            total += len(item)
        if total > max_size:
            raise EniImportError([problem(messages.FILES_TOO_LARGE, limit=max_size)])
        try:
            element = load_xml(item, label, max_size, max_depth)
        except EniImportError as error:
            problems.extend(error.problems)
            continue
        if element.tag != qname("enidoc", "documento"):
            problems.extend(_wrong_root(label, element, "enidoc:documento").problems)
            continue
        problems += [
            problem(messages.IN_FILE, what=label, problem=found)
            for found in _schema_problems(
                element, "documento", schema_dir, validate_schema
            )
        ]
        raw = bytes(item) if isinstance(item, bytes | bytearray | memoryview) else None
        document_elements.append((element, label, raw, files))
    return document_elements


def sent_forms(element, sent: bytes | None):
    """The ``enidoc:documento`` as the sender may have fingerprinted it whole:
    the file's own bytes when it came as a file, else the element as
    serialised, then canonicalised (exclusive and inclusive C14N)."""
    if sent is not None:
        yield sent
    yield etree.tostring(element)
    yield etree.tostring(element, method="c14n", exclusive=True)
    yield etree.tostring(element, method="c14n")


def _read_expediente(
    reader, expediente_el, document_elements, strict_identifiers
) -> EniExpediente:
    """The EniExpediente of its element and documents, documents in index order;
    problems are left in ``reader``."""
    label = item_label("Expediente")
    indice = reader.find(expediente_el, "eniexpind", "indice", label)
    index_date, entries, index_signatures = reader.index(indice, label)
    metadata = reader.metadata(
        reader.find(expediente_el, "eniexpmeta", "metadatosExp", label)
    )
    parsed = []
    for element, label, sent, files in document_elements:
        document = reader.document(element, label, strict_identifiers, True, files)
        document.sent_forms = partial(sent_forms, element, sent)
        parsed.append(document)
    order = {entry.document_id: n for n, entry in enumerate(entries)}
    parsed.sort(key=lambda d: order.get(d.identifier, len(order)))
    return EniExpediente(
        index_date=index_date,
        index_entries=entries,
        index_signatures=index_signatures,
        documents=parsed,
        **metadata,
    )
