"""Every door the publisher opens on an object, enumerated rather than listed.

Used by test_gate (no door serves a document's bytes without the gate) and
test_get_purity (no GET changes anything). The doors of an object are:

- the named views and plone.rest services registered for the interfaces it
  provides, read from every component registry the site sees (the site's
  own and the global ones it is based on: in tests they are stacked);
- the names Zope's publisher would publish from its class and its instance:
  callable attributes with a docstring and attributes whose value has one,
  not starting with ``_``;
- the traversal views offer below them: a file field's name
  (``@@images/file``, ``@@download/file``, ``@@display-file/file``) and a
  form's file widget (``@@edit/++widget++form.widgets.file/@@download``).

Names only: the tests request each one and decide by what comes back.
"""

from Acquisition import aq_base
from plone.dexterity.utils import iterSchemata
from plone.namedfile.interfaces import INamedField
from z3c.form.interfaces import IForm
from zope.component import getSiteManager
from zope.schema import getFieldsInOrder
import base64
import requests


REST_PREFIX = "GET_application_json_"


def _registries(site):
    """The site's component registry and every registry below it."""
    seen = []
    pending = [getSiteManager(site)]
    while pending:
        registry = pending.pop()
        if any(registry is each for each in seen):
            continue
        seen.append(registry)
        pending.extend(registry.__bases__)
    return seen


def _applies(interface, obj):
    return interface is None or interface.providedBy(obj)


def _registered(site, obj):
    """(name, factory) of every named (context, request) adapter for ``obj``."""
    for registry in _registries(site):
        for registration in registry.registeredAdapters():
            if len(registration.required) != 2 or not registration.name:
                continue
            if _applies(registration.required[0], obj):
                yield registration.name, registration.factory


def views(site, obj):
    """The names of the browser views (and other named multi-adapters, which
    the publisher simply does not find) registered for ``obj``, the subset
    that traverse further (``@@download/file``) and the subset that are
    z3c.form forms (``++widget++``)."""
    names, traversing, forms = set(), set(), set()
    for name, factory in _registered(site, obj):
        if "_application_" in name:
            continue  # plone.rest's services: see rest_services
        names.add(name)
        if not isinstance(factory, type):
            continue
        if hasattr(factory, "publishTraverse"):
            traversing.add(name)
        if IForm.implementedBy(factory):
            forms.add(name)
    return sorted(names), sorted(traversing), sorted(forms)


def rest_services(site, obj):
    """The names of the plone.rest GET services for ``obj`` (``@search``…;
    ``""`` is the object's own GET)."""
    return sorted(
        {
            name[len(REST_PREFIX) :]
            for name, _factory in _registered(site, obj)
            if name.startswith(REST_PREFIX)
        }
    )


def _publishable(name, value):
    return not name.startswith("_") and bool(getattr(value, "__doc__", None))


def published_names(obj):
    """The names Zope's publisher may publish from ``obj``'s class and
    instance (its publishing rule: a docstring, no leading underscore)."""
    base = aq_base(obj)
    names = set()
    for name in dir(type(base)):
        value = getattr(type(base), name, None)
        if callable(value) and _publishable(name, value):
            names.add(name)
    for name, value in vars(base).items():
        if _publishable(name, value):
            names.add(name)
    return sorted(names)


def file_fields(obj):
    """The names of ``obj``'s file and image fields."""
    names = []
    for schema in iterSchemata(obj):
        names.extend(
            name
            for name, field in getFieldsInOrder(schema)
            if INamedField.providedBy(field)
        )
    return names


def paths(site, obj):
    """Every path below ``obj`` a GET may be sent to, with the Accept header
    to send: [(path, accept)]."""
    return [(path, accept) for _code, path, accept in keyed_paths(site, obj)]


def keyed_paths(site, obj):
    """[(code, path, accept)]: :func:`paths` with the code that answers each
    (the view's factory, the class's function, the instance attribute's
    class), so that a caller can request the same code once per context
    class rather than once per object."""
    view_names, traversing, forms = views(site, obj)
    factories = dict(_registered(site, obj))
    fields = file_fields(obj)
    found = [(factories[name], f"@@{name}", "text/html") for name in view_names]
    for name in traversing:
        found.extend(
            (factories[name], f"@@{name}/{field}", "text/html") for field in fields
        )
    for name in forms:
        found.extend(
            (
                factories[name],
                f"@@{name}/++widget++form.widgets.{field}/@@download",
                "text/html",
            )
            for field in fields
        )
    base = aq_base(obj)
    for name in published_names(obj):
        code = getattr(type(base), name, None) or type(getattr(base, name, None))
        found.append((code, name, "text/html"))
    found.extend(
        (factories[REST_PREFIX + name], name, "application/json")
        for name in rest_services(site, obj)
    )
    return found


def get(session, url, accept):
    """(status, body) of a GET of ``url``, not following redirects; a body
    cut short by the server (``HEAD`` published by a GET announces a length
    and sends nothing) counts as empty."""
    response = session.get(
        url, headers={"Accept": accept}, allow_redirects=False, stream=True
    )
    with response:
        try:
            return response.status_code, response.content
        except requests.exceptions.ChunkedEncodingError:
            return response.status_code, b""


def carries(body, data):
    """Whether a response ``body`` carries ``data``, raw or base64 (line
    breaks and other white space of the encoding ignored)."""
    if data in body:
        return True
    encoded = base64.b64encode(data)
    return encoded in b"".join(body.split())
