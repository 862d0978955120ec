"""Load the reference data set into a site: ``paeria-instance load-reference``.

Objects are made the way the portal makes them (content added to its container,
so that numbering, fingerprints, the journal, the catalog and security all run
as for a citizen's filing) but with their historic dates and workflow histories
written directly: a workflow transition would stamp today's date on a
resolution signed in 2023. Work is committed in batches together with a
progress record, so an interrupted load resumes after its last batch.
"""

from datetime import timedelta
from paeria.egov.content.asiento import ENTRADA
from paeria.egov.content.asiento import SALIDA
from paeria.egov.expedientes.metadata import compute_expediente_deadline
from paeria.egov.notifications.expiry import EXPIRY_DAYS
from paeria.egov.numbering import EXPEDIENTE
from paeria.egov.numbering import format_expediente_number
from paeria.egov.numbering import next_number
from paeria.egov.reference.entries import RegisterEntries
from paeria.egov.reference.files import make_file
from paeria.egov.reference.making import add_content
from paeria.egov.reference.organisation import Organisation
from paeria.egov.reference.people import address
from paeria.egov.reference.people import party
from paeria.egov.reference.people import sentence
from paeria.egov.reference.plan import EXPEDIENTE_STEPS
from paeria.egov.reference.plan import EXTRA_FORMATS
from paeria.egov.reference.plan import EXTRA_TIPOS
from paeria.egov.reference.plan import pick
from paeria.egov.states import Documento
from paeria.egov.states import Expediente
from paeria.egov.states import Notificacion
from persistent.mapping import PersistentMapping
from plone import api
from plone.dexterity.utils import createContent
from zope.annotation.interfaces import IAnnotations
import pytz
import time
import transaction


PROGRESS_KEY = "paeria.egov.reference"


def _progress(site):
    return IAnnotations(site).get(PROGRESS_KEY)


def loaded_so_far(site):
    """How many expedientes of the site's reference data are stored (0: none)."""
    progress = _progress(site)
    return 0 if progress is None else progress["next"]


class ReferenceLoader(Organisation, RegisterEntries):
    """Loads ``scale`` with ``seed`` into ``site``; ``report(done, total)`` is
    called after every batch (the command line shows a progress bar)."""

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
        """One expediente of the plan: its filing, documents and history."""
        unit = self.units[plan.unit]
        procedure = self.procedures[plan.unit][plan.procedure]
        staff = self.staff[unit.getId()]
        tramitador, responsable = self._roles(plan, staff)
        person = party(self.seed, plan.party)
        row = self._interesado_row(plan, person)
        summary = (
            f"{procedure.title.split(' — ')[0]}: {sentence(self.seed, plan.index, 6)}"
        )
        asiento, filed = None, []
        if plan.from_entry:
            asiento, filed = self._application(plan, unit, procedure, summary, person)
        opened = plan.opened + timedelta(hours=2) if asiento else plan.opened
        expediente = self._new_expediente(
            unit, procedure, summary, row, opened, asiento
        )
        steps = EXPEDIENTE_STEPS[plan.state]
        moments = self.planner.moments(plan, len(steps) + 1)
        document_number = self._first_documents(
            expediente, plan, filed, opened, tramitador, responsable
        )
        document_number = self._extra_documents(
            expediente, plan, extras_total, moments, document_number, staff=staff
        )
        history, resolution = self._steps(
            expediente, plan, steps, moments, document_number, opened, staff=staff
        )
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

    def _roles(self, plan, staff):
        """(tramitador, responsable) of the plan's expediente among ``staff``."""
        return staff[-1 - plan.index % max(1, len(staff) - 1)], staff[0]

    def _interesado_row(self, plan, person) -> dict:
        """The interested party ``person`` as a row of the expediente."""
        kind, identifier, name, email = person
        electronic = plan.electronic
        return {
            "identifier_type": kind,
            "identifier": identifier,
            "name": name,
            "representative": None,
            "notification_channel": "electronica" if electronic else "papel",
            "email": email if electronic else None,
        }

    def _application(self, plan, unit, procedure, summary, person):
        """(Asiento, its documents) of ``person``'s application that opened the
        case."""
        kind, identifier, name, email = person
        application = make_file(
            plan.application_format,
            "Sol·licitud",
            [
                summary,
                f"Interessat: {name} ({identifier}).",
                address(self.seed, plan.party),
            ],
        )
        return self._entry(
            plan,
            unit,
            procedure,
            ENTRADA,
            plan.opened,
            summary,
            [("Sol·licitud", "TD14", application)],
            (kind, identifier, name, email),
        )

    def _new_expediente(self, unit, procedure, summary, row, opened, asiento):
        """The Expediente, numbered in its year and stored in ``unit``."""
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
        expediente = add_content(unit, expediente)
        self._count("Expediente")
        if asiento is not None:
            asiento.expediente = expediente.UID()
        return expediente

    def _first_documents(self, expediente, plan, filed, opened, tramitador, signer):
        """The filed documents copied in, or else a signed order to open the
        case; returns the last document number used."""
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
            self._signed(order, opened, signer)
        return document_number

    def _extra_documents(
        self, expediente, plan, extras_total, moments, document_number, *, staff
    ):
        """The case workers' own documents, spread over the life of the case;
        returns the last document number used."""
        tramitador, responsable = self._roles(plan, staff)
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
        return document_number

    def _steps(
        self, expediente, plan, steps, moments, document_number, opened, *, staff
    ):
        """(the expediente's workflow history, its resolution or None), making
        the requirement and resolution documents its steps call for."""
        tramitador, responsable = self._roles(plan, staff)
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
        return history, resolution

    def _notify(self, plan, expediente, unit, procedure, documento, row, moment):
        """The resolution sent out through a register exit and notified."""
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
        action, state = self._answer(
            plan, notificacion, documento, row, moment, answered
        )
        notificacion = add_content(expediente, notificacion)
        self._count("Notificacion")
        self._history(
            notificacion,
            [
                (None, Notificacion.PUESTA_A_DISPOSICION, "portal", moment, ""),
                (action, state, row["identifier"], answered, ""),
            ],
            "portal",
        )

    def _answer(self, plan, notificacion, documento, row, moment, answered):
        """The citizen's answer at ``answered``, with the evidence of the
        notice made available at ``moment``; returns the (transition, state) of
        the answer."""
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
        return action, state


def load(site, scale="small", seed=2026, batch=100, report=None, stop=None):
    """Load (or resume loading) the reference data into ``site`` as its owner."""
    loader = ReferenceLoader(site, scale=scale, seed=seed, batch=batch)
    loader.check_resumable()
    with api.env.adopt_roles(["Manager"]):
        loader.setup()
        finished = loader.run(report=report, stop=stop)
    return loader, finished
