"""Collaboration between units: report requests (SolicitudInforme) and the
incorporation of documents received from outside the unit.

- requests.py: what a request does to the expediente's security (the
  requested unit's groups hold Colaborador on the expediente while one of
  its requests is pending), its computed fields, ``emitir`` and the
  preconditions (no ``cerrar`` while a request is pending; no ``emitir``
  without the answer document).
- incorporation.py: the Documento state ``incorporado`` (a received document
  incorporated as presented, immutable like a signed one), entered
  automatically by ``emitir`` and when the expediente leaves subsanacion.
- services.py (``POST <solicitud>/@emitir``) and browser.py (the request's
  page and the @@emitir form).
"""
