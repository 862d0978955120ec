"""The reference organisation: units, their staff and published procedures."""

from paeria.egov.reference import REFERENCE_PASSWORD
from paeria.egov.reference.making import ReferenceMaker
from paeria.egov.reference.making import slug
from paeria.egov.reference.people import staff_name
from paeria.egov.states import Procedimiento
from plone import api
import transaction


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


class Organisation(ReferenceMaker):
    """Makes the units, their staff and their procedures (idempotent)."""

    def setup(self):
        """Units with their staff and published procedures (idempotent)."""
        self.units = []
        self.procedures = []
        unidades = self.site.unidades
        for number in range(self.scale.units):
            title = UNITS[number % len(UNITS)]
            if number >= len(UNITS):
                title = f"{title} {number // len(UNITS) + 1}"
            unit_id = slug(title)
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
