"""Units: the list of units (/unidades), a unit's work tray, and the unit's
groups and DIR3 code."""
