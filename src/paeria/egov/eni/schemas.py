"""Namespaces, the hardened XML parser and the official ENI v1.0 schemas.

The XSDs are those of annex II of the NTI de Documento electrónico
(BOE-A-2011-13169) and of the NTI de Expediente electrónico (BOE-A-2011-13170),
with the XML-Signature schema they import. They are not shipped with this
package: the directory holding them is given explicitly, by the environment
variable ``PAERIA_ENI_XSD_DIR``, or found as ``shared/eni/xsd`` beside the
checkout. Each schema is compiled once per process and then shared; validation
runs under a lock because an lxml validator keeps its error log on itself.

The NTI exchanges an expediente as its ``eniexp:expediente`` (index and
metadata) followed by its documents, one ``enidoc:documento`` each, in index
order; ``expedienteEni.xsd`` has no place for the documents. To carry all of it
in one XML file paeria.egov uses a thin envelope, ``intercambioExpediente`` in
the namespace :data:`ENVELOPE_NS`, whose schema is built here on top of the
official ones so that the whole file validates against them.
"""

from lxml import etree
from paeria.egov.eni.messages import reading as messages
from paeria.egov.eni.problems import problem
from pathlib import Path
import logging
import os
import threading


logger = logging.getLogger(__name__)

#: Environment variable naming the directory of the official ENI XSDs.
SCHEMA_DIR_ENV = "PAERIA_ENI_XSD_DIR"

_ENI = "http://administracionelectronica.gob.es/ENI/XSD/v1.0/"

#: Namespace of the paeria.egov exchange envelope (expediente + its documents).
ENVELOPE_NS = "urn:paeria-egov:eni:intercambio:1.0"
#: Local name of the envelope root element.
ENVELOPE_ROOT = "intercambioExpediente"

#: Prefixes and namespaces of the ENI v1.0 schemas (NTI annex II).
NS = {
    "enidoc": _ENI + "documento-e",
    "enidocmeta": _ENI + "documento-e/metadatos",
    "enifile": _ENI + "documento-e/contenido",
    "enids": _ENI + "firma",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "eniexp": _ENI + "expediente-e",
    "eniexpmeta": _ENI + "expediente-e/metadatos",
    "eniexpind": _ENI + "expediente-e/indice-e",
    "eniconexpind": _ENI + "expediente-e/indice-e/contenido",
    "paeriaeni": ENVELOPE_NS,
}

#: Schema kind -> main XSD file name (None: built in memory).
SCHEMA_FILES = {
    "documento": "documentoEni.xsd",
    "expediente": "expedienteEni.xsd",
    "intercambio": None,
}

#: Files that a usable schema directory must hold.
REQUIRED_FILES = (
    "documentoEni.xsd",
    "metadatosDocumentoEni.xsd",
    "contenidoDocumentoEni.xsd",
    "firmasEni.xsd",
    "xmldsig-core-schema.xsd",
    "expedienteEni.xsd",
    "MetadatosExpedienteEni.xsd",
    "IndiceExpedienteEni.xsd",
    "IndiceContenidoExpedienteEni.xsd",
)

_ENVELOPE_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:eniexp="{NS["eniexp"]}" xmlns:enidoc="{NS["enidoc"]}"
    targetNamespace="{ENVELOPE_NS}"
    elementFormDefault="qualified" attributeFormDefault="unqualified">
  <xsd:import namespace="{NS["eniexp"]}" schemaLocation="expedienteEni.xsd"/>
  <xsd:import namespace="{NS["enidoc"]}" schemaLocation="documentoEni.xsd"/>
  <xsd:element name="{ENVELOPE_ROOT}">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:element ref="eniexp:expediente"/>
        <xsd:element ref="enidoc:documento" minOccurs="0" maxOccurs="unbounded"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
</xsd:schema>
"""

#: At most this many schema errors are listed; the rest are counted.
MAX_LISTED_SCHEMA_ERRORS = 50


def qname(prefix: str, local: str) -> str:
    """Clark notation ``{namespace}local`` for a prefix of :data:`NS`."""
    return f"{{{NS[prefix]}}}{local}"


def secure_parser(huge_tree: bool = False) -> etree.XMLParser:
    """An lxml parser that neither loads DTDs nor resolves any entity.

    No network access, no DTD loading or validation, no entity substitution,
    and libxml2's default size and depth limits unless ``huge_tree``.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=huge_tree,
        remove_comments=True,
        remove_pis=True,
    )


def _usable(directory: Path) -> bool:
    return all((directory / name).is_file() for name in REQUIRED_FILES)


def find_schema_dir(schema_dir=None) -> Path | None:
    """The directory of the official ENI XSDs, or None when none is found.

    Looks at ``schema_dir`` when given, else at ``$PAERIA_ENI_XSD_DIR``, else at
    ``shared/eni/xsd`` beside the checkout (``../shared/eni/xsd`` seen from the
    repository) or beside the current directory. A directory given explicitly
    or through the environment that lacks the XSDs raises FileNotFoundError.
    """
    if schema_dir is None:
        schema_dir = os.environ.get(SCHEMA_DIR_ENV) or None
    if schema_dir is not None:
        directory = Path(schema_dir).expanduser().resolve()
        if not _usable(directory):
            missing = [n for n in REQUIRED_FILES if not (directory / n).is_file()]
            raise FileNotFoundError(
                f"ENI schema directory {directory} lacks {', '.join(missing)}"
            )
        return directory
    here = Path(__file__).resolve()
    for base in (*here.parents, Path.cwd()):
        candidate = base.parent / "shared" / "eni" / "xsd"
        if _usable(candidate):
            return candidate.resolve()
    return None


class CompiledSchema:
    """A compiled XMLSchema with a lock, shareable between threads."""

    def __init__(self, kind: str, directory: Path, schema: etree.XMLSchema):
        self.kind = kind
        self.directory = directory
        self.schema = schema
        self.label = SCHEMA_FILES[kind] or problem(messages.LABEL_ENVELOPE)
        self._lock = threading.Lock()

    def errors(self, tree) -> list[str]:
        """Readable validation errors of ``tree`` (an element or a tree)."""
        with self._lock:
            if self.schema.validate(tree):
                return []
            log = list(self.schema.error_log)
        # The validator's own words stay as they are; the frame is translated.
        problems = [
            problem(
                messages.SCHEMA_ERROR,
                schema=self.label,
                line=entry.line,
                error=entry.message,
            )
            for entry in log[:MAX_LISTED_SCHEMA_ERRORS]
        ]
        if len(log) > MAX_LISTED_SCHEMA_ERRORS:
            problems.append(
                problem(
                    messages.SCHEMA_MORE,
                    schema=self.label,
                    count=len(log) - MAX_LISTED_SCHEMA_ERRORS,
                )
            )
        return problems or [problem(messages.SCHEMA_FAILED, schema=self.label)]


_cache: dict[tuple[str, str], CompiledSchema] = {}
_cache_lock = threading.Lock()


def get_schema(kind: str, schema_dir=None) -> CompiledSchema | None:
    """The compiled schema of ``kind`` ("documento", "expediente" or
    "intercambio"), compiled on first use and cached per process; None when no
    schema directory is found.
    """
    if kind not in SCHEMA_FILES:
        raise ValueError(f"Unknown ENI schema {kind!r}")
    directory = find_schema_dir(schema_dir)
    if directory is None:
        return None
    key = (kind, str(directory))
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is None:
            compiled = CompiledSchema(kind, directory, _compile(kind, directory))
            _cache[key] = compiled
    return compiled


def _compile(kind: str, directory: Path) -> etree.XMLSchema:
    parser = secure_parser()
    file_name = SCHEMA_FILES[kind]
    if file_name is None:
        document = etree.fromstring(
            _ENVELOPE_XSD.encode("utf-8"),
            parser,
            base_url=str(directory / "paeria-intercambio.xsd"),
        )
    else:
        document = etree.parse(str(directory / file_name), parser)
    logger.debug("Compiling ENI schema %s from %s", kind, directory)
    return etree.XMLSchema(document)


def validate(tree, kind: str, schema_dir=None) -> list[str] | None:
    """Schema errors of ``tree`` against ``kind``; None when no XSDs are found."""
    compiled = get_schema(kind, schema_dir)
    if compiled is None:
        return None
    return compiled.errors(tree)
