"""The demo data set `make start` adds to a new site (DEMO=1): a few units with
staff, published procedures and expedientes with real PDF documents.

Deterministic, so that a demo reads the same every time. The demo staff's
password is DEMO_PASSWORD; never create demo data on a production site.

The modules: :mod:`.data` (what the demo holds), :mod:`.creation` (adding it
to a site: :func:`.creation.create_demo_data`) and :mod:`.pdf` (small real
PDF documents, also used by the reference data set)."""
