"""Verification of a document by its secure verification code (CSV).

Whoever holds a CSV may see the metadata of the document it identifies and
download the document itself: the code is the credential (Ley 40/2015 art.
42.b, Ley 39/2015 art. 27.3). Two kinds of document have one, both drawn by
``csvcodes.unused_csv`` (32 characters of
``ABCDEFGHJKLMNPQRSTUVWXYZ23456789``, 160 bits) and carried by a TF01
signature record:

- a signed Documento (state ``firmado``), signed by a person;
- the receipt (justificante) of a register entry, a Documento inside its
  Asiento, sealed by the portal when it registers the entry.

Receipts issued before the CSV was unified are 32 characters of base32
(``A-Z2-7``, also 160 bits); they are still looked up.

Everything else (an unsigned or annulled document's code, an ENI export's
``eni_csv``, a random or malformed value, nothing) is *not found*, answered
the same way whatever the reason, so that an answer never tells whether a code
exists.

Failed lookups are throttled per client address by
:data:`.throttle.THROTTLE`, a sliding
window kept **in the memory of each Zope process**: with several processes
behind a balancer an address gets up to ``max_misses`` misses per window from
each of them, and the throttle is forgotten on restart. It slows guessing down
(which 160 bits already make hopeless) and keeps the catalog from being
hammered; the balancer or reverse proxy should rate-limit ``@@verificar`` and
``@verificar`` too. The client address is :func:`paeria.egov.http.client_address`.
"""
