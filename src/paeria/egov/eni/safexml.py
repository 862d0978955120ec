"""Reading an ENI file safely: size, DOCTYPE and depth limits.

Files come from outside, so the XML is read defensively: a size limit, no
DOCTYPE at all (which refuses billion-laughs entity expansion and external
entities such as ``file:///etc/passwd`` before anything is expanded or
fetched), no network, no DTD, no entity resolution and a nesting depth limit.
Independent of Plone.
"""

from lxml import etree
from paeria.egov.eni.messages import reading as messages
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.problems import problem
import io
import re


#: Inputs up to this size are parsed with libxml2's default limits
#: (``huge_tree=False``); one text node of such an input cannot reach libxml2's
#: 10 MB text-node limit. Bigger inputs (documents with bigger content) are
#: parsed with ``huge_tree=True``: the size limit, the depth limit, the refusal
#: of any DOCTYPE and the absence of entity resolution still apply.
HUGE_TREE_THRESHOLD = 10_000_000

# Anything that may precede a DOCTYPE: BOM, XML declaration, comments, PIs.
_PROLOG_RE = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_EXTERNAL_ENTITY_RE = re.compile(
    rb"<!ENTITY\s+(?:%\s+)?([^\s>]+)\s+(?:SYSTEM|PUBLIC)\s+(?:\"[^\"]*\"\s+|'[^']*'\s+)?"
    rb"(\"[^\"]*\"|'[^']*')"
)
_ENTITY_RE = re.compile(rb"<!ENTITY\s")

_WIDE_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _ascii_head(data: bytes) -> bytes:
    """The start of ``data`` as UTF-8, for UTF-16/32 inputs (XML 1.0, annex F)."""
    for mark, codec in _WIDE_ENCODINGS:
        if data.startswith(mark):
            text = data[:1_000_000].decode(codec, "ignore").lstrip("\ufeff")
            return text.encode("utf-8")
    return data


def _doctype_problem(data: bytes) -> str | None:
    """Refuse a DOCTYPE in the prolog before libxml2 reads any declaration.

    Only the prolog is looked at (a DOCTYPE can be nowhere else); the parsed
    tree is checked again after parsing in any case.
    """
    head = _ascii_head(data)
    match = _PROLOG_RE.match(head)
    if not head[match.end() : match.end() + 9].startswith(b"<!DOCTYPE"):
        return None
    return _describe_doctype(head[match.end() :])


def _describe_doctype(text: bytes) -> str:
    message = problem(messages.DOCTYPE)
    subset = text[:65536]
    external = _EXTERNAL_ENTITY_RE.findall(subset)
    if external:
        shown = ", ".join(
            f"{name.decode('utf-8', 'replace')} -> "
            f"{uri.decode('utf-8', 'replace')[1:-1]}"
            for name, uri in external[:5]
        )
        return problem(messages.DOCTYPE_EXTERNAL, message=message, entities=shown)
    count = len(_ENTITY_RE.findall(subset))
    if count:
        if count == 1:
            return problem(messages.DOCTYPE_ENTITY, message=message)
        return problem(messages.DOCTYPE_ENTITIES, message=message, count=count)
    return message


def load_xml(data, what: str, max_size: int, max_depth: int):
    """Parse ``data`` safely; returns the root element or raises."""
    data = _checked_input(data, what, max_size)
    root = _parse_limited(data, what, max_depth)
    if root is None:
        raise EniImportError([problem(messages.NO_ELEMENT, what=what)])
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise EniImportError([_framed(what, _describe_doctype(b""))])
    return root


def _checked_input(data, what: str, max_size: int) -> bytes:
    """``data`` as bytes once it is known to be non-empty, within ``max_size``
    and without a DOCTYPE; raises otherwise."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"{what}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data or data.isspace():
        raise EniImportError([problem(messages.INPUT_EMPTY, what=what)])
    if len(data) > max_size:
        raise EniImportError(
            [
                problem(
                    messages.INPUT_TOO_LARGE, what=what, size=len(data), limit=max_size
                )
            ]
        )
    doctype = _doctype_problem(data)
    if doctype:
        raise EniImportError([_framed(what, doctype)])
    return data


def _parse_limited(data: bytes, what: str, max_depth: int):
    """The root element of ``data`` (None if it has none), parsed without
    entities, DTDs or network and refused past ``max_depth`` levels."""
    depth = 0
    root = None
    try:
        events = etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=len(data) > HUGE_TREE_THRESHOLD,
            remove_comments=True,
            remove_pis=True,
        )
        for event, element in events:
            if event == "start":
                depth += 1
                if depth > max_depth:
                    raise EniImportError([_depth_problem(what, max_depth)])
            else:
                depth -= 1
                root = element
    except etree.XMLSyntaxError as error:
        message = str(error)
        if "depth" in message.lower():
            raise EniImportError([_depth_problem(what, max_depth)])
        detail = getattr(error, "msg", None) or message
        # libxml2's own words stay as they are; the frame is translated.
        raise EniImportError(
            [problem(messages.NOT_WELL_FORMED, what=what, detail=detail)]
        )
    except etree.LxmlError as error:
        raise EniImportError(
            [problem(messages.UNREADABLE_XML, what=what, error=str(error))]
        )
    return root


def _depth_problem(what: str, max_depth: int) -> str:
    return problem(messages.TOO_DEEP, what=what, depth=max_depth)


def _framed(what, found) -> str:
    """``what: found``, a problem found in the file named ``what``."""
    return problem(messages.IN_FILE, what=what, problem=found)
