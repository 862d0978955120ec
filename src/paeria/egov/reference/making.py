"""The primitives of the reference loader: documents, signatures, histories.

:class:`ReferenceMaker` holds what every part of a load shares (the site, the
scale and seed, the workflow tool, the calendar, the counts) and makes the
pieces the loader assembles: documents with their files, CSV signatures and
workflow histories written with their historic dates.
"""

from Acquisition import aq_base
from DateTime import DateTime
from hashlib import sha256
from paeria.egov.content.asiento import IRegisteredDocument
from paeria.egov.csvcodes import CSV_ALPHABET
from paeria.egov.csvcodes import CSV_LENGTH
from paeria.egov.csvcodes import csv_regulation
from paeria.egov.reference import SCALES
from paeria.egov.reference.files import make_file
from paeria.egov.reference.people import party
from paeria.egov.reference.people import sentence
from paeria.egov.reference.plan import Planner
from paeria.egov.registro.receipt import issuer_name
from paeria.egov.settings.calendar import site_calendar
from paeria.egov.states import Documento
from paeria.egov.workflow.signing import CSV_SIGNATURE
from paeria.egov.workflow.signing import SignatureRecord
from persistent.list import PersistentList
from plone import api
from plone.dexterity.utils import addContentToContainer
from plone.dexterity.utils import createContent
from plone.i18n.normalizer.interfaces import IIDNormalizer
from plone.namedfile.file import NamedBlobFile
from zope.component import getUtility
from zope.interface import alsoProvides


def slug(text):
    return getUtility(IIDNormalizer).normalize(text, max_length=40)


def add_content(container, obj):
    """Add ``obj`` under the id the loader gave it. The plans make every id
    unique, so no name chooser is asked to check it, as
    ``addContentToContainer`` would (4 % of the load's time, profiled), unless
    the id is also the name of one of the container's attributes (an entry's
    ``justificante``): the name chooser then picks another, as it does for
    the portal's own registrations."""
    if hasattr(aq_base(container), obj.id):
        return addContentToContainer(container, obj, checkConstraints=False)
    container._setObject(obj.id, obj)
    return container._getOb(obj.id)


class ReferenceMaker:
    """Makes the pieces of ``scale`` with ``seed`` in ``site``."""

    def __init__(self, site, scale="small", seed=2026, batch=100):
        if scale not in SCALES:
            raise ValueError(
                f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}"
            )
        self.site = site
        self.scale = SCALES[scale]
        self.seed = seed
        self.batch = max(1, batch)
        self.planner = Planner(seed, self.scale)
        self.workflow = api.portal.get_tool("portal_workflow")
        self.calendar = site_calendar()
        self.issuer = issuer_name()
        self.regulation = csv_regulation()
        self.counts = {}

    def _count(self, kind, amount=1):
        self.counts[kind] = self.counts.get(kind, 0) + amount

    def _csv(self, *parts):
        """The document's secure verification code, derived from the seed so
        that a resumed load makes the same one. Reference data is test data:
        a production CSV is drawn at random (paeria.egov.csvcodes.new_csv)."""
        digest = sha256(":".join(map(str, (self.seed, *parts))).encode()).digest()
        number = int.from_bytes(digest, "big")
        letters = []
        for _ in range(CSV_LENGTH):
            number, position = divmod(number, len(CSV_ALPHABET))
            letters.append(CSV_ALPHABET[position])
        return "".join(letters)

    def _history(self, obj, steps, creator):
        """Write ``obj``'s workflow history: its initial state at ``steps[0]``'s
        moment, then each (transition, state, actor, moment, comment)."""
        (chain,) = self.workflow.getChainFor(obj)
        definition = self.workflow[chain]
        entries = [
            {
                "action": action,
                "review_state": state,
                "actor": actor or creator,
                "comments": comment,
                "time": DateTime(moment.isoformat()),
            }
            for action, state, actor, moment, comment in steps
        ]
        obj.workflow_history[chain] = tuple(entries)
        if len(entries) > 1:
            # Still in its initial state, it has that state's roles already.
            definition.updateRoleMappingsFor(obj)
        obj.reindexObject()  # merged with its queued indexing: one cataloging

    def _document(
        self,
        container,
        plan,
        number,
        title,
        tipo,
        origen,
        moment,
        kind,
        *,
        registered=False,
        doc_id=None,
        data=None,
    ):
        if data is None:
            _, identifier, name, _ = party(self.seed, plan.party)
            data, content_type, extension = make_file(
                kind,
                title,
                [
                    sentence(self.seed, plan.index * 64 + number),
                    f"Interessat: {name} ({identifier}).",
                    f"Data: {moment.strftime('%d/%m/%Y')}.",
                ],
            )
        else:
            data, content_type, extension = data
        documento = createContent(
            "Documento",
            title=title,
            file=NamedBlobFile(
                data, contentType=content_type, filename=f"{slug(title)}.{extension}"
            ),
            tipo_documental=tipo,
            origen=origen,
            estado_elaboracion="EE01",
            fecha_captura=moment,
        )
        if registered:
            alsoProvides(documento, IRegisteredDocument)
        documento.id = doc_id or f"documento-{number:03d}"
        documento = add_content(container, documento)
        if documento.fecha_incorporacion is not None:
            documento.fecha_incorporacion = moment
        self._count("Documento")
        return documento, (data, content_type, extension)

    def _sign(self, documento, signer, moment, csv=None):
        record = SignatureRecord(
            CSV_SIGNATURE,
            signer_id=signer,
            signer_fullname=signer,
            signed_at=moment,
            huella=documento.huella,
            csv_value=csv or self._csv(*documento.getPhysicalPath()),
            csv_regulation=self.regulation,
        )
        documento.signatures = PersistentList([record])
        documento.csv = record.csv_value

    def _signed_pdf(self, expediente, plan, number, title, tipo, moment, signer):
        """A PDF the unit issues and its head signs (a requirement, a resolution)."""
        documento, _ = self._document(
            expediente, plan, number, title, tipo, "administracion", moment, "pdf"
        )
        self._signed(documento, moment, signer)
        return documento

    def _signed(self, documento, moment, signer):
        self._history(
            documento,
            [
                (None, Documento.BORRADOR, signer, moment, ""),
                (Documento.ENVIAR_FIRMA, Documento.PENDIENTE_FIRMA, signer, moment, ""),
                (Documento.FIRMAR, Documento.FIRMADO, signer, moment, ""),
            ],
            signer,
        )
        self._sign(documento, signer, moment)
