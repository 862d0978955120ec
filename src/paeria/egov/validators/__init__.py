"""Validators for the identifiers and codes of Spanish e-administration.

Pure Python: no Plone, no component registry.  Every validator takes the raw
value, returns it in its canonical form and raises
:class:`errors.InvalidIdentifier` (a :class:`zope.interface.Invalid` whose
argument is a translatable message, domain ``paeria.egov``) when it is not
acceptable.  ``identifiers`` (NIF, NIE, CIF, passport), ``codes`` (DIR3, SIA),
``eni_ids`` (ENI document and expediente identifiers), ``text`` (free text);
``constraints`` wraps them for zope.schema, ``sniff`` checks uploaded files.
"""
