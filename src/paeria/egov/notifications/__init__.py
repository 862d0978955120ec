"""Electronic notifications (Ley 39/2015 art. 40-43).

A case worker notifies a signed document of an expediente to one of its
interested parties with :func:`.notify.notify_document`, the only way a
``Notificacion`` is made: it registers the exit (S series, the document
attached, through the register's own code path), makes the notification
available in the expediente, records the evidence and e-mails the addressee a
notice that says only that something is waiting (LPAC 41.6, :mod:`.notice`).

The addressee then accesses it (``acceder``: notified) or rejects it
(``rechazar``); not accessed within :data:`.expiry.EXPIRY_DAYS` calendar days
it counts as rejected (LPAC 43.2): the portal takes ``expirar`` itself, from
:func:`.expiry.expire_due` (console command ``paeria-instance
expire-notifications``, for cron) and lazily whenever a notification is read
(:func:`.expiry.expire_if_due`). Every state keeps its evidence
(:func:`.evidence.record_evidence`): who, when, from which address, and the
fingerprint of the notified document at that moment.

Time comes from :mod:`paeria.egov.clock`, so that tests and an operator
re-running expiry as of a day (``PAERIA_AS_OF``) can set it.
"""
