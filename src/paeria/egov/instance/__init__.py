"""Running the portal: instance configuration, site creation and serving.

Used by the Makefile (``make start``) and by console commands that work on a
running database (data loads, integrity scans, notification expiry)."""
