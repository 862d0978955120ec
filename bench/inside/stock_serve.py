"""Serve a stock Plone instance as ``runwsgi etc/zope.ini`` does, in this
process, closing the database on SIGTERM or SIGINT.

It does for stock Plone exactly what ``paeria-instance serve`` does for
paeria.egov (Zope2.Startup.serve in-process, signals turned into a clean
shutdown), so that both sides start, serve and stop the same way: a
FileStorage stopped uncleanly would rescan Data.fs at its next (timed) start.
Runs in the stock venv: Zope and Plone only.
"""

import signal
import sys


def main(zope_ini):
    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    from Zope2.Startup.serve import main as runwsgi
    import Zope2

    try:
        runwsgi(argv=["runwsgi", zope_ini], quiet=True)
    except KeyboardInterrupt:
        pass
    finally:
        database = getattr(Zope2, "DB", None)
        if database is not None:
            database.close()


if __name__ == "__main__":
    main(sys.argv[1])
