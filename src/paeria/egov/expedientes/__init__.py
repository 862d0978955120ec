"""Expedientes and their documents: their pages, and the metadata computed
for them (number, identifiers, deadline, fingerprint, order)."""
