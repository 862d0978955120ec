"""Load the reference data set into a site: ``paeria-instance load-reference``.

Objects are made the way the portal makes them (content added to its container,
so that numbering, fingerprints, the journal, the catalog and security all run
as for a citizen's filing) but with their historic dates and workflow histories
written directly: a workflow transition would stamp today's date on a
resolution signed in 2023. Work is committed in batches together with a
progress record, so an interrupted load resumes after its last batch.
"""

from Acquisition import aq_base
from DateTime import DateTime
from datetime import timedelta
from hashlib import sha256
from paeria.egov.calendar.filing import effective_filing_datetime
from paeria.egov.clock import MADRID
from paeria.egov.content.asiento import ENTRADA
from paeria.egov.content.asiento import IRegisteredDocument
from paeria.egov.content.asiento import SALIDA
from paeria.egov.content.asiento import SERIES
from paeria.egov.csvcodes import CSV_ALPHABET
from paeria.egov.csvcodes import CSV_LENGTH
from paeria.egov.csvcodes import csv_regulation
from paeria.egov.expedientes.metadata import compute_expediente_deadline
from paeria.egov.notifications.expiry import EXPIRY_DAYS
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import format_expediente_number
from paeria.egov.numbering import next_number
from paeria.egov.reference import REFERENCE_PASSWORD
from paeria.egov.reference import SCALES
from paeria.egov.reference.files import make_file
from paeria.egov.reference.people import address
from paeria.egov.reference.people import party
from paeria.egov.reference.people import sentence
from paeria.egov.reference.people import staff_name
from paeria.egov.reference.plan import EXPEDIENTE_STEPS
from paeria.egov.reference.plan import EXTRA_FORMATS
from paeria.egov.reference.plan import EXTRA_TIPOS
from paeria.egov.reference.plan import pick
from paeria.egov.reference.plan import Planner
from paeria.egov.registro.receipt import issuer_name
from paeria.egov.registro.receipt import receipt_pdf
from paeria.egov.registro.receipt import receipt_title
from paeria.egov.registro.register import format_register_number
from paeria.egov.registro.register import RECEIPT_ID
from paeria.egov.registro.register import RECEIPT_TIPO_DOCUMENTAL
from paeria.egov.settings.calendar import site_calendar
from paeria.egov.states import Asiento
from paeria.egov.states import Documento
from paeria.egov.states import Expediente
from paeria.egov.states import Notificacion
from paeria.egov.states import Procedimiento
from paeria.egov.workflow.signing import CSV_SIGNATURE
from paeria.egov.workflow.signing import SignatureRecord
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from plone import api
from plone.dexterity.utils import addContentToContainer
from plone.dexterity.utils import createContent
from plone.i18n.normalizer.interfaces import IIDNormalizer
from plone.namedfile.file import NamedBlobFile
from zope.annotation.interfaces import IAnnotations
from zope.component import getUtility
from zope.interface import alsoProvides
import pytz
import time
import transaction


PROGRESS_KEY = "paeria.egov.reference"

# Lleida's departments (the reference deployment's own organisation chart).
UNITS = (
    "Alcaldia",
    "Secretaria General",
    "Intervenció",
    "Tresoreria",
    "Gestió Tributària",
    "Urbanisme",
    "Llicències d'Obres",
    "Activitats",
    "Medi Ambient",
    "Via Pública",
    "Mobilitat",
    "Guàrdia Urbana",
    "Serveis Socials",
    "Habitatge",
    "Educació",
    "Cultura",
    "Esports",
    "Joventut",
    "Salut Pública",
    "Comerç i Mercats",
    "Promoció Econòmica",
    "Recursos Humans",
    "Contractació",
    "Patrimoni",
    "Padró d'Habitants",
    "Cementiris",
    "Participació Ciutadana",
    "Horta i Agricultura",
    "Igualtat",
    "Sistemes d'Informació",
)

# (title pattern, maximum time, its unit, silence) of each unit's procedures.
PROCEDURE_KINDS = (
    ("Sol·licitud general — {unit}", 3, "months", "desestimatorio"),
    ("Autorització o llicència — {unit}", 1, "months", "estimatorio"),
    ("Queixa, reclamació o recurs — {unit}", 30, "business_days", "desestimatorio"),
)


def _slug(text):
    return getUtility(IIDNormalizer).normalize(text, max_length=40)


def _add(container, obj):
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


def _progress(site):
    return IAnnotations(site).get(PROGRESS_KEY)


def loaded_so_far(site):
    """How many expedientes of the site's reference data are stored (0: none)."""
    progress = _progress(site)
    return 0 if progress is None else progress["next"]


class ReferenceLoader:
    """Loads ``scale`` with ``seed`` into ``site``; ``report(done, total)`` is
    called after every batch (the command line shows a progress bar)."""

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

    # -- Progress and resumption --------------------------------------------------

    def check_resumable(self):
        """Refuse to mix data sets: a site holds one scale and seed."""
        progress = _progress(self.site)
        if progress is None:
            return
        if (progress["scale"], progress["seed"]) != (self.scale.name, self.seed):
            raise ValueError(
                f"this site holds reference data of scale {progress['scale']!r} "
                f"and seed {progress['seed']}; load those again to resume, or "
                "start from an empty site"
            )

    def progress(self):
        progress = _progress(self.site)
        if progress is None:
            progress = IAnnotations(self.site)[PROGRESS_KEY] = PersistentMapping(
                scale=self.scale.name,
                seed=self.seed,
                next=0,
                extras=self.planner.extra_documents_total(),
                seconds=0.0,
            )
        return progress

    @property
    def total(self):
        return self.scale.expedientes

    # -- The organisation ---------------------------------------------------------

    def setup(self):
        """Units with their staff and published procedures (idempotent)."""
        self.units = []
        self.procedures = []
        unidades = self.site.unidades
        for number in range(self.scale.units):
            title = UNITS[number % len(UNITS)]
            if number >= len(UNITS):
                title = f"{title} {number // len(UNITS) + 1}"
            unit_id = _slug(title)
            unit = unidades.get(unit_id)
            if unit is None:
                unit = api.content.create(
                    container=unidades,
                    type="Unidad",
                    id=unit_id,
                    title=title,
                    dir3_code=f"LA{3100 + number:07d}",
                )
            self.units.append(unit)
            self.procedures.append(self._procedures(unit, number))
        self._staff()
        transaction.commit()

    def _procedures(self, unit, number):
        procedures = []
        for kind, (pattern, amount, time_unit, silence) in enumerate(PROCEDURE_KINDS):
            proc_id = f"{unit.getId()}-{kind + 1}"
            procedure = self.site.tramites.get(proc_id)
            if procedure is None:
                procedure = api.content.create(
                    container=self.site.tramites,
                    type="Procedimiento",
                    id=proc_id,
                    title=pattern.format(unit=unit.title),
                    description=f"Tràmit de {unit.title}.",
                    sia_code=str(2100000 + number * 10 + kind),
                    responsible_unit=unit.UID(),
                    max_resolution_amount=amount,
                    max_resolution_unit=time_unit,
                    silence_effect=silence,
                    channels=["telematico", "presencial"],
                    online_start=True,
                    required_documents=[
                        {
                            "name": "Sol·licitud",
                            "mandatory": True,
                            "tipo_documental": "TD14",
                        }
                    ],
                )
                api.content.transition(procedure, to_state=Procedimiento.PUBLICADO)
            procedures.append(procedure)
        return procedures

    def _staff(self):
        """``users`` staff spread over the units, one in five a Responsable."""
        per_unit = max(2, self.scale.users // self.scale.units)
        responsables = max(1, per_unit // 5)
        number = 0
        for unit in self.units:
            for position in range(per_unit):
                role = "responsable" if position < responsables else "tramitador"
                username = f"{unit.getId()}.{role}{position + 1:02d}"
                if api.user.get(username=username) is None:
                    api.user.create(
                        username=username,
                        email=f"{username}@reference.paeria.invalid",
                        password=REFERENCE_PASSWORD,
                        properties={"fullname": staff_name(self.seed, number)},
                    )
                group = (
                    unit.responsables_group_id()
                    if role == "responsable"
                    else unit.tramitadores_group_id()
                )
                api.group.add_user(groupname=group, username=username)
                number += 1
        self.staff = {
            unit.getId(): [
                f"{unit.getId()}.{'responsable' if p < responsables else 'tramitador'}"
                f"{p + 1:02d}"
                for p in range(per_unit)
            ]
            for unit in self.units
        }

    # -- Expedientes --------------------------------------------------------------

    def run(self, report=None, stop=None):
        """Load every expediente not loaded yet, a batch per transaction."""
        progress = self.progress()
        transaction.commit()
        started = time.monotonic()
        while progress["next"] < self.total:
            if stop is not None and stop():
                break
            first = progress["next"]
            last = min(first + self.batch, self.total)
            for index in range(first, last):
                self.expediente(self.planner.plan(index), progress["extras"])
            progress["next"] = last
            progress["seconds"] = progress["seconds"] + time.monotonic() - started
            started = time.monotonic()
            transaction.commit()
            if report is not None:
                report(last, self.total, dict(self.counts))
        return progress["next"] >= self.total

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
                data, contentType=content_type, filename=f"{_slug(title)}.{extension}"
            ),
            tipo_documental=tipo,
            origen=origen,
            estado_elaboracion="EE01",
            fecha_captura=moment,
        )
        if registered:
            alsoProvides(documento, IRegisteredDocument)
        documento.id = doc_id or f"documento-{number:03d}"
        documento = _add(container, documento)
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

    def _entry(self, plan, unit, procedure, tipo, moment, resumen, files, party_row):
        """A register entry numbered in its year's series, with its documents,
        its receipt and its distribution to ``unit``."""
        kind, identifier, name, _ = party_row
        year = moment.year
        numero = format_register_number(
            SERIES[tipo], year, next_number(self.site, SERIES[tipo], year)
        )
        asiento = createContent(
            "Asiento",
            tipo=tipo,
            canal="telematico" if tipo == SALIDA or plan.online else "presencial",
            interesado_identifier_type=kind,
            interesado_identifier=identifier,
            interesado_name=name,
            resumen=resumen,
            organo_destino=unit.dir3_code if tipo == ENTRADA else None,
            organo_origen=unit.dir3_code if tipo == SALIDA else None,
            unidad_destino=unit.UID(),
            procedimiento=procedure.UID(),
        )
        asiento.id = numero.replace("/", "-").lower()
        asiento.numero = numero
        asiento.title = f"{numero} {resumen[:80]}"
        asiento.fecha_presentacion = moment
        asiento.fecha_efectiva = effective_filing_datetime(
            moment, self.calendar
        ).astimezone(MADRID)
        asiento = _add(self.site.registro, asiento)
        self._count("Asiento")
        origen = "ciudadano" if tipo == ENTRADA else "administracion"
        documents = []
        for position, (title, tipo_documental, content) in enumerate(files, start=1):
            documento, _ = self._document(
                asiento,
                plan,
                40 + position,
                title,
                tipo_documental,
                origen,
                moment,
                None,
                registered=True,
                doc_id=f"documento-{position}",
                data=content,
            )
            documento.posicion_registro = position
            documents.append(documento)
        csv = self._csv(numero)
        receipt, _ = self._document(
            asiento,
            plan,
            49,
            receipt_title(asiento),
            RECEIPT_TIPO_DOCUMENTAL,
            "administracion",
            moment,
            None,
            registered=True,
            doc_id=RECEIPT_ID,
            data=(receipt_pdf(asiento, csv), "application/pdf", "pdf"),
        )
        self._sign(receipt, "portal", moment, csv=csv)
        receipt.signatures[0].signer_fullname = self.issuer
        asiento.csv = csv
        asiento.justificante = receipt.getId()
        # Distributed to the unit a little later the same day.
        distributed = moment + timedelta(minutes=45)
        asiento.unidad_distribucion = unit.UID()
        asiento.fecha_distribucion = distributed
        asiento.manage_setLocalRoles(unit.tramitadores_group_id(), ["Tramitador"])
        asiento.manage_setLocalRoles(unit.responsables_group_id(), ["Responsable"])
        steps = [
            (None, Asiento.REGISTRADO, "registro", moment, ""),
            (Asiento.DISTRIBUIR, Asiento.DISTRIBUIDO, "registro", distributed, ""),
        ]
        for obj in (asiento, *documents, receipt):
            self._history(obj, steps, "registro")
        return asiento, [*documents, receipt]

    def _copy_into(self, expediente, plan, number, original, moment, actor):
        """The register's document as a new, incorporated document of the
        expediente (as the unit's intake does)."""
        content = (
            original.file.data,
            original.file.contentType,
            original.file.filename.rsplit(".", 1)[-1],
        )
        copy, _ = self._document(
            expediente,
            plan,
            number,
            original.title,
            original.tipo_documental,
            original.origen,
            moment,
            None,
            data=content,
        )
        self._history(
            copy,
            [
                (None, Documento.BORRADOR, actor, moment, ""),
                (
                    Documento.INCORPORAR,
                    Documento.INCORPORADO,
                    actor,
                    moment,
                    f"Registrado con el asiento {original.__parent__.numero}",
                ),
            ],
            actor,
        )
        return copy

    def expediente(self, plan, extras_total):
        unit = self.units[plan.unit]
        procedure = self.procedures[plan.unit][plan.procedure]
        staff = self.staff[unit.getId()]
        tramitador = staff[-1 - plan.index % max(1, len(staff) - 1)]
        responsable = staff[0]
        kind, identifier, name, email = party(self.seed, plan.party)
        electronic = plan.electronic
        row = {
            "identifier_type": kind,
            "identifier": identifier,
            "name": name,
            "representative": None,
            "notification_channel": "electronica" if electronic else "papel",
            "email": email if electronic else None,
        }
        summary = (
            f"{procedure.title.split(' — ')[0]}: {sentence(self.seed, plan.index, 6)}"
        )
        asiento = None
        filed = []
        if plan.from_entry:
            application = make_file(
                plan.application_format,
                "Sol·licitud",
                [
                    summary,
                    f"Interessat: {name} ({identifier}).",
                    address(self.seed, plan.party),
                ],
            )
            asiento, filed = self._entry(
                plan,
                unit,
                procedure,
                ENTRADA,
                plan.opened,
                summary,
                [("Sol·licitud", "TD14", application)],
                (kind, identifier, name, email),
            )
        opened = plan.opened + timedelta(hours=2) if asiento else plan.opened
        year = opened.year
        number = next_number(self.site, EXPEDIENTE, year)
        expediente = createContent(
            "Expediente",
            title=summary[:200],
            procedimiento=procedure.UID(),
            interesados=[row],
        )
        expediente.id = f"{year}-{number:06d}"
        expediente.numero = format_expediente_number(year, number)
        expediente.eni_identifier = f"ES_{unit.dir3_code}_{year}_EXP_{number:06d}"
        expediente.fecha_apertura = opened
        if asiento is not None:
            expediente.fecha_inicio_computo = asiento.fecha_efectiva
            expediente.asiento = asiento.UID()
        expediente = _add(unit, expediente)
        self._count("Expediente")
        if asiento is not None:
            asiento.expediente = expediente.UID()

        steps = EXPEDIENTE_STEPS[plan.state]
        moments = self.planner.moments(plan, len(steps) + 1)
        document_number = 0
        for original in filed:
            document_number += 1
            self._copy_into(
                expediente, plan, document_number, original, opened, tramitador
            )
        if not filed:
            document_number += 1
            order, _ = self._document(
                expediente,
                plan,
                document_number,
                "Providència d'inici",
                "TD12",
                "administracion",
                opened,
                "pdf",
            )
            self._signed(order, opened, responsable)

        # The case workers' own documents, spread over the life of the case.
        rng = self.planner.rng(plan.index, 2)
        for extra in range(self.planner.extra_documents(plan.index, extras_total)):
            document_number += 1
            tipo = rng.choice(EXTRA_TIPOS)
            moment = moments[min(extra, len(moments) - 1)]
            documento, _ = self._document(
                expediente,
                plan,
                document_number,
                f"Document {tipo} {extra + 1}",
                tipo,
                "administracion",
                moment,
                pick(rng, EXTRA_FORMATS),
            )
            # Drafts only while the case is open; what stays in a resolved
            # case was signed or incorporated.
            if plan.resolved or rng.random() < 0.5:
                self._signed(documento, moment, responsable)
            else:
                self._history(
                    documento,
                    [(None, Documento.BORRADOR, tramitador, moment, "")],
                    tramitador,
                )

        history = [(None, Expediente.INICIADO, tramitador, opened, "")]
        resolution = None
        for (action, state), moment in zip(steps, moments[1:], strict=True):
            if action == Expediente.REQUERIR_SUBSANACION:
                document_number += 1
                self._signed_pdf(
                    expediente,
                    plan,
                    document_number,
                    "Requeriment d'esmena",
                    "TD06",
                    moment,
                    responsable,
                )
                expediente.suspensions = ((moment.date(), None),)
            if action == Expediente.RESOLVER:
                document_number += 1
                resolution = self._signed_pdf(
                    expediente,
                    plan,
                    document_number,
                    "Resolució",
                    "TD01",
                    moment,
                    responsable,
                )
            actor = (
                responsable
                if action
                in (Expediente.RESOLVER, Expediente.CERRAR, Expediente.ARCHIVAR)
                else tramitador
            )
            history.append((action, state, actor, moment, ""))
        self._history(expediente, history, tramitador)
        # Recomputed with its suspensions, as of its last step.
        expediente.fecha_limite = compute_expediente_deadline(
            expediente, today=moments[-1].date()
        )

        if plan.notified and resolution is not None:
            self._notify(
                plan, expediente, unit, procedure, resolution, row, history[-1][3]
            )
        expediente.reindexObject()

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

    def _notify(self, plan, expediente, unit, procedure, documento, row, moment):
        blob = documento.file
        numero = expediente.numero
        asiento, _ = self._entry(
            plan,
            unit,
            procedure,
            SALIDA,
            moment,
            f"Notificación: {documento.title} (expediente {numero})",
            [
                (
                    documento.title,
                    documento.tipo_documental,
                    (blob.data, blob.contentType, "pdf"),
                )
            ],
            (row["identifier_type"], row["identifier"], row["name"], row["email"]),
        )
        notificacion = createContent("Notificacion")
        notificacion.id = "notificacion-" + asiento.numero.replace("/", "-").lower()
        notificacion.title = f"Notificació de «{documento.title}» a {row['name']}"
        notificacion.destinatario_identifier = row["identifier"]
        notificacion.destinatario_name = row["name"]
        notificacion.documento = documento.UID()
        notificacion.documento_title = documento.title
        notificacion.huella_documento = documento.huella
        notificacion.asiento_salida = asiento.numero
        notificacion.fecha_puesta_disposicion = moment
        notificacion.fecha_expiracion = moment + timedelta(days=EXPIRY_DAYS)
        answered = moment + timedelta(days=2)
        if plan.notification_accepted:
            notificacion.fecha_acceso = answered
            action, state, event = (
                Notificacion.ACCEDER,
                Notificacion.ACEPTADA,
                Notificacion.ACEPTADA,
            )
        else:
            notificacion.fecha_rechazo = answered
            action, state, event = (
                Notificacion.RECHAZAR,
                Notificacion.RECHAZADA,
                Notificacion.RECHAZADA,
            )
        notificacion.evidencias = tuple(
            {
                "evento": name,
                "usuario": actor,
                "fecha": when.isoformat(),
                "fecha_utc": when.astimezone(pytz.utc).isoformat(),
                "direccion": "",
                "huella_documento": documento.huella,
            }
            for name, actor, when in (
                (Notificacion.PUESTA_A_DISPOSICION, "portal", moment),
                (event, row["identifier"], answered),
            )
        )
        notificacion = _add(expediente, notificacion)
        self._count("Notificacion")
        self._history(
            notificacion,
            [
                (None, Notificacion.PUESTA_A_DISPOSICION, "portal", moment, ""),
                (action, state, row["identifier"], answered, ""),
            ],
            "portal",
        )


def load(site, scale="small", seed=2026, batch=100, report=None, stop=None):
    """Load (or resume loading) the reference data into ``site`` as its owner."""
    loader = ReferenceLoader(site, scale=scale, seed=seed, batch=batch)
    loader.check_resumable()
    with api.env.adopt_roles(["Manager"]):
        loader.setup()
        finished = loader.run(report=report, stop=stop)
    return loader, finished
