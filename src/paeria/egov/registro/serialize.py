"""One registration at a time, so that concurrent registrations queue instead
of conflicting.

Register numbers come from one counter per series and year, which every
registration writes: two registrations whose transactions overlap conflict at
commit, and the loser is retried whole by the publisher (numbering.py). That
keeps the numbers gapless, but under a burst (citizens filing at the same
moment, several Zope processes) most attempts lose: measured with 8 clients on
two processes, a quarter to a third of the registrations exhausted their
retries and answered 503 (docs/register.md).

:func:`hold_register` makes a registration wait for the register instead:

1. a lock of the process (threads of one Zope process);
2. on RelStorage/PostgreSQL, a PostgreSQL advisory lock on a connection of its
   own, so that registrations of every Zope process on the database queue too;
3. then, if the transaction has written nothing yet, it starts afresh, so that
   it reads the counter as the previous registration committed it.

Both locks are released when the transaction ends, committed or aborted. A
registration that cannot enter the register within :data:`WAIT_SECONDS`
raises :class:`RegisterBusy`, a transient error: the publisher retries the
request, and finally answers 503 (services/conflicts.py). Optimistic conflict
detection stays underneath: the locks make conflicts rare, the counter keeps
them harmless.
"""

from transaction.interfaces import TransientError
import logging
import threading
import transaction


try:
    import psycopg2
except ImportError:  # pragma: no cover - RelStorage's driver is an extra
    # Only a RelStorage/PostgreSQL database needs it (_postgresql_dsn finds
    # none otherwise), and a FileStorage installation may lack it.
    psycopg2 = None

logger = logging.getLogger("paeria.egov.registro")

WAIT_SECONDS = 20
# The advisory lock's key: any 64-bit number no other application on the
# database uses ("paeria.egov.registro" as bytes, truncated).
ADVISORY_KEY = int.from_bytes(b"paeriaEG", "big") & 0x7FFFFFFFFFFFFFFF

_process_lock = threading.Lock()
# The connection holding the advisory lock; used only under _process_lock.
_advisory = {"dsn": None, "connection": None}


class RegisterBusy(TransientError):
    """The register stayed busy longer than WAIT_SECONDS."""


def _postgresql_dsn(connection):
    """The DSN of the RelStorage PostgreSQL database behind the ZODB
    ``connection``, or None for any other storage."""
    storage = connection.db().storage
    adapter = getattr(storage, "_adapter", None)
    dsn = getattr(adapter, "_dsn", None)
    if dsn and type(adapter).__module__.startswith("relstorage.adapters.postgresql"):
        return dsn
    return None


def _advisory_connection(dsn):
    current = _advisory["connection"]
    if current is not None and (current.closed or _advisory["dsn"] != dsn):
        current.close()
        current = None
    if current is None:
        current = psycopg2.connect(dsn)
        current.autocommit = True
        _advisory.update(dsn=dsn, connection=current)
    return current


def _lock_database(dsn):
    for attempt in range(2):  # a connection the server dropped is made again
        try:
            connection = _advisory_connection(dsn)
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{WAIT_SECONDS}s'")
                cursor.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_KEY,))
                cursor.execute("SET lock_timeout = 0")
            return connection
        except psycopg2.errors.LockNotAvailable:
            raise RegisterBusy("the register is busy (database lock)") from None
        except psycopg2.OperationalError:
            if _advisory["connection"] is not None:
                _advisory["connection"].close()
            _advisory["connection"] = None
            if attempt:
                raise


def _unlock_database(connection):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_KEY,))
    except Exception:  # the lock dies with the session anyway
        logger.exception("Could not release the register's advisory lock")
        connection.close()


def _held_by(txn):
    try:
        return txn.data(_process_lock)
    except KeyError:
        return False


def hold_register(zodb_connection):
    """Wait for the register, then hold it until the current transaction ends.
    Call it after the request is validated and before the counter is read. A
    transaction that holds it already (several registrations in one
    transaction) goes on."""
    if _held_by(transaction.get()):
        return
    if not _process_lock.acquire(timeout=WAIT_SECONDS):
        raise RegisterBusy("the register is busy")
    database = None
    try:
        dsn = _postgresql_dsn(zodb_connection)
        if dsn is not None:
            database = _lock_database(dsn)
        current = transaction.get()
        if not current._resources:
            # Nothing written yet: start afresh, so that this transaction
            # reads what the registration before it committed.
            transaction.abort()
            current = transaction.begin()
    except BaseException:
        if database is not None:
            _unlock_database(database)
        _process_lock.release()
        raise

    current.set_data(_process_lock, True)
    released = []

    def release(*args):
        if released:
            return
        released.append(True)
        if database is not None:
            _unlock_database(database)
        _process_lock.release()

    current.addAfterCommitHook(release)
    current.addAfterAbortHook(release)
