"""Properties of the validators and the ENI parser, tried with hypothesis.

- A validator given anything (any text, odd Unicode, control characters, any
  Python value) either accepts it or raises InvalidIdentifier (InvalidText is
  one): never a TypeError, IndexError or UnicodeError that would reach the
  user as a 500.
- What a validator accepts is normalised once and for all: validating the
  result again gives the same result (idempotent), and the separators and
  case a person types (``12.345.678-z``) give the canonical form.
- The ENI parser given any bytes (random, XML-looking, or a valid file with
  bytes flipped) raises EniImportError or returns: never anything else.

Example counts stay small (the suite must stay fast); ``deadline=None``: the
machine is shared and a slow example is not a failure.
"""

from hypothesis import example
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.parse import parse_document
from paeria.egov.eni.parse import parse_expediente
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.codes import validate_sia
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.eni_ids import validate_eni_expediente_id
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.errors import InvalidText
from paeria.egov.validators.identifiers import IDENTIFIER_TYPES
from paeria.egov.validators.identifiers import NIF
from paeria.egov.validators.identifiers import validate_cif
from paeria.egov.validators.identifiers import validate_identifier
from paeria.egov.validators.identifiers import validate_nie
from paeria.egov.validators.identifiers import validate_nif
from paeria.egov.validators.identifiers import validate_passport
from paeria.egov.validators.text import has_control_chars
from paeria.egov.validators.text import validate_plain_text
from stdnum.es import dni as stdnum_dni
import unittest


SETTINGS = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

IDENTIFIER_VALIDATORS = {
    "nif": validate_nif,
    "nie": validate_nie,
    "cif": validate_cif,
    "passport": validate_passport,
    "dir3": validate_dir3,
    "sia": validate_sia,
    "eni_document_id": validate_eni_document_id,
    "eni_expediente_id": validate_eni_expediente_id,
}

# Text a person, a form or an attacker could send: any Unicode, with a bias to
# the characters identifiers are made of, separators, control characters and
# the Unicode that changes length when upper-cased (ß, ŉ) or looks like a digit.
TRICKY = (
    "0123456789XYZKLMABCDEFGHJNPQRSUVWxyzkl .-_\t\n\x00\x1f\x7fßŉİı٣０Ａ\u200b\ufeff"
)
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=TRICKY, max_size=40),
    st.from_regex(r"[0-9]{8}[A-Za-z]", fullmatch=True),
    st.from_regex(r"[XYZxyz][0-9]{7}[A-Z]", fullmatch=True),
    st.from_regex(r"[A-Z][0-9]{7}[0-9A-J]", fullmatch=True),
    st.from_regex(r"[LEAGIJ][A0-9]{8}", fullmatch=True),
    st.from_regex(
        r"ES_[A-Z][0-9A-Z]{8}_[0-9]{4}_(EXP_)?[A-Za-z0-9_]{1,32}", fullmatch=True
    ),
)
anything = st.one_of(
    texts,
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
)


class TestIdentifierValidators(unittest.TestCase):
    def check(self, validate, value):
        try:
            result = validate(value)
        except InvalidIdentifier as error:
            # The message renders (it is what the user reads).
            self.assertTrue(str(error))
            return None
        self.assertIsInstance(result, str)
        self.assertEqual(validate(result), result, f"{value!r} -> {result!r}")
        return result

    @SETTINGS
    @given(value=anything)
    @example(value="12.345.678-z")
    @example(value="١٢٣٤٥٦٧٨Z")  # Arabic-Indic digits: \d would take them
    @example(value="ß" * 9)
    @example(value="x\x00")
    def test_never_raise_anything_else_and_are_idempotent(self, value):
        # No subTest: hypothesis turns it off; the traceback names the
        # validator.
        for validate in IDENTIFIER_VALIDATORS.values():
            self.check(validate, value)

    @SETTINGS
    @given(
        kind=st.one_of(st.sampled_from(IDENTIFIER_TYPES), anything),
        value=anything,
    )
    def test_validate_identifier_of_any_kind(self, kind, value):
        self.check(lambda v: validate_identifier(kind, v), value)

    @SETTINGS
    @given(
        number=st.integers(min_value=0, max_value=99_999_999),
        separators=st.lists(
            st.sampled_from(["", " ", ".", "-"]), min_size=9, max_size=9
        ),
        lower=st.booleans(),
    )
    def test_valid_nif_as_typed_normalises_to_the_canonical_form(
        self, number, separators, lower
    ):
        digits = f"{number:08d}"
        canonical = digits + stdnum_dni.calc_check_digit(digits)
        typed = "".join(
            sep + char for sep, char in zip(separators, canonical, strict=True)
        )
        if lower:
            typed = typed.lower()
        self.assertEqual(validate_nif(typed), canonical)
        self.assertEqual(validate_identifier(NIF, typed), canonical)
        # Any other letter is refused.
        wrong = "A" if canonical[-1] != "A" else "B"
        with self.assertRaises(InvalidIdentifier):
            validate_nif(digits + wrong)


class TestPlainText(unittest.TestCase):
    @SETTINGS
    @given(
        text=st.one_of(st.text(max_size=60), anything),
        max_length=st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
    )
    def test_accepts_or_refuses_with_invalid_text(self, text, max_length):
        try:
            result = validate_plain_text(text, max_length)
        except InvalidText as error:
            self.assertTrue(str(error))
            return
        self.assertIs(result, text)
        self.assertFalse(has_control_chars(result))
        if max_length is not None:
            self.assertLessEqual(len(result), max_length)

    @SETTINGS
    @given(
        before=st.text(max_size=10),
        char=st.sampled_from([chr(c) for c in range(32) if c not in (9, 10, 13)]),
        after=st.text(max_size=10),
    )
    def test_control_characters_are_refused(self, before, char, after):
        with self.assertRaises(InvalidText):
            validate_plain_text(before + char + after, None)


# A small valid-looking ENI document to flip bytes in.
ENI_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<enidoc:documento xmlns:enidoc="http://administracionelectronica.gob.es/ENI/'
    b'XSD/v1.0/documento-e" xmlns:enidocmeta="http://administracionelectronica.'
    b'gob.es/ENI/XSD/v1.0/documento-e/metadatos" Id="DOC">'
    b"<enidocmeta:metadatos><enidocmeta:Identificador>ES_LA0012345_2026_DOC1"
    b"</enidocmeta:Identificador></enidocmeta:metadatos></enidoc:documento>"
)
xml_like = st.builds(
    lambda head, body, tail: head + body + tail,
    st.sampled_from(
        [
            b"",
            b'<?xml version="1.0"?>',
            b'<?xml version="1.0" encoding="UTF-16"?>',
            b"\xef\xbb\xbf",
            b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
        ]
    ),
    st.recursive(
        st.sampled_from([b"", b"text", b"&amp;", b"&e;", b"\x00", b"\xff\xfe"]),
        lambda children: st.builds(
            lambda tag, inner: b"<" + tag + b">" + b"".join(inner) + b"</" + tag + b">",
            st.sampled_from([b"a", b"enidoc:documento", b"eniexp:expediente", b"x:y"]),
            st.lists(children, max_size=3),
        ),
        max_leaves=10,
    ),
    st.sampled_from([b"", b"<", b"]]>", b"\x00"]),
)


def flipped(data, positions):
    out = bytearray(data)
    for position, value in positions:
        out[position % len(out)] = value
    return bytes(out)


class TestEniParser(unittest.TestCase):
    def parse(self, data):
        for parse in (parse_document, parse_expediente):
            try:
                parse(data, validate_schema=False)
            except EniImportError as error:
                self.assertTrue(error.problems)
                for problem in error.problems:
                    self.assertIsInstance(problem, str)

    @SETTINGS
    @given(data=st.binary(max_size=300))
    @example(data=b"")
    @example(data=b"\x00" * 10)
    @example(data="<a>ñ</a>".encode("latin-1"))
    def test_arbitrary_bytes(self, data):
        self.parse(data)

    @SETTINGS
    @given(data=xml_like)
    def test_xml_like_input(self, data):
        self.parse(data)

    @SETTINGS
    @given(
        positions=st.lists(
            st.tuples(st.integers(min_value=0), st.integers(0, 255)),
            min_size=1,
            max_size=4,
        )
    )
    def test_a_valid_file_with_bytes_flipped(self, positions):
        self.parse(flipped(ENI_DOCUMENT, positions))


class TestContentSniffing(unittest.TestCase):
    """security/sniff.py: what check_file should call (docs/security.md)."""

    def test_declared_types_are_checked_against_the_bytes(self):
        from paeria.egov.tests.base import pdf_bytes
        from paeria.egov.validators.sniff import content_mismatch

        accepted = (
            (pdf_bytes(), "application/pdf"),
            (b"\x89PNG\r\n\x1a\n....", "image/png"),
            (b"PK\x03\x04....", "application/vnd.oasis.opendocument.text"),
            ("Sol·licitud, 1\n".encode(), "text/csv"),
            (b'<?xml version="1.0"?><a/>', "application/xml; charset=utf-8"),
            (b"anything", "application/x-unknown"),
        )
        refused = (
            (b"MZ\x90\x00", "application/pdf"),
            (b"\x7fELF\x02", "text/plain"),
            (b"#!/bin/sh\nrm -rf /", "text/plain"),
            (b"GIF89a", "image/png"),
            (pdf_bytes(), "image/jpeg"),
            (b"a\x00b", "text/plain"),
            (b"\xff\xfe\xfd" + b"x" * 10, "text/csv"),
        )
        for data, content_type in accepted:
            with self.subTest(content_type=content_type, data=data[:8]):
                self.assertIsNone(content_mismatch(data, content_type))
        for data, content_type in refused:
            with self.subTest(content_type=content_type, data=data[:8]):
                self.assertIsNotNone(content_mismatch(data, content_type))

    @SETTINGS
    @given(data=st.binary(max_size=64), content_type=st.text(max_size=40))
    def test_never_raises(self, data, content_type):
        from paeria.egov.validators.sniff import content_mismatch

        content_mismatch(data, content_type)
