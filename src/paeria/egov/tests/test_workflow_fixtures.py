"""Named users per role and content brought into each workflow state, shared by
the workflow tests (test_workflow_tables, test_workflow_rules,
test_workflow_http); the tests here check that the users hold exactly the roles
the other tests assume, so that those tests do not take them from the site.

Everybody gets their role the way the portal gives it: the unit's staff through
the unit's groups, the citizen and the invited unit as local roles on one
expediente, the Auditor and the catalogue's editor globally. Report requests
(``WorkflowFixture.solicitud``) ask a third unit without members, so that
the grants they make on the expediente change no named user's roles; the
``colaborador`` user holds Colaborador on each request as on the expediente.
"""

from contextlib import contextmanager
from paeria.egov.registro.register import register_entry
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.app.testing import TEST_USER_NAME
from plone.uuid.interfaces import IUUID
import unittest


PASSWORD = "correct-horse-battery-7"
UNIT_ID = "urbanismo"
OTHER_UNIT_ID = "cultura"
OTHER_UNIT_DIR3 = base.OTHER_UNIT_DIR3
# The unit the fixture's report requests ask: nobody is in its groups.
REQUESTED_UNIT_ID = "hacienda"
REQUESTED_UNIT_DIR3 = "LA0024680"

# user id -> (roles on the unit's expedientes and their documents, roles on a
# procedure of the catalogue). Anonymous is every user's; Authenticated every
# logged-in user's. None: not logged in.
USERS = {
    "anonimo": None,
    "ciudadano": (set(), set()),  # another citizen, no role on the expediente
    "interesado": ({"Interesado"}, set()),
    "tramitador": ({"Tramitador"}, set()),
    "responsable": ({"Responsable"}, set()),
    "tramitador_otra": (set(), set()),  # staff of another unit
    "colaborador": ({"Colaborador"}, set()),
    "registrador": ({"Registrador"}, {"Registrador"}),
    "editor": ({"EditorCatalogo"}, {"EditorCatalogo"}),
    "auditor": ({"Auditor"}, {"Auditor"}),
    "manager": ({"Manager"}, {"Manager"}),
    "siteadmin": ({"Site Administrator"}, {"Site Administrator"}),
}
GLOBAL_ROLES = {
    "registrador": ["Registrador"],
    "editor": ["EditorCatalogo"],
    "auditor": ["Auditor"],
    "manager": ["Manager"],
    "siteadmin": ["Site Administrator"],
}
# The interested party's NIF is the citizen's.
INTERESADO_NIF = base.VALID_NIF

RESOLUTION = "TD01"
EXPEDIENTE_PATHS = {
    "iniciado": (),
    "en_tramitacion": ("tramitar",),
    "subsanacion": ("tramitar", "requerir_subsanacion"),
    "resuelto": ("tramitar", "sign a resolution", "resolver"),
    "cerrado": ("tramitar", "sign a resolution", "resolver", "cerrar"),
    "archivado": ("tramitar", "sign a resolution", "resolver", "cerrar", "archivar"),
}
DOCUMENTO_PATHS = {
    "borrador": (),
    "pendiente_firma": ("enviar_firma",),
    "firmado": ("enviar_firma", "firmar"),
    "incorporado": ("incorporar",),
    "anulado": ("anular",),
}
SOLICITUD_PATHS = {
    "pendiente": (),
    "emitido": ("emitir",),
    "cancelada": ("cancelar",),
}
PROCEDIMIENTO_PATHS = {
    "borrador": (),
    "publicado": ("publicar",),
    "retirado": ("publicar", "retirar"),
}
NOTIFICACION_PATHS = {
    "puesta_a_disposicion": (),
    "aceptada": ("acceder",),
    "rechazada": ("rechazar",),
}
# Transitions the test user (Manager) may not take: a person with the role does.
TAKEN_BY = {"firmar": "responsable", "acceder": "interesado", "rechazar": "interesado"}
COMMENTS = {"anular": "Duplicat", "reabrir": "Recurs estimat"}


def roles_of(user_id, on_procedure=False):
    """The roles ``user_id`` holds on the unit's content (or a procedure),
    with the implicit ones."""
    grants = USERS[user_id]
    if grants is None:
        return {"Anonymous"}
    return {"Anonymous", "Authenticated"} | grants[1 if on_procedure else 0]


@contextmanager
def as_user(user_id):
    """Run as ``user_id`` (``anonimo``: nobody logged in), then back to the
    test user."""
    portal = api.portal.get()
    if user_id == "anonimo":
        logout()
    else:
        login(portal, user_id)
    try:
        yield
    finally:
        login(portal, TEST_USER_NAME)


class WorkflowFixture:
    """A unit with its staff, another unit, a published procedure, the users
    of USERS, and factories of content in any workflow state."""

    def __init__(self, portal):
        self.portal = portal
        setRoles(portal, TEST_USER_ID, ["Manager"])
        self.unidad = base.create_unidad(portal, id=UNIT_ID)
        self.otra_unidad = base.create_unidad(
            portal, id=OTHER_UNIT_ID, title="Cultura", dir3_code=OTHER_UNIT_DIR3
        )
        self.procedimiento = base.create_procedimiento(portal, self.unidad)
        api.content.transition(self.procedimiento, "publicar")
        for user_id in USERS:
            if user_id == "anonimo":
                continue
            api.user.create(
                email=f"{user_id}@example.org",
                username=user_id,
                password=PASSWORD,
                roles=["Member", *GLOBAL_ROLES.get(user_id, [])],
                properties={"fullname": user_id.capitalize()}
                # The citizen's NIF, as the electronic office stores it: the
                # addressee of notifications is known by it.
                | ({"nif": INTERESADO_NIF} if user_id == "interesado" else {}),
            )
        groups = {
            "tramitador": self.unidad.tramitadores_group_id(),
            "responsable": self.unidad.responsables_group_id(),
            "tramitador_otra": self.otra_unidad.tramitadores_group_id(),
        }
        for user_id, group_id in groups.items():
            api.group.add_user(groupname=group_id, username=user_id)

    def expediente(self, state="iniciado", title=None):
        """A new expediente of the unit in ``state``, with the citizen and the
        invited unit's user holding their local roles on it."""
        expediente = base.create_expediente(
            self.unidad,
            self.procedimiento,
            title=title or f"Expedient {state}",
            interesados=[base.interesado(identifier=INTERESADO_NIF)],
        )
        expediente.manage_setLocalRoles("interesado", ["Interesado"])
        expediente.manage_setLocalRoles("colaborador", ["Colaborador"])
        expediente.reindexObjectSecurity()
        for step in EXPEDIENTE_PATHS[state]:
            if step == "sign a resolution":
                self.documento(expediente, "firmado", tipo_documental=RESOLUTION)
            else:
                self.transition(expediente, step)
        assert api.content.get_state(expediente) == state
        return expediente

    def documento(self, expediente=None, state="borrador", **fields):
        if expediente is None:
            expediente = self.expediente("en_tramitacion")
        fields.setdefault("title", f"Document {state}")
        fields.setdefault("file", base.named_file(base.pdf_bytes(fields["title"])))
        documento = base.create_documento(expediente, **fields)
        for step in DOCUMENTO_PATHS[state]:
            self.transition(documento, step)
        assert api.content.get_state(documento) == state
        return documento

    @property
    def requested_unidad(self):
        """The unit the fixture's report requests ask (created when first
        needed, so that fixtures without requests stay as they were)."""
        unidades = self.portal["unidades"]
        if REQUESTED_UNIT_ID not in unidades:
            base.create_unidad(
                self.portal,
                id=REQUESTED_UNIT_ID,
                title="Hisenda",
                dir3_code=REQUESTED_UNIT_DIR3,
            )
        return unidades[REQUESTED_UNIT_ID]

    def solicitud(self, expediente=None, state="pendiente", **fields):
        """A report request of ``expediente`` (a new one in en_tramitacion by
        default) to the requested unit, in ``state``; ``emitir`` answers it
        with a new draft document, which it incorporates."""
        from paeria.egov.collaboration.requests import emitir

        if expediente is None:
            expediente = self.expediente("en_tramitacion")
        fields.setdefault("unidad_solicitada", IUUID(self.requested_unidad))
        fields.setdefault("asunto", f"Informe {state}")
        # plone.api wants an id or a title; the request computes its title.
        solicitud = api.content.create(
            container=expediente, type="SolicitudInforme", title="Informe", **fields
        )
        solicitud.manage_setLocalRoles("colaborador", ["Colaborador"])
        solicitud.reindexObjectSecurity()
        for step in SOLICITUD_PATHS[state]:
            if step == "emitir":
                report = self.documento(
                    expediente, title=f"Informe {state}", tipo_documental="TD13"
                )
                emitir(solicitud, report)
            else:
                self.transition(solicitud, step)
        assert api.content.get_state(solicitud) == state
        return solicitud

    def notificacion(self, expediente=None, state="puesta_a_disposicion"):
        """A notification of a new signed document of ``expediente`` (a new one
        in en_tramitacion by default) to its interested party, in ``state``."""
        from paeria.egov.notifications.notify import notify_document

        if expediente is None:
            expediente = self.expediente("en_tramitacion")
        documento = self.documento(expediente, "firmado", title=f"Ofici {state}")
        notificacion = notify_document(expediente, IUUID(documento), INTERESADO_NIF)
        for step in NOTIFICACION_PATHS[state]:
            self.transition(notificacion, step)
        assert api.content.get_state(notificacion) == state
        return notificacion

    def asiento(self):
        """A register entry for the fixture's unit and procedure, filed online
        by the interested party with one PDF (its receipt is added)."""
        return register_entry(
            {
                "canal": "telematico",
                "interesado_identifier_type": "NIF",
                "interesado_identifier": base.VALID_NIF,
                "interesado_name": "Maria Puig i Soler",
                "resumen": "Sol·licitud de llicència",
                "unidad_destino": IUUID(self.unidad),
                "procedimiento": IUUID(self.procedimiento),
            },
            [
                {
                    "data": base.pdf_bytes("Solicitud"),
                    "filename": "solicitud.pdf",
                    "content_type": "application/pdf",
                    "tipo_documental": "TD14",
                }
            ],
        )

    def procedimiento_in(self, state):
        procedimiento = base.create_procedimiento(
            self.portal, self.unidad, title=f"Procediment {state}"
        )
        for step in PROCEDIMIENTO_PATHS[state]:
            self.transition(procedimiento, step)
        return procedimiento

    def transition(self, obj, transition, comment=None):
        comment = comment if comment is not None else COMMENTS.get(transition, "")
        user_id = TAKEN_BY.get(transition)
        if user_id is None:
            api.content.transition(obj, transition, comment=comment)
        else:
            with as_user(user_id):
                api.content.transition(obj, transition, comment=comment)


class TestFixtureRoles(unittest.TestCase):
    """The roles each named user holds: what the other workflow tests assume."""

    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.fixture = WorkflowFixture(self.layer["portal"])

    def test_users_hold_the_intended_roles(self):
        expediente = self.fixture.expediente("en_tramitacion")
        documento = self.fixture.documento(expediente)
        procedimiento = self.fixture.procedimiento
        for user_id in USERS:
            for obj, on_procedure in (
                (expediente, False),
                (documento, False),
                (procedimiento, True),
            ):
                with self.subTest(user=user_id, obj=obj.portal_type):
                    if USERS[user_id] is None:
                        continue  # nobody: checked in the HTTP tests
                    held = set(api.user.get_roles(username=user_id, obj=obj))
                    # Owner is the creator's (the test user), Member every
                    # member's; neither appears in the tables' grants to them.
                    held -= {"Member"}
                    self.assertEqual(
                        held, roles_of(user_id, on_procedure) - {"Anonymous"}
                    )

    def test_users_hold_the_intended_roles_on_a_report_request(self):
        """A request inherits no local roles: the unit's staff hold theirs on
        it through the unit's groups, the colaborador user its own grant, and
        the citizen none at all (internal)."""
        solicitud = self.fixture.solicitud()
        for user_id in USERS:
            if USERS[user_id] is None:
                continue
            with self.subTest(user=user_id):
                held = set(api.user.get_roles(username=user_id, obj=solicitud))
                held -= {"Member"}
                expected = roles_of(user_id) - {"Anonymous"} - {"Interesado"}
                self.assertEqual(held, expected)

    def test_paths_reach_every_state(self):
        for state in EXPEDIENTE_PATHS:
            with self.subTest(state=state):
                self.assertEqual(
                    api.content.get_state(self.fixture.expediente(state)), state
                )
        expediente = self.fixture.expediente("en_tramitacion")
        for state in DOCUMENTO_PATHS:
            with self.subTest(documento=state):
                self.assertEqual(
                    api.content.get_state(self.fixture.documento(expediente, state)),
                    state,
                )
        for state in SOLICITUD_PATHS:
            with self.subTest(solicitud=state):
                self.assertEqual(
                    api.content.get_state(self.fixture.solicitud(expediente, state)),
                    state,
                )
