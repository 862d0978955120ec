"""The general register (Ley 39/2015 art. 16): entries and exits with gapless
numbers per year and series, their receipts, immutability and distribution.

- :func:`register_entry` — the one code path that registers (register.py);
- :func:`distribute`, :func:`open_expediente_from_entry` (distribution.py);
- ``POST <portal>/registro/@registrar`` (services.py) and the counter form
  ``@@registrar`` (browser.py).
"""

from paeria.egov.registro.distribution import distribute  # noqa: F401
from paeria.egov.registro.distribution import open_expediente_from_entry  # noqa: F401
from paeria.egov.registro.register import register_entry  # noqa: F401
from paeria.egov.registro.register import RegistrationError  # noqa: F401
