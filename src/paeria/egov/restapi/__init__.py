"""Overrides of plone.restapi, and the REST toolkit every endpoint builds on."""
