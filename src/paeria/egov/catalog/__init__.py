"""The portal catalog: full-text indexes that merge concurrent changes
(textindex.py), and entries that follow the content when it moves
(subscribers.py)."""
