"""Interested parties (people with a NIF or NIE, companies with a CIF) and
staff names, drawn with Faker's Spanish locale from a seed.

A party is a function of (seed, number) only, so the same number is the same
person in every expediente that names it and after a resumed load."""

from faker import Faker
from functools import lru_cache
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.identifiers import validate_identifier


_faker = Faker("es_ES")


def _seeded(seed, number):
    _faker.seed_instance(seed * 1_000_003 + number)
    return _faker


def _valid(kind, draw):
    # Faker's CIFs ignore one rule (non-resident entities, province 00, take a
    # letter as control character); the portal refuses those, so draw again.
    while True:
        value = draw()
        try:
            return validate_identifier(kind, value)
        except InvalidIdentifier:
            continue


@lru_cache(maxsize=4096)
def party(seed, number):
    """(identifier type, identifier, name, e-mail) of interested party ``number``:
    seven in ten people with a NIF, one in ten with a NIE, two in ten companies."""
    fake = _seeded(seed, number)
    draw = fake.random.random()
    if draw < 0.7:
        kind, identifier, name = "NIF", _valid("NIF", fake.nif), fake.name()
    elif draw < 0.8:
        kind, identifier, name = "NIE", _valid("NIE", fake.nie), fake.name()
    else:
        kind, identifier, name = "CIF", _valid("CIF", fake.cif), fake.company()
    return kind, identifier, name, fake.free_email()


def staff_name(seed, number):
    return _seeded(seed, 500_000_000 + number).name()


def sentence(seed, number, words=12):
    """A line of Spanish-looking text for a document's body."""
    return _seeded(seed, 700_000_000 + number).sentence(nb_words=words)


def address(seed, number):
    fake = _seeded(seed, 900_000_000 + number)
    return f"{fake.street_address()}, {fake.postcode()} Lleida"
