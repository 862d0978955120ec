"""Integrity of documents: the stored bytes still are those fingerprinted.

Every Documento records the SHA-256 of its file when the file is stored
(``huella``, ``expedientes/subscribers.py``); a signature records the fingerprint
of the bytes it signed (``SignatureRecord.huella``) and an incorporated
document the one of the bytes it was received with (``huella_incorporada``).
Nothing in the portal changes a blob without recomputing ``huella``, so a
difference means the bytes were altered or lost *behind the portal's back*:
a disk fault, a bad restore, somebody editing the blob directory.

Two things look for that:

- every download of a document's file is re-checked before a byte is served
  (:func:`.downloads.check_download` for plone.namedfile's ``@@download`` and
  ``@@display-file``; :func:`.checks.check_document` for the other download
  points, the ENI exports included). The doors Zope and Plone open past
  these (``@@images``, form widgets, WebDAV/FTP-era reads) are closed on
  documents by ``security/subscribers.close_document_doors``. A failure
  refuses the download with 500 (:mod:`.browser`), logs an ERROR and
  journals ``integrity_failure`` on the document, whatever becomes of the
  request's own transaction (:mod:`.pending`, :mod:`.downloads`);
- :func:`.scanning.scan` reads every document's blob and reports every
  mismatch and missing blob, for ``paeria-instance integrity-scan``
  (:mod:`.commands`), the consistency check of a restore
  (:func:`.consistency.consistency`) and ``GET @integrity-scan``.

The modules: :mod:`.findings` (what can be wrong with a document, and the
exception that refuses it), :mod:`.checks` (checking one document),
:mod:`.pending` (failures kept on the request until it ends),
:mod:`.downloads` (the publisher's subscribers), :mod:`.scanning` (every
document), :mod:`.consistency` (a restored portal).

Why 500 and not 409: the request is right and the fault is the server's (its
stored data is damaged); nothing the client can change makes it succeed, and
monitoring counts 5xx as the server's problems. The body says precisely what
happened.
"""
