"""Plain data model of the ENI exchange formats, independent of Plone.

The dataclasses mirror the minimum mandatory metadata and the exchange structure of

* the NTI de Documento electrónico (Resolución de 19 de julio de 2011,
  BOE-A-2011-13169): annex I (metadatos mínimos obligatorios) and annex II (XML
  schema for the exchange of documents, ``documentoEni.xsd``), and
* the NTI de Expediente electrónico (Resolución de 19 de julio de 2011,
  BOE-A-2011-13170): annex I (metadatos mínimos obligatorios) and annex II (XML
  schemas for the exchange of expedientes: index, metadata, signatures).

Besides the dataclasses this module holds the errors that list the problems
found. The code lists of both NTIs are in :mod:`.codes`, the fingerprints in
:mod:`.digests` and the checks shared by the exporter, which refuses invalid
data, and the importer, which reports every problem it finds, in :mod:`.checks`.
"""

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import datetime
from paeria.egov.eni.digests import canonical_name
from paeria.egov.eni.digests import DEFAULT_HASH_FUNCTION
from paeria.egov.eni.digests import fingerprint
from paeria.egov.eni.digests import is_weak
from paeria.egov.eni.messages import checks as messages
from paeria.egov.eni.problems import as_problem
from paeria.egov.eni.problems import problem


class EniError(ValueError):
    """Base of the ENI errors: carries the list of readable problems found."""

    headline = "ENI data refused"

    def __init__(self, problems):
        # Each problem stays a Problem (translatable); anything else is text.
        self.problems = [as_problem(p) for p in problems] or [problem(messages.UNKNOWN)]
        count = len(self.problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(
            f"{self.headline} ({count} problem{'s' if count != 1 else ''}):\n{lines}"
        )


class EniExportError(EniError):
    """The data cannot be exported as a valid ENI document or expediente."""

    headline = "ENI export refused"


class EniImportError(EniError):
    """An ENI file was refused; ``problems`` lists every problem found."""

    headline = "ENI import refused"


@dataclass
class EniSignature:
    """One ``enids:firma`` (NTI Documento electrónico, annex I "Firma").

    ``signature_type`` is TipoFirma, TF01..TF06. A TF01 (CSV) signature carries
    ``csv_value`` (ValorCSV) and ``csv_regulation`` (RegulacionGeneracionCSV).
    The certificate-based types TF02..TF06 carry exactly one of ``value`` (the
    decoded bytes of FirmaBase64), ``reference`` (ReferenciaFirma, a reference to
    the file holding the signature) or ``xmldsig`` (an inline ``ds:Signature``
    element, as serialised XML bytes).
    """

    signature_type: str
    csv_value: str | None = None
    csv_regulation: str | None = None
    value: bytes | None = None
    reference: str | None = None
    xmldsig: bytes | None = None

    @classmethod
    def csv(cls, value: str, regulation: str) -> "EniSignature":
        """A TF01 signature by secure verification code (CSV)."""
        return cls("TF01", csv_value=value, csv_regulation=regulation)


_SIGNATURE_FIELDS = tuple(f.name for f in fields(EniSignature))


def signature_from_record(record) -> EniSignature:
    """An EniSignature from a stored signature: an EniSignature, a mapping or an
    object with the EniSignature attribute names."""
    if isinstance(record, EniSignature):
        return record
    if hasattr(record, "get") and hasattr(record, "keys"):
        values = {name: record.get(name) for name in _SIGNATURE_FIELDS}
    else:
        values = {name: getattr(record, name, None) for name in _SIGNATURE_FIELDS}
    return EniSignature(**values)


def signature_to_record(signature: EniSignature) -> dict:
    return asdict(signature)


@dataclass
class EniDocument:
    """An electronic document: content, minimum metadata and signatures.

    Fields follow annex I of the NTI de Documento electrónico: ``identifier``
    (Identificador), ``organos`` (Organo, DIR3 codes, at least one),
    ``capture_date`` (FechaCaptura, timezone-aware), ``origin_administration``
    (OrigenCiudadanoAdministracion: False = citizen, True = administration),
    ``elaboration_state`` (ValorEstadoElaboracion) with ``origin_document_id``
    (IdentificadorDocumentoOrigen, mandatory for the copies EE02..EE04),
    ``document_type`` (TipoDocumental), ``format_name`` (NombreFormato) and
    ``content`` (the file itself, exchanged as ValorBinario).

    ``filename`` and ``mime_type`` are local conveniences that the ENI exchange
    does not carry: they do not take part in equality, and the importer derives
    them from the identifier and NombreFormato.
    """

    identifier: str
    organos: list[str]
    capture_date: datetime
    origin_administration: bool
    document_type: str
    format_name: str
    content: bytes
    elaboration_state: str = "EE01"
    origin_document_id: str | None = None
    signatures: list[EniSignature] = field(default_factory=list)
    filename: str | None = field(default=None, compare=False)
    mime_type: str | None = field(default=None, compare=False)
    #: While a file is read: a callable giving the ``enidoc:documento`` as
    #: received (the file's bytes, then the element's serialisations), made
    #: only if the index fingerprint is not that of the content.
    sent_forms: Callable[[], Iterable[bytes]] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass
class EniIndexEntry:
    """One DocumentoIndizado of the electronic index (NTI Expediente, annex II).

    ``fingerprint`` is ValorHuella as written in the file: the exporter writes
    the base64 digest of the document content; the importer also accepts a hex
    digest, of the content or of the whole ``enidoc:documento`` as sent.
    ``hash_function`` is FuncionResumen ("SHA-256" on export; SHA-1, SHA-384,
    SHA-512 in their usual spellings and the XML-DSig URIs are accepted).
    ``order`` is OrdenDocumentoExpediente (1..n, in index order);
    ``incorporation_date`` is FechaIncorporacionExpediente (optional in the
    schema). ``folder`` is the path of IdentificadorCarpeta values of the
    CarpetaIndizada folders that hold the entry, outermost first.
    """

    document_id: str
    fingerprint: str
    order: int
    hash_function: str = DEFAULT_HASH_FUNCTION
    incorporation_date: datetime | None = None
    folder: tuple[str, ...] = ()
    #: Set by the import's check: what the fingerprint was found to be the
    #: digest of (``digests.OVER_CONTENT`` or ``digests.OVER_DOCUMENT_XML``).
    fingerprint_basis: str | None = field(default=None, compare=False)

    def received_fingerprint(self) -> dict:
        """What the sender's index said of the document, as the portal keeps
        it beside its own SHA-256: the value and function as written, what
        matched (content or the whole XML) and whether the function is weak."""
        return {
            "fingerprint": self.fingerprint,
            "hash_function": self.hash_function,
            "hash_function_name": canonical_name(self.hash_function),
            "fingerprint_basis": self.fingerprint_basis,
            "weak_hash": is_weak(self.hash_function),
        }

    @classmethod
    def for_document(
        cls,
        document: EniDocument,
        order: int,
        incorporation_date: datetime | None = None,
        hash_function: str = DEFAULT_HASH_FUNCTION,
        folder: tuple[str, ...] = (),
    ) -> "EniIndexEntry":
        """The index entry of ``document``, with its fingerprint computed."""
        return cls(
            document_id=document.identifier,
            fingerprint=fingerprint(document.content, hash_function),
            order=order,
            hash_function=hash_function,
            incorporation_date=incorporation_date,
            folder=tuple(folder),
        )


@dataclass
class EniExpediente:
    """An electronic expediente: metadata, signed index and documents.

    Fields follow annex I of the NTI de Expediente electrónico: ``identifier``
    (Identificador), ``organos`` (Organo), ``opening_date``
    (FechaAperturaExpediente), ``classification`` (Clasificacion: the SIA code of
    the procedure, or ``<Órgano>_PRO_<ID>``), ``state`` (Estado E01..E03) and
    ``interesados`` (Interesado: NIF/NIE/CIF or DIR3 codes). The index
    (Ley 39/2015, art. 70.2; NTI annex II) is ``index_date``
    (FechaIndiceElectronico), ``index_entries`` in order and
    ``index_signatures`` (at least one, e.g. a TF01 CSV). ``documents`` hold the
    documents listed in the index.
    """

    identifier: str
    organos: list[str]
    opening_date: datetime
    classification: str
    index_date: datetime
    state: str = "E01"
    interesados: list[str] = field(default_factory=list)
    index_entries: list[EniIndexEntry] = field(default_factory=list)
    index_signatures: list[EniSignature] = field(default_factory=list)
    documents: list[EniDocument] = field(default_factory=list)


@dataclass
class SentDocument:
    """An ``enidoc:documento`` file sent beside a bare ``eniexp:expediente``:
    its bytes as sent, where it came from (``name``: a package entry, for
    readable problems) and the files its ``enifile:referenciaFichero`` names,
    by the reference as written (``files``: a package's separate contents)."""

    data: bytes
    name: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
