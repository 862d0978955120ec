"""``paeria-instance eni-import FILE --unit UNIT``: the ENI import from the
console, for an operator bringing in what another administration sent (a zip
package, an exchange file) without a browser.

It makes the same checks as ``@eni-import`` (:mod:`.importing`) and acts as
the portal (:func:`paeria.egov.system.as_portal`: the journal's entry names
it). It prints one line per expediente and a summary line, and returns the
exit status: 0 imported (or, with ``dry_run``, importable), 1 refused, its
problems printed one a line; nothing is imported then. A unit that cannot be
found raises :class:`LookupError` (the console makes it exit status 2).
"""

from paeria.egov.content.unidad import IUnidad
from paeria.egov.eni.admission import AlreadyImported
from paeria.egov.eni.admission import import_details
from paeria.egov.eni.bridge import expediente_documents
from paeria.egov.eni.bridge import max_import_size
from paeria.egov.eni.importing import import_eni_package
from paeria.egov.eni.importing import import_report
from paeria.egov.eni.model import EniImportError
from paeria.egov.events import EniImported
from paeria.egov.system import as_portal
from pathlib import Path
from plone import api
from zope.event import notify
import json
import os
import transaction


def find_unit(site, unit: str):
    """The Unidad at path ``unit`` (below the site) or whose DIR3 code it is."""
    found = site.unrestrictedTraverse(unit.strip("/"), None) if unit else None
    if found is not None and IUnidad.providedBy(found):
        return found
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(portal_type="Unidad", dir3_code=unit)
    if len(brains) == 1:
        return brains[0]._unrestrictedGetObject()
    raise LookupError(
        f"No unit at {unit!r} nor with that DIR3 code: give the unit's path "
        "(unidades/urbanismo) or its DIR3 code."
    )


def _refused(problems, out) -> int:
    print("Refused; nothing was imported. Problems:", file=out)
    for problem in problems:
        print(f"- {problem}", file=out)
    return 1


def _dry_run(report, as_json, out) -> int:
    if as_json:
        print(json.dumps(report, indent=2, sort_keys=True), file=out)
        return 0 if report["importable"] else 1
    for expediente in report["expedientes"]:
        line = f"{expediente['identifier']}: {len(expediente['documents'])} documents"
        weak = sum(d["fingerprint"] == "weak" for d in expediente["documents"])
        if weak:
            line += f", {weak} with a weak (SHA-1) fingerprint"
        if expediente["imported_before"]:
            line += f"; imported before as {expediente['imported_before']['numero']}"
        print(line, file=out)
    for problem in report["problems"]:
        print(f"- {problem}", file=out)
    count = len(report["expedientes"])
    verdict = "would be imported" if report["importable"] else "would be refused"
    print(f"Dry run: {count} expedientes {verdict}; nothing was imported.", file=out)
    return 0 if report["importable"] else 1


def eni_import(
    site,
    path,
    unit,
    *,
    procedimiento=None,
    again=False,
    dry_run=False,
    as_json=False,
    out=None,
    commit=transaction.commit,
) -> int:
    """Import the file at ``path`` (a zip package or an exchange file) into
    ``unit``; returns the exit status. ``commit`` ends a successful import.
    Raises LookupError (no such unit) and OSError (the file cannot be read)."""
    unidad = find_unit(site, unit)
    size, limit = os.path.getsize(path), max_import_size()
    if size > limit:
        return _refused([f"{path}: {size} bytes, over the limit of {limit} bytes"], out)
    data = Path(path).read_bytes()
    with as_portal():
        if dry_run:
            report = import_report(unidad, data, procedimiento, again)
            transaction.abort()  # nothing to keep
            return _dry_run(report, as_json, out)
        try:
            created = import_eni_package(unidad, data, procedimiento, again)
        except AlreadyImported as error:
            transaction.abort()
            earlier = error.earlier
            return _refused(
                [
                    f"This expediente was imported before, as {earlier.numero} "
                    f"({earlier.absolute_url(1)}): use --import-again to import "
                    "it again as a new expediente"
                ],
                out,
            )
        except EniImportError as error:
            transaction.abort()
            return _refused(error.problems, out)
        documents = 0
        for expediente in created:
            notify(EniImported(expediente, "expediente", **import_details(expediente)))
            count = len(expediente_documents(expediente))
            documents += count
            print(
                f"{expediente.numero}: {expediente.eni_identifier_origen}, "
                f"{count} documents, {expediente.absolute_url(1)}",
                file=out,
            )
        commit()
    print(
        f"Imported {len(created)} expedientes with {documents} documents into "
        f"{unidad.Title()}.",
        file=out,
    )
    return 0
