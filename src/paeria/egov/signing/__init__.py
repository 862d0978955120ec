"""Real electronic signatures: PAdES (TF06) and CAdES detached (TF04) made
with the employee's certificate (Ley 40/2015 art. 43) or the council's seal
(art. 40), and their validation.

A Plone-free core — ``pki`` (the development test authority), ``keys`` (the
employees' key store, PIN and lockout), ``seal``, ``config`` (everything from
the environment), ``pades``, ``cades``, ``validation`` and ``engine`` (the one
interface over them) — documented in docs/signatures.md.
"""
