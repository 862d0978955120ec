"""Register entries of the reference data: numbered, with documents, a signed
receipt and their distribution, as the register makes them."""

from datetime import timedelta
from paeria.egov.calendar.filing import effective_filing_datetime
from paeria.egov.clock import MADRID
from paeria.egov.content.asiento import ENTRADA
from paeria.egov.content.asiento import SALIDA
from paeria.egov.content.asiento import SERIES
from paeria.egov.numbering import next_number
from paeria.egov.reference.making import add_content
from paeria.egov.reference.making import ReferenceMaker
from paeria.egov.registro.receipt import receipt_pdf
from paeria.egov.registro.receipt import receipt_title
from paeria.egov.registro.register import format_register_number
from paeria.egov.registro.register import RECEIPT_ID
from paeria.egov.registro.register import RECEIPT_TIPO_DOCUMENTAL
from paeria.egov.states import Asiento
from plone.dexterity.utils import createContent


class RegisterEntries(ReferenceMaker):
    """Makes register entries (entradas and salidas) of the reference data."""

    def _entry(self, plan, unit, procedure, tipo, moment, resumen, files, party_row):
        """A register entry numbered in its year's series, with its documents,
        its receipt and its distribution to ``unit``."""
        asiento = self._asiento(plan, unit, procedure, tipo, moment, resumen, party_row)
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
        receipt = self._receipt(asiento, plan, moment)
        distributed = self._distribute(asiento, unit, moment)
        steps = [
            (None, Asiento.REGISTRADO, "registro", moment, ""),
            (Asiento.DISTRIBUIR, Asiento.DISTRIBUIDO, "registro", distributed, ""),
        ]
        for obj in (asiento, *documents, receipt):
            self._history(obj, steps, "registro")
        return asiento, [*documents, receipt]

    def _asiento(self, plan, unit, procedure, tipo, moment, resumen, party_row):
        """The Asiento itself, numbered in its year's series and stored."""
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
        asiento = add_content(self.site.registro, asiento)
        self._count("Asiento")
        return asiento

    def _receipt(self, asiento, plan, moment):
        """The entry's receipt, signed by the portal with the entry's CSV."""
        csv = self._csv(asiento.numero)
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
        return receipt

    def _distribute(self, asiento, unit, moment):
        """Distribute the entry to ``unit`` a little later the same day; returns
        when."""
        distributed = moment + timedelta(minutes=45)
        asiento.unidad_distribucion = unit.UID()
        asiento.fecha_distribucion = distributed
        asiento.manage_setLocalRoles(unit.tramitadores_group_id(), ["Tramitador"])
        asiento.manage_setLocalRoles(unit.responsables_group_id(), ["Responsable"])
        return distributed
