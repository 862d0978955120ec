"""The addresses of a verification: the public page and the REST endpoint."""

from plone import api


def portal_url():
    return api.portal.get().absolute_url()


def page_url(csv, download=False):
    suffix = "/download" if download else ""
    return f"{portal_url()}/@@verificar{suffix}?csv={csv}"


def api_url(csv, download=False):
    suffix = "/download" if download else ""
    return f"{portal_url()}/@verificar{suffix}?csv={csv}"
