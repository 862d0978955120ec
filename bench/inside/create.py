"""Item 1 through the Python API: expedientes with 5 documents each, one
transaction per expediente (the container and its documents, committed), as
the unit's staff user, with plone.api.

paeria.egov: an Expediente (procedure, one interested party) and 5 Documento
(three PDFs, a text file, an ODT). Stock: a Folder (its number and NIF as
Subject and description) and 5 Files with the same bytes.

Two warm-up expedientes are created first and not counted.
"""

from _zope import arguments
from _zope import log_in
from _zope import percentile
from _zope import site_of
from _zope import write
from _zope import zope_app
from pathlib import Path
import json
import time


args = arguments(
    ("--side", {"choices": ("paeria", "stock"), "required": True}),
    ("--samples", {"required": True}),
    ("--payloads", {"required": True, "help": "folder of the 5 payload files"}),
    ("--count", {"type": int, "default": 30}),
    description=__doc__,
)
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
WARM_UP = 2


def payloads():
    """(title, filename, MIME type, bytes) of the 5 documents, in order."""
    with open(Path(args.payloads) / "payloads.json", encoding="utf-8") as index:
        described = json.load(index)
    return [
        (
            item["title"],
            item["filename"],
            item["mime"],
            (Path(args.payloads) / item["filename"]).read_bytes(),
        )
        for item in described
    ]


def nif(number):
    return f"{number:08d}{DNI_LETTERS[number % 23]}"


def creator(site, samples):
    from plone import api
    from plone.namedfile.file import NamedBlobFile

    unit = site.unrestrictedTraverse(samples["create"]["unit_path"])
    documents = payloads()

    def paeria(index):
        party = nif(40_000_000 + index)
        expediente = api.content.create(
            container=unit,
            type="Expediente",
            title=f"Expediente de prueba de rendimiento {index}",
            procedimiento=samples["create"]["procedure_uid"],
            interesados=[
                {
                    "identifier_type": "NIF",
                    "identifier": party,
                    "name": f"Persona {party}",
                    "notification_channel": "electronica",
                }
            ],
        )
        for title, filename, mime, data in documents:
            api.content.create(
                container=expediente,
                type="Documento",
                title=title,
                tipo_documental="TD14",
                origen="ciudadano",
                file=NamedBlobFile(data, contentType=mime, filename=filename),
            )

    def stock(index):
        party = nif(40_000_000 + index)
        numero = f"2099/{index:06d}"
        folder = api.content.create(
            container=unit,
            type="Folder",
            title=f"Expediente de prueba de rendimiento {index}",
            description=f"{numero} {party}",
            subject=[numero, party],
        )
        for title, filename, mime, data in documents:
            api.content.create(
                container=folder,
                type="File",
                title=title,
                file=NamedBlobFile(data, contentType=mime, filename=filename),
            )

    return paeria if args.side == "paeria" else stock


def measure(site, samples):
    import transaction

    log_in(site, samples["create"]["user"])
    create = creator(site, samples)
    for index in range(WARM_UP):
        create(index)
        transaction.commit()
    elapsed = []
    started = time.perf_counter()
    for index in range(WARM_UP, WARM_UP + args.count):
        begun = time.perf_counter()
        create(index)
        transaction.commit()
        elapsed.append(time.perf_counter() - begun)
    total = time.perf_counter() - started
    items = args.count * 6
    return {
        "expedientes": args.count,
        "items": items,
        "seconds": total,
        "items_per_s": items / total,
        "ms_per_item": total * 1000 / items,
        "expediente_p50_ms": percentile(elapsed, 0.5) * 1000,
        "expediente_p95_ms": percentile(elapsed, 0.95) * 1000,
    }


with open(args.samples, encoding="utf-8") as source:
    samples = json.load(source)
with zope_app(args.conf) as app, site_of(app, args.site) as site:
    write(args.out, measure(site, samples))
