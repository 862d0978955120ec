"""The journal: who did what to which object, when and from where.

recording.py writes the entries, verification.py seals and verifies their
chains, search.py reads them; storage.py holds the persistent chains
(docs/journal.md).
"""
