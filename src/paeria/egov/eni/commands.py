"""``paeria-instance eni-import FILE... --unit UNIT``: the ENI import from
the console, for an operator bringing in what another administration sent (a
zip package, an exchange file, an expediente XML beside its documento XMLs,
or a folder of them: a bulk migration) without a browser.

It makes the same checks as ``@eni-import`` (:mod:`.importing`) and acts as
the portal (:func:`paeria.egov.system.as_portal`: the journal's entry names
it). It shows a progress bar on a terminal, prints one line per expediente
and a summary line, and returns the exit status: 0 all imported (or, with
``dry_run``, importable), 1 something refused, its problems printed one a
line; a refused package imports nothing of itself. A unit that cannot be
found raises :class:`LookupError` (the console makes it exit status 2).
"""

from dataclasses import dataclass
from paeria.egov.content.expediente import IExpediente
from paeria.egov.content.unidad import IUnidad
from paeria.egov.eni.admission import AlreadyImported
from paeria.egov.eni.admission import import_details
from paeria.egov.eni.bridge import expediente_documents
from paeria.egov.eni.bridge import max_import_size
from paeria.egov.eni.importing import document_report
from paeria.egov.eni.importing import import_eni_document
from paeria.egov.eni.importing import import_eni_package
from paeria.egov.eni.importing import import_report
from paeria.egov.eni.model import EniImportError
from paeria.egov.eni.package import is_package
from paeria.egov.events import EniImported
from paeria.egov.system import as_portal
from pathlib import Path
from plone import api
from tqdm import tqdm
from zope.event import notify
import json
import sys
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


def find_expediente(site, expediente: str):
    """The Expediente at path ``expediente`` (below the site), or whose number
    (2026/000123) or ENI identifier it is."""
    found = site.unrestrictedTraverse(expediente.strip("/"), None)
    if found is not None and IExpediente.providedBy(found):
        return found
    catalog = api.portal.get_tool("portal_catalog")
    for index in ("expediente_numero", "eni_identifier"):
        brains = catalog.unrestrictedSearchResults(
            portal_type="Expediente", **{index: expediente}
        )
        if len(brains) == 1:
            return brains[0]._unrestrictedGetObject()
    raise LookupError(
        f"No expediente at {expediente!r} nor with that number or ENI identifier: "
        "give its path, its number (2026/000123) or its ENI identifier."
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


class _ProgressBar(tqdm):
    # No monitor thread: a bar per command, nothing left running after it.
    monitor_interval = 0


@dataclass
class Source:
    """One import to make: a zip package or exchange file (``data`` bytes),
    or files side by side (``data`` [(name, bytes)])."""

    label: str
    data: bytes | list


def _files_of(path: Path) -> list[Path]:
    """``path`` itself, or every regular file below a directory (symbolic
    links are not followed: a migration folder must not reach outside)."""
    if not path.is_dir():
        return [path]
    return sorted(
        found for found in path.rglob("*") if found.is_file() and not found.is_symlink()
    )


def _read(path: Path, base: Path, limit: int, problems) -> tuple | None:
    size = path.stat().st_size
    if size > limit:
        problems.append(f"{path}: {size} bytes, over the limit of {limit} bytes")
        return None
    name = path.relative_to(base).as_posix() if base != path else path.name
    return name, path.read_bytes()


def sources_of(paths, limit: int) -> tuple[list[Source], list[str]]:
    """(the imports to make, problems) from the FILEs given: each zip is a
    package of its own; every other file (of the command line, and of the
    directories given) belongs to one import of files side by side, the
    expediente XML beside its documento XMLs and contents. Raises OSError
    when a file cannot be read."""
    sources, together, problems = [], [], []
    for given in map(Path, [paths] if isinstance(paths, str | Path) else paths):
        base = given if given.is_dir() else given.parent
        for path in _files_of(given):
            read = _read(path, base, limit, problems)
            if read is None:
                continue
            if is_package(read[1]):
                sources.append(Source(str(path), read[1]))
            else:
                together.append(read)
    if len(together) == 1 and not sources:
        sources.append(Source(together[0][0], together[0][1]))
    elif together:
        sources.append(Source(f"{len(together)} files side by side", together))
    return sources, problems


def _import_one(unidad, source, procedimiento, again, out) -> tuple[int, int] | None:
    """Import one source in its own transaction: (expedientes, documents), or
    None when refused (its problems printed, nothing kept)."""
    try:
        created = import_eni_package(unidad, source.data, procedimiento, again)
    except AlreadyImported as error:
        transaction.abort()
        earlier = error.earlier
        _refused(
            [
                f"{source.label}: this expediente was imported before, as "
                f"{earlier.numero} ({earlier.absolute_url(1)}): use --import-again "
                "to import it again as a new expediente"
            ],
            out,
        )
        return None
    except EniImportError as error:
        transaction.abort()
        _refused([f"{source.label}: {problem}" for problem in error.problems], out)
        return None
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
    return len(created), documents


def _dry_runs(unidad, sources, procedimiento, again, as_json, out) -> int:
    reports = [
        {"source": s.label, **import_report(unidad, s.data, procedimiento, again)}
        for s in sources
    ]
    transaction.abort()  # nothing to keep
    if len(reports) == 1:
        return _dry_run(reports[0], as_json, out)
    if as_json:
        print(json.dumps(reports, indent=2, sort_keys=True), file=out)
        return 0 if all(r["importable"] for r in reports) else 1
    statuses = []
    for source, report in zip(sources, reports, strict=True):
        print(f"{source.label}:", file=out)
        statuses.append(_dry_run(report, False, out))
    return max(statuses)


def eni_import(
    site,
    paths,
    unit,
    *,
    procedimiento=None,
    again=False,
    dry_run=False,
    as_json=False,
    out=None,
    progress=None,
    commit=transaction.commit,
) -> int:
    """Import the FILEs at ``paths`` (zip packages, an exchange file, an
    expediente XML with its documento XMLs, or directories of them: see
    :func:`sources_of`) into ``unit``; returns the exit status. Each zip is
    imported all or nothing in its own transaction, ended by ``commit``, so
    one refused package of a migration does not hold back the others; a
    progress bar goes to ``progress`` (stderr, when it is a terminal).
    Raises LookupError (no such unit) and OSError (a file cannot be read)."""
    unidad = find_unit(site, unit)
    sources, problems = sources_of(paths, max_import_size())
    if problems:
        return _refused(problems, out)
    if not sources:
        return _refused(["No file to import was found."], out)
    with as_portal():
        if dry_run:
            return _dry_runs(unidad, sources, procedimiento, again, as_json, out)
        expedientes = documents = refused = 0
        bar = _ProgressBar(
            sources,
            desc="ENI import",
            unit="file",
            file=progress or sys.stderr,
            disable=None if progress is None else False,
        )
        for source in bar:
            imported = _import_one(unidad, source, procedimiento, again, out)
            if imported is None:
                refused += 1
                continue
            commit()
            expedientes, documents = (
                expedientes + imported[0],
                documents + imported[1],
            )
            bar.set_postfix(expedientes=expedientes)
    summary = (
        f"Imported {expedientes} expedientes with {documents} documents into "
        f"{unidad.Title()}."
    )
    if refused:
        summary += f" {refused} of {len(sources)} files were refused (above)."
    print(summary, file=out)
    return 1 if refused else 0


def _document_files(paths, limit) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(name, bytes) of every file given or found in the folders given."""
    files, problems = [], []
    for given in map(Path, [paths] if isinstance(paths, str | Path) else paths):
        base = given if given.is_dir() else given.parent
        for path in _files_of(given):
            read = _read(path, base, limit, problems)
            if read is not None:
                files.append(read)
    return files, problems


def eni_import_documents(
    site,
    paths,
    expediente,
    *,
    dry_run=False,
    as_json=False,
    out=None,
    commit=transaction.commit,
) -> int:
    """Add the ``enidoc:documento`` FILEs at ``paths`` to ``expediente`` (a
    path, number or ENI identifier), in the order given, all of them or none;
    returns the exit status as :func:`eni_import` does."""
    target = find_expediente(site, expediente)
    files, problems = _document_files(paths, max_import_size())
    if problems:
        return _refused(problems, out)
    if not files:
        return _refused(["No file to import was found."], out)
    with as_portal():
        if dry_run:
            reports = [{"source": n, **document_report(target, d)} for n, d in files]
            transaction.abort()  # nothing to keep
            return _document_dry_run(reports, as_json, out)
        added = []
        for name, data in files:
            try:
                added.append(import_eni_document(target, data))
            except EniImportError as error:
                transaction.abort()
                return _refused([f"{name}: {p}" for p in error.problems], out)
        for documento in added:
            notify(EniImported(documento, "documento", **import_details(documento)))
            print(f"{documento.eni_identifier}: {documento.Title()}", file=out)
        commit()
    print(f"Added {len(added)} documents to {target.numero}.", file=out)
    return 0


def _document_dry_run(reports, as_json, out) -> int:
    importable = all(report["importable"] for report in reports)
    if as_json:
        print(json.dumps(reports, indent=2, sort_keys=True), file=out)
        return 0 if importable else 1
    for report in reports:
        for document in report["documents"]:
            print(f"{report['source']}: {document['identifier']}", file=out)
        for problem in report["problems"]:
            print(f"- {report['source']}: {problem}", file=out)
    verdict = "would be added" if importable else "would be refused"
    print(
        f"Dry run: {len(reports)} documents {verdict}; nothing was imported.", file=out
    )
    return 0 if importable else 1
