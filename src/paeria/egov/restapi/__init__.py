"""Overrides of plone.restapi, and the REST toolkit (service.py) every
endpoint of paeria.egov builds on."""
