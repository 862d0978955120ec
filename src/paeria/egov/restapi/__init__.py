"""Overrides of plone.restapi and the REST toolkit every endpoint of paeria.egov builds on."""
