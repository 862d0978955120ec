"""1002 → 1003: the settings' interface moved from ``paeria.egov.registry``
to ``paeria.egov.settings`` (issue 16).

registry.xml registers the interface with the prefix ``paeria.egov``, so its
records are named ``paeria.egov.<field>`` before and after the move; but each
record's field keeps the dotted name of the interface it was made from, and
plone.registry resolves that name to tell the settings' proxy about changes
and to export the registry. Here every record still made from the old
interface is made again from the new one under ``paeria.egov.<field>``, with
its value; a record of the old interface under any other name is removed.
Running it again changes nothing."""

from paeria.egov import logger
from paeria.egov.settings.calendar import PREFIX
from paeria.egov.settings.interfaces import IPaeriaSettings
from plone.registry.interfaces import IRegistry
from zope.component import getUtility


OLD_INTERFACE = "paeria.egov.registry.interfaces.IPaeriaSettings"


def records_of_interface(registry, dotted_name):
    """``{record name: (field name, value)}`` of the records made from the
    interface ``dotted_name``."""
    found = {}
    for name in registry.records:
        record = registry.records[name]
        if record.interfaceName == dotted_name:
            found[name] = (record.fieldName, record.value)
    return found


def move_settings_records(context):
    registry = getUtility(IRegistry)
    old = records_of_interface(registry, OLD_INTERFACE)
    registry.registerInterface(IPaeriaSettings, prefix=PREFIX)
    for name, (field_name, value) in old.items():
        new_name = f"{PREFIX}.{field_name}"
        if name != new_name:
            del registry.records[name]
        # Set again: registerInterface drops a value its field refuses, and
        # a setting must not be lost silently (the upgrade fails instead).
        registry[new_name] = value
    logger.info(
        "Upgrade 1003: %s settings records now made from %s",
        len(old),
        IPaeriaSettings.__identifier__,
    )
