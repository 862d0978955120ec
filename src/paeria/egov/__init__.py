"""paeria.egov: electronic administration for city councils, on Plone."""

from zope.i18nmessageid import MessageFactory
import logging


PACKAGE_NAME = "paeria.egov"

_ = MessageFactory(PACKAGE_NAME)

logger = logging.getLogger(PACKAGE_NAME)
