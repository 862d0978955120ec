"""A procedure's SIA code is stored without surrounding spaces: it becomes
the classification of the procedure's expedientes."""


def procedimiento_modified(procedimiento, event):
    procedimiento.sia_code = (procedimiento.sia_code or "").strip()
