"""Open the Zope application of an instance outside a server, as zconsole does.

Imports Zope: loaded by :mod:`.commands` only, when a command that needs the
database runs."""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import noSecurityManager
from AccessControl.users import system as system_user
from contextlib import contextmanager
from Testing.makerequest import makerequest
from zope.globalrequest import setRequest
from Zope2.Startup.run import make_wsgi_app
import transaction
import Zope2


@contextmanager
def zope_app(zope_conf):
    """Yield the Zope root ``app`` with a request and the system user, then close
    the database so that a FileStorage index is written and not left stale."""
    make_wsgi_app({}, str(zope_conf))
    app = makerequest(Zope2.app())
    app.REQUEST["PARENTS"] = [app]
    setRequest(app.REQUEST)
    newSecurityManager(None, system_user)
    try:
        yield app
    except BaseException:
        transaction.abort()
        raise
    finally:
        noSecurityManager()
        setRequest(None)
        connection = app._p_jar
        database = connection.db()
        connection.close()
        database.close()
