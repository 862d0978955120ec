"""Hardening: the doors that the workflows, the content subscribers and
plone.restapi leave open, closed (see docs/security.md; found by
tests/test_doors.py and tests/test_bad_input.py).

- Records refuse what reaches them by a path no permission guards: a closed
  expediente is not moved or renamed, WebDAV does not write (subscribers.py).
- What cannot be done or read answers 400 with its reason, not 500: Zope's
  CopyError and JSON bodies that cannot be read (browser.py), field values of
  the wrong JSON type (deserializers.py), ``@search``'s batch parameters
  (services.py)."""
