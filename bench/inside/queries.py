"""Item 2 in-process: the work tray, the lookups by NIF and by number, and the
full text over documents, timed inside one Zope process (warm caches).

paeria.egov (--side paeria, its venv): the tray is units/browser.py's
UnidadView doing its own work for one page (its catalog queries and the 25
rows' metadata, without rendering the template), as the unit's staff user; the
lookups query ``interesados_ids`` and ``expediente_numero``; full text is
SearchableText over Documento.

Stock Plone (--side stock, the stock venv): the tray is the unit folder's
private Folders sorted by ``modified``, newest first, 25 per batch (the way
stock listings ask the catalog: b_start/b_size), as the unit's editor; the
lookups query ``Subject`` (the number and NIFs are keywords of the Folder);
full text is SearchableText over File.

Lookups and full text run as the Zope administrator on both sides.
"""

from _zope import arguments
from _zope import log_in
from _zope import site_of
from _zope import timings
from _zope import write
from _zope import zope_app
import json


args = arguments(
    ("--side", {"choices": ("paeria", "stock"), "required": True}),
    ("--samples", {"required": True}),
    ("--repetitions", {"type": int, "default": 200}),
    description=__doc__,
)
PAGE = 25


def rows(brains, *columns):
    count = 0
    for brain in brains:
        if count == PAGE:
            break
        brain.getURL()
        for column in columns:
            getattr(brain, column, None)
        count += 1
    return count


def paeria_tray(site):
    from paeria.egov.units.browser import UnidadView

    request = site.REQUEST

    def tray(sample):
        unit = site.unrestrictedTraverse(sample["path"])
        view = UnidadView(unit, request)
        view.update()
        return rows(
            view.batch,
            "Title",
            "expediente_numero",
            "fecha_limite",
            "interesados_names",
            "procedimiento_uid",
        )

    return tray


def stock_tray(site):
    catalog = site.portal_catalog

    def tray(sample):
        brains = catalog(
            portal_type="Folder",
            path={"query": sample["path"], "depth": 1},
            review_state="private",
            sort_on="modified",
            sort_order="descending",
            b_start=0,
            b_size=PAGE,
        )
        return rows(brains, "Title", "Description", "modified", "review_state")

    return tray


def lookups(site, side):
    catalog = site.portal_catalog
    container, document = (
        ("Expediente", "Documento") if side == "paeria" else ("Folder", "File")
    )
    nif_index, number_index = (
        ("interesados_ids", "expediente_numero")
        if side == "paeria"
        else ("Subject", "Subject")
    )

    def by_nif(nif):
        return rows(catalog(portal_type=container, **{nif_index: nif}), "Title")

    def by_number(numero):
        return rows(catalog(portal_type=container, **{number_index: numero}), "Title")

    def full_text(word):
        return rows(
            catalog(portal_type=document, SearchableText=word, b_start=0, b_size=PAGE),
            "Title",
            "getObjSize",
        )

    return by_nif, by_number, full_text


def measure(site, samples):
    repetitions = args.repetitions
    tray = paeria_tray(site) if args.side == "paeria" else stock_tray(site)
    results = {
        "tray": timings(
            tray,
            samples["trays"],
            repetitions,
            before=lambda sample: log_in(site, sample["user"]),
        )
    }
    log_in(site, "admin")
    by_nif, by_number, full_text = lookups(site, args.side)
    results["nif"] = timings(by_nif, samples["nifs"], repetitions)
    results["numero"] = timings(by_number, samples["numeros"], repetitions)
    if samples["words"]:
        results["fulltext"] = timings(full_text, samples["words"], repetitions)
    return results


with open(args.samples, encoding="utf-8") as source:
    samples = json.load(source)
with zope_app(args.conf) as app, site_of(app, args.site) as site:
    result = measure(site, samples)
    import transaction

    transaction.abort()
    write(args.out, result)
