"""Tests for paeria.egov.validators (pure Python, no Plone layer).

Table-driven tests with real-looking values, plus hypothesis properties.  The
property tests check the check characters against small reference
implementations written here, independently of python-stdnum.
"""

from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from paeria.egov.validators.codes import ine_control_digit
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.codes import validate_sia
from paeria.egov.validators.eni_ids import validate_eni_document_id
from paeria.egov.validators.eni_ids import validate_eni_expediente_id
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.errors import InvalidText
from paeria.egov.validators.errors import render_message
from paeria.egov.validators.identifiers import CIF
from paeria.egov.validators.identifiers import guess_identifier_type
from paeria.egov.validators.identifiers import IDENTIFIER_TYPES
from paeria.egov.validators.identifiers import NIE
from paeria.egov.validators.identifiers import NIF
from paeria.egov.validators.identifiers import PASAPORTE
from paeria.egov.validators.identifiers import validate_cif
from paeria.egov.validators.identifiers import validate_identifier
from paeria.egov.validators.identifiers import validate_nie
from paeria.egov.validators.identifiers import validate_nif
from paeria.egov.validators.identifiers import validate_passport
from paeria.egov.validators.text import has_control_chars
from paeria.egov.validators.text import validate_plain_text
from zope.i18nmessageid import Message
from zope.interface import Invalid
import importlib
import string
import unittest


# The validators' modules and the names each of them offers.
PUBLIC_NAMES = {
    "errors": ("InvalidIdentifier", "InvalidText", "render_message"),
    "identifiers": (
        "CIF",
        "IDENTIFIER_TYPES",
        "NIE",
        "NIF",
        "PASAPORTE",
        "PASSPORT_MAX_LENGTH",
        "PASSPORT_MIN_LENGTH",
        "guess_identifier_type",
        "validate_cif",
        "validate_identifier",
        "validate_nie",
        "validate_nif",
        "validate_passport",
    ),
    "codes": (
        "DIR3_LENGTH",
        "SIA_MAX_LENGTH",
        "ine_control_digit",
        "validate_dir3",
        "validate_sia",
    ),
    "eni_ids": (
        "ENI_SPECIFIC_ID_MAX_LENGTH",
        "validate_eni_document_id",
        "validate_eni_expediente_id",
    ),
    "text": ("has_control_chars", "validate_plain_text"),
}
VALIDATOR_MODULES = {
    name: importlib.import_module(f"paeria.egov.validators.{name}")
    for name in PUBLIC_NAMES
}

# No example database: the tests run inside a shared checkout.
PROPERTY = settings(max_examples=300, deadline=None, database=None)

# Independent reference implementations for the property tests.
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_letter(number):
    return DNI_LETTERS[number % 23]


def cif_controls(seven_digits):
    """(digit, letter) control of a CIF body, the classic hand algorithm."""
    even = sum(int(d) for d in seven_digits[1::2])
    odd = sum(sum(divmod(2 * int(d), 10)) for d in seven_digits[0::2])
    digit = (10 - (even + odd) % 10) % 10
    return str(digit), "JABCDEFGHI"[digit]


def fullwidth(char):
    """The full-width form of an ASCII digit or letter ("1" -> "１")."""
    return chr(ord(char) + 0xFEE0)


OVERLONG = "1" * 10_000


class MessageAssertions:
    """Checks shared by all tables: the error is well-formed and readable."""

    def assertInvalid(self, func, value, *fragments, kind_word=None, error=None):
        error_class = error or InvalidIdentifier
        with self.assertRaises(error_class) as caught:
            func(value)
        exc = caught.exception
        self.assertIsInstance(exc, Invalid)
        message = exc.args[0]
        self.assertIsInstance(message, Message)
        self.assertEqual(message.domain, "paeria.egov")
        self.assertTrue(message.startswith("error_"), message)
        self.assertTrue(message.default)
        text = str(exc)
        self.assertEqual(text, render_message(message))
        self.assertNotIn("${", text)
        # Flat mappings of strings: zope.i18n can interpolate them without a
        # translation catalog.
        for variable in (message.mapping or {}).values():
            self.assertIs(type(variable), str)
        if kind_word is not None:
            self.assertIn(kind_word, text)
        for fragment in fragments:
            self.assertIn(fragment, text)
        return exc

    def run_valid_table(self, func, table):
        for value, expected in table:
            with self.subTest(value=value):
                self.assertEqual(func(value), expected)

    def run_invalid_table(self, func, table, kind_word):
        for value, *fragments in table:
            with self.subTest(value=value if len(repr(value)) < 80 else "<long>"):
                self.assertInvalid(func, value, *fragments, kind_word=kind_word)


# Invalid inputs every identifier validator must refuse (fragment of message).
COMMON_INVALID = [
    ("", "empty"),
    ("   ", "empty"),
    (" - . ", "empty"),
    (None, "empty"),
    (12345678, "must be text"),
    (b"12345678Z", "must be text"),
    (["12345678Z"], "must be text"),
]


class TestNIF(MessageAssertions, unittest.TestCase):
    VALID = [
        ("12345678Z", "12345678Z"),
        ("12345678z", "12345678Z"),
        (" 12345678Z ", "12345678Z"),
        ("12345678-Z", "12345678Z"),
        ("12.345.678-Z", "12345678Z"),
        ("1234 5678 z", "12345678Z"),
        ("12345678Z\n", "12345678Z"),
        ("00000000T", "00000000T"),
        ("99999999R", "99999999R"),
        ("54362315K", "54362315K"),
        ("K1234567L", "K1234567L"),
        ("l1234567l", "L1234567L"),
        ("M-1234567-L", "M1234567L"),
    ]
    INVALID = [
        *COMMON_INVALID,
        ("12345678A", "check letter is wrong", "expected Z"),
        ("00000000A", "expected T"),
        ("K1234567A", "expected L"),
        ("1234567Z", "wrong format"),
        ("123456789Z", "wrong format"),
        ("12345678", "wrong format"),
        ("123456789", "wrong format"),
        ("Z12345678", "wrong format"),
        ("X1234567L", "wrong format"),
        ("B64717838", "wrong format"),
        ("K12345678", "wrong format"),
        (OVERLONG + "Z", "wrong format"),
        ("１２３４５６７８Z", "U+FF11"),
        ("1234567８Z", "U+FF18"),
        ("١٢٣٤٥٦٧٨Z", "U+0661"),
        ("12345678Ñ", "U+00D1"),
        ("12345678/Z", '"/"'),
        ("12345678_Z", '"_"'),
        ("12345678\x00Z", "U+0000"),
        ("12345678\u00a0Z", "U+00A0"),
    ]

    def test_valid(self):
        self.run_valid_table(validate_nif, self.VALID)

    def test_invalid(self):
        self.run_invalid_table(validate_nif, self.INVALID, "NIF")

    def test_message_example_from_the_specification(self):
        exc = self.assertInvalid(validate_nif, "12345678A")
        self.assertEqual(str(exc), "The NIF check letter is wrong: expected Z.")
        self.assertEqual(exc.args[0].mapping, {"expected": "Z"})
        self.assertEqual(exc.kind, NIF)

    @PROPERTY
    @given(st.integers(0, 99_999_999))
    def test_generated_dni_validates(self, number):
        nif = f"{number:08d}{dni_letter(number)}"
        self.assertEqual(validate_nif(nif), nif)
        self.assertEqual(validate_nif(nif.lower()), nif)
        self.assertEqual(
            validate_nif(f" {nif[:2]}.{nif[2:5]}.{nif[5:8]}-{nif[8]} "), nif
        )

    @PROPERTY
    @given(st.sampled_from("KLM"), st.integers(0, 9_999_999))
    def test_generated_klm_nif_validates(self, prefix, number):
        nif = f"{prefix}{number:07d}{dni_letter(number)}"
        self.assertEqual(validate_nif(nif), nif)

    @PROPERTY
    @given(st.integers(0, 99_999_999), st.sampled_from(string.ascii_uppercase))
    def test_changing_the_letter_always_fails(self, number, letter):
        assume(letter != dni_letter(number))
        self.assertInvalid(
            validate_nif, f"{number:08d}{letter}", f"expected {dni_letter(number)}"
        )

    @PROPERTY
    @given(st.integers(0, 99_999_999), st.data())
    def test_unicode_digits_are_refused(self, number, data):
        nif = f"{number:08d}{dni_letter(number)}"
        position = data.draw(st.integers(0, 7))
        other = data.draw(
            st.sampled_from([fullwidth, lambda d: chr(ord(d) - ord("0") + 0x0660)])
        )
        spoofed = nif[:position] + other(nif[position]) + nif[position + 1 :]
        self.assertInvalid(validate_nif, spoofed, "not allowed")


class TestNIE(MessageAssertions, unittest.TestCase):
    VALID = [
        ("X1234567L", "X1234567L"),
        ("x-1234567-l", "X1234567L"),
        (" X 1234567 L ", "X1234567L"),
        ("Y1234567X", "Y1234567X"),
        ("Z1234567R", "Z1234567R"),
        ("X5253868R", "X5253868R"),
        ("Y0000000Z", "Y0000000Z"),
    ]
    INVALID = [
        *COMMON_INVALID,
        ("X1234567A", "check letter is wrong", "expected L"),
        ("Y1234567L", "expected X"),
        ("X123456L", "wrong format"),
        ("X12345678L", "wrong format"),
        ("W1234567L", "wrong format"),
        ("12345678Z", "wrong format"),
        ("K1234567L", "wrong format"),
        ("X1234567", "wrong format"),
        ("X" + OVERLONG + "L", "wrong format"),
        ("X１234567L", "U+FF11"),
        ("X1234567Ł", "U+0141"),
    ]

    def test_valid(self):
        self.run_valid_table(validate_nie, self.VALID)

    def test_invalid(self):
        self.run_invalid_table(validate_nie, self.INVALID, "NIE")

    @PROPERTY
    @given(st.sampled_from("XYZ"), st.integers(0, 9_999_999))
    def test_generated_nie_validates(self, prefix, number):
        nie = f"{prefix}{number:07d}"
        nie += dni_letter(int(str("XYZ".index(prefix)) + nie[1:]))
        self.assertEqual(validate_nie(nie), nie)
        self.assertEqual(validate_nie(nie.lower()), nie)

    @PROPERTY
    @given(
        st.sampled_from("XYZ"),
        st.integers(0, 9_999_999),
        st.sampled_from(string.ascii_uppercase),
    )
    def test_changing_the_letter_always_fails(self, prefix, number, letter):
        right = dni_letter(int(str("XYZ".index(prefix)) + f"{number:07d}"))
        assume(letter != right)
        self.assertInvalid(validate_nie, f"{prefix}{number:07d}{letter}", "expected")


class TestCIF(MessageAssertions, unittest.TestCase):
    VALID = [
        ("P2515100B", "P2515100B"),  # Ajuntament de Lleida (la Paeria)
        ("P0801900B", "P0801900B"),  # Ajuntament de Barcelona
        ("P2807900B", "P2807900B"),  # Ayuntamiento de Madrid
        ("P0106800F", "P0106800F"),  # Ayuntamiento de Vitoria-Gasteiz
        ("Q2826000H", "Q2826000H"),  # Agencia Estatal de Administración Tributaria
        ("S0811001G", "S0811001G"),  # Generalitat de Catalunya
        ("A28015865", "A28015865"),
        ("B64717838", "B64717838"),
        ("b-64717838", "B64717838"),
        (" B 6471 7838 ", "B64717838"),
        ("G28667152", "G28667152"),
        ("G2866715B", "G2866715B"),  # G takes a digit or a letter
        ("J99216582", "J99216582"),
        ("J9921658B", "J9921658B"),
        ("N0012345E", "N0012345E"),
        ("W0012345E", "W0012345E"),
        ("G0012345E", "G0012345E"),  # province 00: non-resident, letter
    ]
    INVALID = [
        *COMMON_INVALID,
        ("P25151002", "must be a letter", "expected B"),
        ("P2515100C", "control letter is wrong", "expected B"),
        ("Q28260008", "must be a letter", "expected H"),
        ("N00123455", "must be a letter", "expected E"),
        ("G00123455", "must be a letter", "expected E"),
        ("A2801586E", "must be a digit", "expected 5"),
        ("A28015866", "control digit is wrong", "expected 5"),
        ("B64717839", "control digit is wrong", "expected 8"),
        ("J99216583", "expected 2 or B"),
        ("J9921658C", "expected 2 or B"),
        ("I2515100B", "entity letter I does not exist"),
        ("O2515100B", "entity letter O does not exist"),
        ("K1234567L", "entity letter K does not exist"),
        ("X1234567L", "entity letter X does not exist"),
        ("12345678Z", "wrong format"),
        ("P251510B", "wrong format"),
        ("P251510000B", "wrong format"),
        ("PP515100B", "wrong format"),
        ("P" + OVERLONG, "wrong format"),
        ("P２515100B", "U+FF12"),
        ("P2515100B!", '"!"'),
    ]

    def test_valid(self):
        self.run_valid_table(validate_cif, self.VALID)

    def test_invalid(self):
        self.run_invalid_table(validate_cif, self.INVALID, "CIF")

    @PROPERTY
    @given(st.sampled_from("ABCDEFGHJNPQRSUVW"), st.integers(1_000_000, 9_999_999))
    def test_generated_cif_validates_with_the_right_control_kind(self, entity, n):
        body = f"{n:07d}"
        digit, letter = cif_controls(body)
        if entity in "NPQRSW":
            accepted = {letter}
        elif entity in "ABEH":
            accepted = {digit}
        else:
            accepted = {digit, letter}
        for control in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            cif = entity + body + control
            if control in accepted:
                self.assertEqual(validate_cif(cif), cif)
                self.assertEqual(guess_identifier_type(cif), CIF)
            else:
                self.assertInvalid(validate_cif, cif, "expected", kind_word="CIF")


class TestPassport(MessageAssertions, unittest.TestCase):
    VALID = [
        ("PAB123456", "PAB123456"),
        ("aaa123456", "AAA123456"),
        ("AB 12345", "AB12345"),
        ("12345", "12345"),
        ("C01X00T47", "C01X00T47"),
        ("X" * 20, "X" * 20),
        ("12345678Z", "12345678Z"),
    ]
    INVALID = [
        *COMMON_INVALID,
        ("1234", "5 to 20", "has 4"),
        ("AB-12", "has 4"),
        ("A" * 21, "has 21"),
        (OVERLONG, "has 10000"),
        ("ÄB12345", "U+00C4"),
        ("１２３４５", "U+FF11"),
        ("AB_12345", '"_"'),
        ("AB/12345", '"/"'),
        ("AB12345\t6", "U+0009"),
    ]

    def test_valid(self):
        self.run_valid_table(validate_passport, self.VALID)

    def test_invalid(self):
        self.run_invalid_table(validate_passport, self.INVALID, "passport number")

    def test_upper_casing_never_changes_the_length(self):
        # "ß".upper() is "SS": such characters must be refused, not expanded.
        self.assertInvalid(validate_passport, "ABCDß", "U+00DF")
        self.assertInvalid(validate_passport, "ﬁABCD", "U+FB01")


class TestValidateIdentifier(MessageAssertions, unittest.TestCase):
    def test_constants(self):
        self.assertEqual(IDENTIFIER_TYPES, ("NIF", "NIE", "CIF", "PASAPORTE"))
        self.assertEqual((NIF, NIE, CIF, PASAPORTE), IDENTIFIER_TYPES)

    def test_dispatch(self):
        table = [
            (NIF, "12345678z", "12345678Z"),
            (NIE, "x1234567l", "X1234567L"),
            (CIF, "p2515100b", "P2515100B"),
            (PASAPORTE, "pab 123456", "PAB123456"),
        ]
        for kind, value, expected in table:
            with self.subTest(kind=kind):
                self.assertEqual(validate_identifier(kind, value), expected)

    def test_dispatch_uses_the_kind_rules(self):
        table = [
            (NIF, "X1234567L", "NIF"),
            (NIE, "12345678Z", "NIE"),
            (CIF, "12345678Z", "CIF"),
            (NIF, "12345678A", "NIF"),
            (PASAPORTE, "1234", "passport number"),
        ]
        for kind, value, word in table:
            with self.subTest(kind=kind, value=value):
                self.assertInvalid(
                    lambda v, kind=kind: validate_identifier(kind, v), value, word
                )

    def test_unknown_kind(self):
        for kind in ("DNI", "nif", "", None, 1, "PASSPORT", "X" * 500):
            with self.subTest(kind=kind):
                exc = self.assertInvalid(
                    lambda v, kind=kind: validate_identifier(kind, v),
                    "12345678Z",
                    "Unknown identifier type",
                )
                self.assertLess(len(str(exc)), 200)


class TestGuessIdentifierType(unittest.TestCase):
    TABLE = [
        ("12345678Z", NIF),
        ("12345678A", NIF),  # NIF shape, wrong letter: validation says why
        ("12.345.678-z", NIF),
        ("k1234567l", NIF),
        ("X1234567L", NIE),
        ("z-1234567-r", NIE),
        ("B64717838", CIF),
        ("P2515100B", CIF),
        ("P25151002", CIF),
        ("PAB123456", PASAPORTE),
        ("I2515100B", PASAPORTE),
        ("12345", PASAPORTE),
        ("1234", None),
        ("A" * 21, None),
        ("", None),
        ("   ", None),
        (None, None),
        (12345678, None),
        ("12345678/Z", None),
        ("１２３４５６７８Z", None),
        ("ES_L01251207_2024_1", None),
    ]

    def test_table(self):
        for value, expected in self.TABLE:
            with self.subTest(value=value):
                self.assertEqual(guess_identifier_type(value), expected)

    @PROPERTY
    @given(st.one_of(st.text(), st.none(), st.integers(), st.binary()))
    def test_never_raises_and_is_consistent_with_validation(self, value):
        kind = guess_identifier_type(value)
        self.assertIn(kind, (*IDENTIFIER_TYPES, None))
        if kind is None:
            with self.assertRaises(InvalidIdentifier):
                validate_passport(value)
        for candidate in (NIF, NIE, CIF):
            try:
                validate_identifier(candidate, value)
            except InvalidIdentifier:
                continue
            self.assertEqual(kind, candidate)

    @PROPERTY
    @given(st.integers(0, 99_999_999))
    def test_valid_nif_is_guessed(self, number):
        self.assertEqual(
            guess_identifier_type(f"{number:08d}{dni_letter(number)}"), NIF
        )


class TestDIR3(MessageAssertions, unittest.TestCase):
    VALID = [
        ("L01251207", "L01251207"),  # Ajuntament de Lleida
        ("l01251207", "L01251207"),
        (" L01251207 ", "L01251207"),
        ("L01080193", "L01080193"),  # Ajuntament de Barcelona
        ("L01280796", "L01280796"),  # Ayuntamiento de Madrid
        ("L01462508", "L01462508"),  # Ajuntament de València
        ("L01010590", "L01010590"),  # Ayuntamiento de Vitoria-Gasteiz
        ("L01480209", "L01480209"),  # Ayuntamiento de Bilbao
        ("L02000025", "L02000025"),  # Diputació de Lleida
        ("LA0000000", "LA0000000"),
        ("LA0002878", "LA0002878"),
        ("E00003801", "E00003801"),
        ("EA0003026", "EA0003026"),
        ("A09002970", "A09002970"),
    ]
    INVALID = [
        ("", "empty"),
        ("  ", "empty"),
        (None, "empty"),
        (251207, "must be text"),
        ("L01251206", "INE control digit is wrong", "expected 7"),
        ("L01080196", "expected 3"),
        ("L01280799", "expected 6"),
        ("L01991207", "province code 99"),
        ("L01001207", "province code 00"),
        ("L01A51207", "municipality"),
        ("L0125120X", "municipality"),
        ("L0125120", "9 characters", "has 8"),
        ("L012512070", "has 10"),
        ("L", "has 1"),
        ("L" + OVERLONG, "has 10001"),
        ("101251207", "start with a letter"),
        ("L01 251207", "U+0020"),
        ("L01-251207", '"-"'),
        ("L01_251207", '"_"'),
        ("L０1251207", "U+FF10"),
        ("É00003801", "U+00C9"),
    ]

    def test_valid(self):
        self.run_valid_table(validate_dir3, self.VALID)

    def test_invalid(self):
        self.run_invalid_table(validate_dir3, self.INVALID, "DIR3 code")

    def test_ine_control_digit(self):
        # Checked against the municipalities' published DIR3 codes.
        table = [
            ("25120", "7"),  # Lleida, L01251207
            ("08019", "3"),  # Barcelona, L01080193
            ("28079", "6"),  # Madrid, L01280796
            ("46250", "8"),  # València, L01462508
            ("01059", "0"),  # Vitoria-Gasteiz, L01010590
            ("48020", "9"),  # Bilbao, L01480209
            ("35016", "7"),  # Las Palmas de Gran Canaria, L01350167
            ("41091", "7"),  # Sevilla, L01410917
        ]
        for code, digit in table:
            with self.subTest(code=code):
                self.assertEqual(ine_control_digit(code), digit)

    def test_ine_control_digit_refuses_bad_input(self):
        for code in ("2512", "251200", "2512X", "２５１２０", None, 25120):
            with self.subTest(code=code), self.assertRaises(ValueError):
                ine_control_digit(code)

    @PROPERTY
    @given(st.integers(1, 52), st.integers(0, 999), st.integers(0, 9))
    def test_municipality_codes(self, province, municipality, digit):
        ine = f"{province:02d}{municipality:03d}"
        code = f"L01{ine}{digit}"
        if str(digit) == ine_control_digit(ine):
            self.assertEqual(validate_dir3(code), code)
            self.assertEqual(validate_dir3(code.lower()), code)
        else:
            self.assertInvalid(
                validate_dir3, code, f"expected {ine_control_digit(ine)}"
            )

    @PROPERTY
    # Anything but a municipality (L01…), whose INE control digit is checked above.
    @given(
        st.from_regex(
            r"[A-KM-Z][0-9A-Z]{8}|L(?:[1-9A-Z][0-9A-Z]|0[02-9A-Z])[0-9A-Z]{6}",
            fullmatch=True,
        )
    )
    def test_other_bodies_only_need_the_shape(self, code):
        self.assertEqual(validate_dir3(code), code)


class TestSIA(MessageAssertions, unittest.TestCase):
    VALID = [
        ("2070601", "2070601"),
        ("998765", "998765"),
        (" 2070601 ", "2070601"),
        ("1", "1"),
        ("12345678", "12345678"),
        ("00001234", "00001234"),
    ]
    INVALID = [
        ("", "empty"),
        (" ", "empty"),
        (None, "empty"),
        (2070601, "must be text"),
        ("123456789", "at most 8 digits", "has 9"),
        (OVERLONG, "has 10000"),
        ("１２３", "U+FF11"),
        ("٢٠٧٠٦٠١", "U+0662"),
        ("207-0601", '"-"'),
        ("207 0601", "U+0020"),
        ("A2070601", '"A"'),
        ("2070601.0", '"."'),
        ("-1", '"-"'),
        ("+1", '"+"'),
        ("1e3", '"e"'),
    ]

    def test_valid(self):
        self.run_valid_table(validate_sia, self.VALID)

    def test_invalid(self):
        self.run_invalid_table(validate_sia, self.INVALID, "SIA code")

    @PROPERTY
    @given(st.from_regex(r"[0-9]{1,8}", fullmatch=True))
    def test_digit_strings_validate(self, code):
        self.assertEqual(validate_sia(code), code)


class TestENIIdentifiers(MessageAssertions, unittest.TestCase):
    DOCUMENT_VALID = [
        ("ES_L01251207_2024_REG000123", "ES_L01251207_2024_REG000123"),
        ("  ES_L01251207_2024_1\n", "ES_L01251207_2024_1"),
        ("ES_E00003801_2023_abc_DEF_123", "ES_E00003801_2023_abc_DEF_123"),
        ("ES_EA0003026_2019_" + "0" * 29 + "1", "ES_EA0003026_2019_" + "0" * 29 + "1"),
        ("ES_L01251207_2024_" + "A" * 30, "ES_L01251207_2024_" + "A" * 30),
        ("ES_L01251207_2024_EXPEDIENTE1", "ES_L01251207_2024_EXPEDIENTE1"),
    ]
    DOCUMENT_INVALID = [
        ("", "empty"),
        (None, "empty"),
        (42, "must be text"),
        ("ES_L01251207_2024_" + "A" * 31, "at most 30", "has 31"),
        ("ES_L01251207_2024_" + OVERLONG, "has 10000"),
        ("es_L01251207_2024_X", "wrong format"),
        ("ES-L01251207-2024-X", "wrong format"),
        ("ES_l01251207_2024_X", "wrong format"),
        ("ES_L0125120_2024_X", "wrong format"),
        ("ES_L01251207_2024", "wrong format"),
        ("L01251207_2024_X", "wrong format"),
        ("ES__2024_X", "wrong format"),
        ("ES_L01251208_2024_X", "L01251208", "INE control digit", "expected 7"),
        ("ES_L01991207_2024_X", "L01991207 in the", "not a valid DIR3 code"),
        ("ES_L01251207_24_X", "year", "4 digits"),
        ("ES_L01251207_20245_X", "4 digits"),
        ("ES_L01251207_２０２４_X", "4 digits"),
        ("ES_L01251207_2024_", "no specific id"),
        ("ES_L01251207_2024_ABC-1", '"-"'),
        ("ES_L01251207_2024_ABC 1", "U+0020"),
        ("ES_L01251207_2024_ÑU", "U+00D1"),
        ("ES_L01251207_2024_１", "U+FF11"),
        ("ES_L01251207_2024_EXP_000123", "expediente identifier"),
    ]
    EXPEDIENTE_VALID = [
        ("ES_L01251207_2024_EXP_000123", "ES_L01251207_2024_EXP_000123"),
        (" ES_L01251207_2024_EXP_abc_1 ", "ES_L01251207_2024_EXP_abc_1"),
        ("ES_A09002970_2020_EXP_" + "z" * 30, "ES_A09002970_2020_EXP_" + "z" * 30),
    ]
    EXPEDIENTE_INVALID = [
        ("", "empty"),
        (None, "empty"),
        ("ES_L01251207_2024_000123", "must have EXP_"),
        ("ES_L01251207_2024_exp_000123", "must have EXP_"),
        ("ES_L01251207_2024_EXP_", "no specific id"),
        ("ES_L01251207_2024_EXP_" + "x" * 31, "at most 30", "has 31"),
        ("ES_L01251207_2024_EXP_a.b", '"."'),
        ("ES_L01251206_2024_EXP_1", "L01251206", "expected 7"),
        ("ES_L01A51207_2024_EXP_1", "L01A51207", "not a valid DIR3 code"),
        ("ES_L01251207_YYYY_EXP_1", "4 digits"),
        ("ES_L01251207_EXP_1", "4 digits"),
        ("EXP_L01251207_2024_1", "wrong format"),
    ]

    def test_document_valid(self):
        self.run_valid_table(validate_eni_document_id, self.DOCUMENT_VALID)

    def test_document_invalid(self):
        self.run_invalid_table(
            validate_eni_document_id, self.DOCUMENT_INVALID, "ENI document identifier"
        )

    def test_expediente_valid(self):
        self.run_valid_table(validate_eni_expediente_id, self.EXPEDIENTE_VALID)

    def test_expediente_invalid(self):
        self.run_invalid_table(
            validate_eni_expediente_id,
            self.EXPEDIENTE_INVALID,
            "ENI expediente identifier",
        )

    def test_body_error_is_flat_and_chains_the_dir3_error(self):
        exc = self.assertInvalid(validate_eni_document_id, "ES_L01251208_2024_X")
        self.assertEqual(exc.args[0].mapping, {"code": "L01251208", "expected": "7"})
        self.assertEqual(exc.kind, "ENI document identifier")
        self.assertIsInstance(exc.__cause__, InvalidIdentifier)
        self.assertEqual(exc.__cause__.kind, "DIR3")

    @PROPERTY
    @given(
        st.from_regex(
            r"ES_L01251207_[0-9]{4}_(EXP_)?[A-Za-z0-9_]{0,34}", fullmatch=True
        )
    )
    def test_regex_equivalence(self, value):
        # Document: ES_<DIR3>_<AAAA>_<1-30 of [A-Za-z0-9_]> not starting EXP_;
        # expediente: ES_<DIR3>_<AAAA>_EXP_<1-30 of [A-Za-z0-9_]>.
        rest = value[len("ES_L01251207_2024_") :]
        is_expediente = rest.startswith("EXP_")
        specific = rest[4:] if is_expediente else rest
        well_formed = 1 <= len(specific) <= 30
        for func, wanted in (
            (validate_eni_document_id, not is_expediente),
            (validate_eni_expediente_id, is_expediente),
        ):
            if wanted and well_formed:
                self.assertEqual(func(value), value)
            else:
                with self.assertRaises(InvalidIdentifier):
                    func(value)


class TestPlainText(MessageAssertions, unittest.TestCase):
    VALID = [
        ("", 0),
        ("", 10),
        ("Sol·licitud d'ajut", 100),
        ("línia 1\nlínia 2\r\n\tfinal", 100),
        ("x" * 100, 100),
        ("x" * 100_000, None),
        ("DEL \x7f and C1 \x85 are not C0", 100),
        ("emoji 🏛️ i accents àéíóú", 100),
    ]
    INVALID = [
        (("a\x00b", 10), "control character U+0000 at position 2"),
        (("\x07", 10), "U+0007", "position 1"),
        (("\x1b[31mred", 20), "U+001B"),
        (("tab\x0bvertical", 20), "U+000B"),
        (("form\x0cfeed", 20), "U+000C"),
        (("unit\x1fsep", 20), "U+001F"),
        (("x" * 101, 100), "too long", "101 characters", "at most 100"),
        (("abc", 0), "too long"),
        ((None, 10), "must be text"),
        ((b"bytes", 10), "must be text"),
    ]

    def test_valid(self):
        for text, max_length in self.VALID:
            with self.subTest(text=text[:40], max_length=max_length):
                self.assertIs(validate_plain_text(text, max_length), text)

    def test_invalid(self):
        for (text, max_length), *fragments in self.INVALID:
            with self.subTest(text=text if text is None else text[:40]):
                exc = self.assertInvalid(
                    lambda t, m=max_length: validate_plain_text(t, m),
                    text,
                    *fragments,
                    kind_word="text",
                    error=InvalidText,
                )
                self.assertIsInstance(exc, InvalidIdentifier)

    def test_has_control_chars(self):
        table = [
            ("", False),
            ("plain", False),
            ("\t\n\r", False),
            ("\x7f", False),
            ("\x85", False),
            ("\u2028", False),
            ("\x00", True),
            ("a\x01", True),
            ("\x08", True),
            ("\x0b", True),
            ("\x0e", True),
            ("\x1f", True),
        ]
        for text, expected in table:
            with self.subTest(text=text):
                self.assertIs(has_control_chars(text), expected)

    def test_bad_arguments_are_programming_errors(self):
        with self.assertRaises(TypeError):
            has_control_chars(None)
        with self.assertRaises(ValueError):
            validate_plain_text("x", -1)
        with self.assertRaises(TypeError):
            validate_plain_text("x", "10")
        with self.assertRaises(TypeError):
            validate_plain_text("x", True)

    @PROPERTY
    @given(
        st.text(
            st.characters(
                blacklist_categories=("Cs",),
                blacklist_characters=[
                    chr(c) for c in range(32) if chr(c) not in "\t\n\r"
                ],
            )
        ),
        st.integers(0, 50),
    )
    def test_clean_text_within_the_limit_passes(self, text, max_length):
        self.assertFalse(has_control_chars(text))
        if len(text) <= max_length:
            self.assertEqual(validate_plain_text(text, max_length), text)
        else:
            self.assertInvalid(
                lambda t: validate_plain_text(t, max_length), text, "too long"
            )

    @PROPERTY
    @given(st.text(max_size=50), st.data())
    def test_inserting_a_control_char_fails(self, text, data):
        control = data.draw(
            st.sampled_from([chr(c) for c in range(32) if chr(c) not in "\t\n\r"])
        )
        position = data.draw(st.integers(0, len(text)))
        dirty = text[:position] + control + text[position:]
        self.assertTrue(has_control_chars(dirty))
        with self.assertRaises(InvalidText):
            validate_plain_text(dirty, None)


ALL_VALIDATORS = [
    validate_nif,
    validate_nie,
    validate_cif,
    validate_passport,
    validate_dir3,
    validate_sia,
    validate_eni_document_id,
    validate_eni_expediente_id,
    lambda value: validate_identifier(NIF, value),
    lambda value: validate_plain_text(value, 20),
]

ANYTHING = st.one_of(
    st.text(),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRSTVWXYZ _-.ES", max_size=40),
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(),
    st.lists(st.text(), max_size=3),
)


class TestProperties(unittest.TestCase):
    @PROPERTY
    @given(ANYTHING)
    def test_anything_returns_a_string_or_raises_invalid_identifier(self, value):
        for func in ALL_VALIDATORS:
            try:
                result = func(value)
            except InvalidIdentifier as exc:
                self.assertIsInstance(exc.args[0], Message)
                self.assertNotIn("${", str(exc))
                for variable in (exc.args[0].mapping or {}).values():
                    self.assertIs(type(variable), str)
            else:
                self.assertIsInstance(result, str)
                # Normalisation is idempotent.
                self.assertEqual(func(result), result)

    @PROPERTY
    @given(st.sampled_from(IDENTIFIER_TYPES), ANYTHING)
    def test_validate_identifier_only_raises_invalid_identifier(self, kind, value):
        try:
            result = validate_identifier(kind, value)
        except InvalidIdentifier:
            return
        self.assertEqual(validate_identifier(kind, result), result)


class TestModule(unittest.TestCase):
    def test_exception_hierarchy(self):
        self.assertTrue(issubclass(InvalidIdentifier, Invalid))
        self.assertTrue(issubclass(InvalidText, InvalidIdentifier))

    def test_public_names_exist(self):
        for module, names in PUBLIC_NAMES.items():
            for name in names:
                with self.subTest(module=module, name=name):
                    self.assertTrue(hasattr(VALIDATOR_MODULES[module], name))

    def test_message_ids_are_unique_and_readable(self):
        # By identity: a module may import another's message.
        found = {}
        for module in VALIDATOR_MODULES.values():
            for value in vars(module).values():
                if isinstance(value, Message):
                    found[id(value)] = value
                elif isinstance(value, tuple) and hasattr(value, "_fields"):
                    found.update((id(v), v) for v in value if isinstance(v, Message))
        messages = list(found.values())
        self.assertGreater(len(messages), 40)
        self.assertEqual(len({str(m) for m in messages}), len(messages))
        for message in messages:
            with self.subTest(msgid=str(message)):
                self.assertEqual(message.domain, "paeria.egov")
                self.assertTrue(str(message).startswith("error_"))
                self.assertTrue(message.default[0].isupper())
                self.assertTrue(message.default.endswith((".", "}")))

    def test_render_message(self):
        inner = Message(
            "inner", default="expected ${expected}.", mapping={"expected": "7"}
        )
        outer = Message(
            "outer", default="Wrong: ${reason} (${missing})", mapping={"reason": inner}
        )
        self.assertEqual(render_message(outer), "Wrong: expected 7. (${missing})")
        self.assertEqual(render_message("plain"), "plain")
        self.assertEqual(render_message(Message("no_default")), "no_default")
