"""The workflow manager (workflowmanager/): who reads it, that the page and the
API show what the live workflows hold, the GenericSetup export, a Manager's
change of a permission cell reaching existing objects (inline and through the
background job), the change log, and what is refused with nothing changed.

Expected values are read from portal_workflow, never written here: the
workflow definitions change with their own issues.
"""

from lxml import etree
from lxml import html as lxml_html
from paeria.egov.interfaces import IPaeriaEgovLayer
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.testing import PAERIA_EGOV_INTEGRATION_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import as_user
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from paeria.egov.workflowmanager import job as jobs
from paeria.egov.workflowmanager import model
from paeria.egov.workflowmanager import storage
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.protect.authenticator import createToken
from zExceptions import Unauthorized
from zope.interface import alsoProvides
import threading
import time
import transaction
import unittest


EXPEDIENTE_WF = "paeria_expediente_workflow"
DOCUMENTO_WF = "paeria_documento_workflow"
DENIED = (401, 403)
READERS = ("manager", "auditor", "siteadmin", "admin")
OTHERS = (
    "anonimo",
    "ciudadano",
    "interesado",
    "tramitador",
    "responsable",
    "registrador",
    "editor",
)


def assert_refused(test, response):
    """401/403 from the API; the Classic UI sends a browser to log in."""
    if response.status_code == 302:
        test.assertIn("require_login", response.headers["Location"])
    else:
        test.assertIn(response.status_code, DENIED, response.text[:300])


def live_cell(wf_id, state_id, permission):
    """(acquire, roles) straight from the workflow definition."""
    wf = api.portal.get_tool("portal_workflow")[wf_id]
    roles = (wf.states[state_id].permission_roles or {}).get(permission)
    if roles is None:
        return True, set()
    return not isinstance(roles, tuple), set(roles)


def cell(state_id, permission, role, granted=True):
    return {
        "state": state_id,
        "permission": permission,
        "role": role,
        "granted": granted,
    }


def definition_snapshot():
    """Every state's permission map of every paeria workflow, as stored."""
    return {
        wf.getId(): {
            state_id: dict(wf.states[state_id].permission_roles or {})
            for state_id in wf.states.objectIds()
        }
        for wf in model.paeria_workflows()
    }


def roles_with(obj, permission):
    """The roles the object's own role map gives ``permission``."""
    return {
        item["name"] for item in obj.rolesOfPermission(permission) if item["selected"]
    }


def ungranted_role(wf_id, state_id, permission, candidates=("Reader", "Editor")):
    """A role the live definition does not give ``permission`` in the state."""
    _acquire, roles = live_cell(wf_id, state_id, permission)
    for role in candidates:
        if role not in roles:
            return role
    raise AssertionError(f"{candidates} all hold {permission} in {state_id}")


def record_cells():
    """Every (workflow, state, permission) the law keeps closed, that exists."""
    cells = []
    for wf in model.paeria_workflows():
        for state_id in model.LEGAL_RECORD_STATES.get(wf.getId(), ()):
            if state_id not in wf.states.objectIds():
                continue
            for permission in model.RECORD_PERMISSIONS:
                if permission in wf.permissions:
                    cells.append((wf.getId(), state_id, permission))
    return cells


class IntegrationTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        alsoProvides(self.request, IPaeriaEgovLayer)
        base.prefer_english(self.request)
        self.fixture = WorkflowFixture(self.portal)

    def render(self, workflow=None):
        self.request.form.clear()
        if workflow:
            self.request.form["workflow"] = workflow
        return self.portal.restrictedTraverse("@@paeria-workflows")()


class TestReading(IntegrationTestCase):
    def test_titles_are_shown_in_the_users_language(self):
        from paeria.egov.tests.test_i18n import LOCALES
        from paeria.egov.tests.test_i18n import read_catalogue

        self.request.environ["HTTP_ACCEPT_LANGUAGE"] = "es"
        self.request.other.pop("LANGUAGE_TOOL", None)
        html = self.render("paeria_solicitudinforme_workflow")
        spanish = read_catalogue(LOCALES / "es" / "LC_MESSAGES" / "plone.po")
        wf = api.portal.get_tool("portal_workflow")["paeria_solicitudinforme_workflow"]
        for title in [wf.title] + [state.title for state in wf.states.objectValues()]:
            with self.subTest(title=title):
                self.assertTrue(spanish[title][0])
                self.assertIn(spanish[title][0], html)

    def test_lists_every_paeria_workflow_with_types_states_and_transitions(self):
        tool = api.portal.get_tool("portal_workflow")
        expected = sorted(i for i in tool.objectIds() if i.startswith("paeria_"))
        self.assertIn(EXPEDIENTE_WF, expected)
        view = self.portal.restrictedTraverse("@@paeria-workflows")
        infos = view.workflows()
        self.assertEqual([info["id"] for info in infos], expected)
        for info in infos:
            wf = tool[info["id"]]
            with self.subTest(workflow=info["id"]):
                self.assertEqual(
                    info["types"],
                    sorted(
                        t
                        for t in api.portal.get_tool("portal_types").objectIds()
                        if info["id"] in tool.getChainForPortalType(t)
                    ),
                )
                self.assertEqual(
                    [(s["id"], s["title"], s["description"]) for s in info["states"]],
                    [
                        (s.getId(), s.title or s.getId(), s.description or "")
                        for s in wf.states.objectValues()
                    ],
                )
                for transition in info["transitions"]:
                    definition = wf.transitions[transition["id"]]
                    self.assertEqual(transition["to"], definition.new_state_id)
                    self.assertEqual(
                        transition["guard"]["permissions"],
                        list(definition.getGuard().permissions or ()),
                    )
                    self.assertEqual(
                        set(transition["from"]),
                        {
                            s.getId()
                            for s in wf.states.objectValues()
                            if transition["id"] in s.transitions
                        },
                    )
        self.assertIn(
            "Expediente", infos[[i["id"] for i in infos].index(EXPEDIENTE_WF)]["types"]
        )

    def test_page_shows_each_workflow_and_the_chosen_ones_details(self):
        page = lxml_html.fromstring(self.render(DOCUMENTO_WF))
        wf = api.portal.get_tool("portal_workflow")[DOCUMENTO_WF]
        tabs = page.cssselect("#wfm-workflows a")
        self.assertEqual(len(tabs), len(model.paeria_workflows()))
        states = [
            row.cssselect("code")[0].text
            for row in page.cssselect("#wfm-states tbody tr")
        ]
        self.assertEqual(states, list(wf.states.objectIds()))
        transitions = [
            row.cssselect("code")[0].text
            for row in page.cssselect("#wfm-transitions tbody tr")
        ]
        self.assertEqual(transitions, list(wf.transitions.objectIds()))
        for transition_id in transitions:
            guard = wf.transitions[transition_id].getGuard()
            for permission in guard.permissions:
                self.assertIn(
                    permission, page.cssselect("#wfm-transitions")[0].text_content()
                )

    def test_matrix_is_the_live_definition_with_the_sites_roles(self):
        site_roles = set(self.portal.validRoles())
        for custom in (
            "Tramitador",
            "Responsable",
            "Registrador",
            "EditorCatalogo",
            "Colaborador",
            "Interesado",
            "Auditor",
        ):
            self.assertIn(custom, site_roles)
        for wf in model.paeria_workflows():
            matrix = model.matrix(wf)
            self.assertEqual(set(matrix["roles"]), site_roles)
            self.assertEqual(matrix["permissions"], list(wf.permissions))
            for state_id in wf.states.objectIds():
                for permission in wf.permissions:
                    with self.subTest(wf=wf.getId(), state=state_id, p=permission):
                        acquire, roles = live_cell(wf.getId(), state_id, permission)
                        shown = matrix["states"][state_id][permission]
                        self.assertEqual(shown["acquire"], acquire)
                        self.assertEqual(set(shown["roles"]), roles)

    def test_page_matrix_cells_follow_the_definition(self):
        for wf in model.paeria_workflows():
            page = lxml_html.fromstring(self.render(wf.getId()))
            cells = page.cssselect("td[data-cell]")
            self.assertEqual(
                len(cells),
                len(wf.states.objectIds())
                * len(wf.permissions)
                * len(self.portal.validRoles()),
            )
            for td in cells:
                state_id, permission, role = td.get("data-cell").split("|")
                _acquire, roles = live_cell(wf.getId(), state_id, permission)
                with self.subTest(cell=td.get("data-cell")):
                    self.assertEqual(td.get("class") == "wfm-granted", role in roles)
                    box = td.cssselect("input[type=checkbox]")[0]
                    self.assertEqual(box.get("checked") is not None, role in roles)

    def test_auditor_reads_without_edit_controls(self):
        with as_user("auditor"):
            html = self.render(EXPEDIENTE_WF)
        page = lxml_html.fromstring(html)
        self.assertTrue(page.cssselect("td[data-cell]"))
        self.assertEqual(page.cssselect("form#wfm-matrix-form"), [])
        self.assertEqual(page.cssselect("input[type=checkbox]"), [])
        self.assertEqual(page.cssselect("button[name=update]"), [])
        granted = [
            td for td in page.cssselect("td[data-cell]") if "✓" in td.text_content()
        ]
        self.assertEqual(
            len(granted),
            sum(
                len(live_cell(EXPEDIENTE_WF, s, p)[1] & set(self.portal.validRoles()))
                for s in api.portal.get_tool("portal_workflow")[
                    EXPEDIENTE_WF
                ].states.objectIds()
                for p in api.portal.get_tool("portal_workflow")[
                    EXPEDIENTE_WF
                ].permissions
            ),
        )

    def test_staff_and_citizens_may_not_read_nor_change(self):
        for user_id in ("tramitador", "responsable", "registrador", "ciudadano"):
            with self.subTest(user=user_id), as_user(user_id):
                for name in (
                    "@@paeria-workflows",
                    "@@paeria-workflows-export",
                    "@@paeria-workflows-change",
                ):
                    with self.assertRaises(Unauthorized):
                        self.portal.restrictedTraverse(name)
        with as_user("auditor"):
            self.portal.restrictedTraverse("@@paeria-workflows")
            with self.assertRaises(Unauthorized):
                self.portal.restrictedTraverse("@@paeria-workflows-change")

    def test_configlet(self):
        tool = api.portal.get_tool("portal_controlpanel")
        (action,) = [a for a in tool.listActions() if a.id == "paeria-workflows"]
        self.assertEqual(action.permissions, ("paeria.egov: View workflows",))
        self.assertIn("@@paeria-workflows", action.getActionExpression())


class TestExport(IntegrationTestCase):
    def test_export_parses_and_its_permission_map_is_the_live_one(self):
        for wf in model.paeria_workflows():
            with self.subTest(wf=wf.getId()):
                root = etree.fromstring(model.export_xml(wf))
                self.assertEqual(root.tag, "dc-workflow")
                self.assertEqual(root.get("workflow_id"), wf.getId())
                self.assertEqual(
                    [node.text for node in root.findall("permission")],
                    list(wf.permissions),
                )
                exported = {}
                for state in root.findall("state"):
                    for pmap in state.findall("permission-map"):
                        exported[(state.get("state_id"), pmap.get("name"))] = (
                            pmap.get("acquired") == "True",
                            {role.text for role in pmap.findall("permission-role")},
                        )
                live = {
                    (state_id, permission): (
                        not isinstance(roles, tuple),
                        set(roles),
                    )
                    for state_id in wf.states.objectIds()
                    for permission, roles in (
                        wf.states[state_id].permission_roles or {}
                    ).items()
                }
                self.assertEqual(exported, live)

    def test_export_follows_a_change(self):
        role = ungranted_role(DOCUMENTO_WF, "borrador", "View")
        model.change_cells(
            DOCUMENTO_WF,
            [cell("borrador", "View", role)],
        )
        root = etree.fromstring(
            model.export_xml(api.portal.get_tool("portal_workflow")[DOCUMENTO_WF])
        )
        (pmap,) = root.xpath("state[@state_id='borrador']/permission-map[@name='View']")
        self.assertIn(role, [node.text for node in pmap.findall("permission-role")])

    def test_export_view_for_the_auditor(self):
        self.request.form["workflow"] = EXPEDIENTE_WF
        with as_user("auditor"):
            body = self.portal.restrictedTraverse("@@paeria-workflows-export")()
        self.assertEqual(etree.fromstring(body).get("workflow_id"), EXPEDIENTE_WF)
        self.assertIn(
            'filename="definition.xml"',
            self.request.response.getHeader("Content-Disposition"),
        )


class TestChanges(IntegrationTestCase):
    def test_grant_reaches_existing_objects_and_is_logged(self):
        expediente = self.fixture.expediente("en_tramitacion")
        documento = self.fixture.documento(expediente, "borrador")
        otro = self.fixture.documento(expediente, "borrador", title="Altre")
        firmado = self.fixture.documento(expediente, "firmado")
        # View opens the document; Access contents information is what the
        # catalog indexes for searching (Plone 6.2).
        permissions = ("View", "Access contents information")
        role = ungranted_role(DOCUMENTO_WF, "borrador", "View")
        for permission in permissions:
            self.assertNotIn(role, live_cell(DOCUMENTO_WF, "borrador", permission)[1])
        # A real user holding that role on the document cannot see it yet.
        api.user.create(
            email="lector@example.org", username="lector", password=PASSWORD
        )
        documento.manage_setLocalRoles("lector", [role])
        documento.reindexObjectSecurity()
        uid = api.content.get_uuid(documento)
        self.assertFalse(
            api.user.has_permission("View", username="lector", obj=documento)
        )
        with as_user("lector"):
            self.assertEqual(len(api.content.find(UID=uid)), 0)
        before_firmado = {p: roles_with(firmado, p) for p in permissions}

        result = model.change_cells(
            DOCUMENTO_WF,
            [cell("borrador", permission, role) for permission in permissions],
            user_id="manager",
        )

        for permission in permissions:
            self.assertIn(role, live_cell(DOCUMENTO_WF, "borrador", permission)[1])
            self.assertIn(role, roles_with(documento, permission))
            self.assertIn(role, roles_with(otro, permission))
        # Objects in other states keep their mappings.
        self.assertEqual(
            {p: roles_with(firmado, p) for p in permissions}, before_firmado
        )
        self.assertTrue(
            api.user.has_permission("View", username="lector", obj=documento)
        )
        with as_user("lector"):
            self.assertEqual(len(api.content.find(UID=uid)), 1)
        job = result["job"]
        self.assertEqual(job["mode"], "inline")
        self.assertEqual(job["status"], "finished")
        self.assertEqual(job["states"], ["borrador"])
        self.assertEqual(job["updated"], 2)
        self.assertEqual(job["done"], job["total"])
        entries = storage.log_entries(DOCUMENTO_WF)
        fields = (
            "kind",
            "user",
            "workflow",
            "state",
            "permission",
            "role",
            "granted",
            "objects_updated",
            "job",
        )
        self.assertEqual(
            sorted(tuple(entry[k] for k in fields) for entry in entries),
            sorted(
                (
                    storage.CELL_CHANGED,
                    "manager",
                    DOCUMENTO_WF,
                    "borrador",
                    permission,
                    role,
                    True,
                    2,
                    job["id"],
                )
                for permission in permissions
            ),
        )
        for entry in entries:
            self.assertEqual(entry["when"].utcoffset().total_seconds(), 0)

    def test_withdraw_takes_access_from_a_named_user(self):
        expediente = self.fixture.expediente("en_tramitacion")
        self.assertTrue(
            api.user.has_permission("View", username="auditor", obj=expediente)
        )
        self.assertIn("Auditor", live_cell(EXPEDIENTE_WF, "en_tramitacion", "View")[1])
        model.change_cells(
            EXPEDIENTE_WF,
            [cell("en_tramitacion", "View", "Auditor", granted=False)],
        )
        self.assertNotIn("Auditor", roles_with(expediente, "View"))
        self.assertFalse(
            api.user.has_permission("View", username="auditor", obj=expediente)
        )
        (entry,) = storage.log_entries(EXPEDIENTE_WF)
        self.assertIs(entry["granted"], False)
        self.assertEqual(entry["objects_updated"], 1)

    def test_a_cell_already_so_changes_nothing(self):
        acquire, roles = live_cell(EXPEDIENTE_WF, "iniciado", "View")
        role = sorted(roles)[0]
        result = model.change_cells(
            EXPEDIENTE_WF,
            [cell("iniciado", "View", role)],
        )
        self.assertEqual(result, {"changed": [], "job": None})
        self.assertEqual(storage.log_entries(), [])
        self.assertEqual(live_cell(EXPEDIENTE_WF, "iniciado", "View"), (acquire, roles))

    def test_the_acquire_flag_is_kept(self):
        wf = api.portal.get_tool("portal_workflow")[EXPEDIENTE_WF]
        acquire, _roles = live_cell(EXPEDIENTE_WF, "iniciado", "View")
        model.change_cells(
            EXPEDIENTE_WF,
            [cell("iniciado", "View", "Reader")],
        )
        stored = wf.states["iniciado"].permission_roles["View"]
        self.assertEqual(not isinstance(stored, tuple), acquire)

    def test_record_states_refuse_modify_delete_add_with_nothing_changed(self):
        expediente = self.fixture.expediente("cerrado")
        before_object = roles_with(expediente, "Modify portal content")
        cells = record_cells()
        covered = {(wf_id, state) for wf_id, state, _p in cells}
        for required in (
            (DOCUMENTO_WF, "firmado"),
            (DOCUMENTO_WF, "anulado"),
            (EXPEDIENTE_WF, "cerrado"),
            (EXPEDIENTE_WF, "archivado"),
            ("paeria_asiento_workflow", "registrado"),
            ("paeria_asiento_workflow", "distribuido"),
        ):
            self.assertIn(required, covered)
        before = definition_snapshot()
        for wf_id, state_id, permission in cells:
            for role in ("Manager", "Tramitador"):
                with self.subTest(wf=wf_id, state=state_id, p=permission, role=role):
                    with self.assertRaises(model.ChangeRefused) as caught:
                        model.change_cells(
                            wf_id,
                            [
                                {
                                    "state": state_id,
                                    "permission": permission,
                                    "role": role,
                                    "granted": True,
                                }
                            ],
                        )
                    self.assertEqual(caught.exception.field, "changes[0]")
                    self.assertEqual(
                        caught.exception.message.mapping["state"], state_id
                    )
        self.assertEqual(definition_snapshot(), before)
        self.assertEqual(roles_with(expediente, "Modify portal content"), before_object)
        self.assertEqual(storage.log_entries(), [])
        self.assertEqual(storage.list_jobs(), [])

    def test_one_refused_cell_refuses_the_whole_change(self):
        expediente = self.fixture.expediente("en_tramitacion")
        before = definition_snapshot()
        before_object = roles_with(expediente, "View")
        with self.assertRaises(model.ChangeRefused) as caught:
            model.change_cells(
                EXPEDIENTE_WF,
                [
                    cell("en_tramitacion", "View", "Reader"),
                    cell("cerrado", "Modify portal content", "Manager"),
                ],
            )
        self.assertEqual(caught.exception.field, "changes[1]")
        self.assertEqual(definition_snapshot(), before)
        self.assertEqual(roles_with(expediente, "View"), before_object)
        self.assertEqual(storage.log_entries(), [])

    def test_withdrawing_in_a_record_state_is_allowed(self):
        _acquire, roles = live_cell(EXPEDIENTE_WF, "cerrado", "View")
        role = sorted(roles)[0]
        result = model.change_cells(
            EXPEDIENTE_WF,
            [cell("cerrado", "View", role, granted=False)],
        )
        self.assertEqual(len(result["changed"]), 1)

    def test_bad_cells_are_named(self):
        before = definition_snapshot()
        good = cell("iniciado", "View", "Reader")
        for change, field in (
            ({**good, "state": "nowhere"}, "changes[0].state"),
            ({**good, "permission": "Manage portal"}, "changes[0].permission"),
            ({**good, "role": "Pirate"}, "changes[0].role"),
            ({**good, "granted": "yes"}, "changes[0].granted"),
            ("View", "changes[0]"),
        ):
            with self.subTest(field=field):
                with self.assertRaises(model.ChangeRefused) as caught:
                    model.change_cells(EXPEDIENTE_WF, [change])
                self.assertEqual(caught.exception.field, field)
        for wf_id, changes, field in (
            ("simple_publication_workflow", [good], "workflow"),
            (EXPEDIENTE_WF, [], "changes"),
            (EXPEDIENTE_WF, None, "changes"),
        ):
            with self.subTest(field=field, wf=wf_id):
                with self.assertRaises(model.ChangeRefused) as caught:
                    model.change_cells(wf_id, changes)
                self.assertEqual(caught.exception.field, field)
        self.assertEqual(definition_snapshot(), before)
        self.assertEqual(storage.log_entries(), [])


class HTTPTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = WorkflowFixture(self.portal)
        self.sessions = []
        transaction.commit()

    def tearDown(self):
        for session in self.sessions:
            session.close()
        # A background job must not outlive the test's database.
        for thread in threading.enumerate():
            if thread.name.startswith("paeria-workflowmanager-"):
                thread.join(30)

    def session(self, user_id, accept="application/json"):
        if user_id == "admin":
            session = base.api_session(
                self.portal_url, SITE_OWNER_NAME, SITE_OWNER_PASSWORD
            )
        else:
            session = base.api_session(self.portal_url, user_id, PASSWORD)
            if user_id == "anonimo":
                session.auth = None
        session.headers["Accept"] = accept
        self.sessions.append(session)
        return session

    def refresh(self):
        transaction.begin()

    def job_revisions(self, job_id):
        """(status, done) of each committed revision of a job, oldest first."""
        job = storage.get_job(job_id)
        db = self.portal._p_jar.db()
        revisions = []
        for record in reversed(db.history(job._p_oid, size=100)):
            connection = db.open(at=record["tid"])
            try:
                stored = connection.get(job._p_oid)
                revisions.append((stored["status"], stored["done"]))
            finally:
                connection.close()
        return revisions

    def patch(self, session, wf_id, changes):
        return session.patch(f"@paeria-workflows/{wf_id}", json={"changes": changes})


class TestAccessHTTP(HTTPTestCase):
    def test_readers_and_others(self):
        for user_id in READERS + OTHERS:
            api_session = self.session(user_id)
            page_session = self.session(user_id, accept="text/html")
            for label, response in (
                ("rest list", api_session.get("@paeria-workflows")),
                ("rest one", api_session.get(f"@paeria-workflows/{EXPEDIENTE_WF}")),
                ("page", page_session.get("@@paeria-workflows", allow_redirects=False)),
                (
                    "export",
                    page_session.get(
                        "@@paeria-workflows-export",
                        params={"workflow": EXPEDIENTE_WF},
                        allow_redirects=False,
                    ),
                ),
            ):
                with self.subTest(user=user_id, what=label):
                    if user_id in READERS:
                        self.assertEqual(response.status_code, 200, response.text[:300])
                    elif label.startswith("rest"):
                        self.assertIn(response.status_code, DENIED)
                    else:
                        assert_refused(self, response)

    def test_unknown_workflow_is_404(self):
        session = self.session("manager")
        for wf_id in ("nope", "simple_publication_workflow"):
            with self.subTest(wf=wf_id):
                self.assertEqual(
                    session.get(f"@paeria-workflows/{wf_id}").status_code, 404
                )


class TestRESTHTTP(HTTPTestCase):
    def test_get_shows_the_live_matrix_and_edit_rights(self):
        wf = api.portal.get_tool("portal_workflow")[DOCUMENTO_WF]
        body = self.session("auditor").get(f"@paeria-workflows/{DOCUMENTO_WF}").json()
        self.assertFalse(body["can_edit"])
        self.assertEqual([s["id"] for s in body["states"]], list(wf.states.objectIds()))
        for state_id in wf.states.objectIds():
            for permission in wf.permissions:
                acquire, roles = live_cell(DOCUMENTO_WF, state_id, permission)
                shown = body["matrix"]["states"][state_id][permission]
                self.assertEqual(
                    (shown["acquire"], set(shown["roles"])), (acquire, roles)
                )
        listing = self.session("manager").get("@paeria-workflows").json()
        self.assertTrue(listing["can_edit"])
        self.assertEqual(
            [item["id"] for item in listing["items"]],
            [wf.getId() for wf in model.paeria_workflows()],
        )

    def test_manager_patch_changes_existing_objects_and_logs(self):
        expediente = self.fixture.expediente("subsanacion")
        role = ungranted_role(EXPEDIENTE_WF, "subsanacion", "View")
        transaction.commit()
        session = self.session("manager")
        response = self.patch(
            session,
            EXPEDIENTE_WF,
            [cell("subsanacion", "View", role)],
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(len(body["changed"]), 1)
        self.assertEqual(body["job"]["status"], "finished")
        self.assertEqual(body["job"]["updated"], 1)
        self.refresh()
        self.assertIn(role, roles_with(expediente, "View"))
        self.assertIn(role, live_cell(EXPEDIENTE_WF, "subsanacion", "View")[1])
        (entry,) = storage.log_entries(EXPEDIENTE_WF)
        self.assertEqual(
            (entry["user"], entry["role"], entry["granted"]), ("manager", role, True)
        )
        log = session.get(f"@paeria-workflows/{EXPEDIENTE_WF}").json()["log"]
        self.assertEqual(log[0]["role"], role)
        self.assertEqual(log[0]["objects_updated"], 1)

    def test_auditor_cannot_patch(self):
        expediente = self.fixture.expediente("iniciado")
        transaction.commit()
        before = definition_snapshot()
        before_object = roles_with(expediente, "View")
        response = self.patch(
            self.session("auditor"),
            EXPEDIENTE_WF,
            [cell("iniciado", "View", "Reader")],
        )
        self.assertIn(response.status_code, DENIED)
        self.refresh()
        self.assertEqual(definition_snapshot(), before)
        self.assertEqual(roles_with(expediente, "View"), before_object)
        self.assertEqual(storage.log_entries(), [])

    def test_refused_cell_answers_400_with_nothing_changed(self):
        documento = self.fixture.documento(state="firmado")
        transaction.commit()
        before = definition_snapshot()
        before_object = roles_with(documento, "Modify portal content")
        response = self.patch(
            self.session("manager"),
            DOCUMENTO_WF,
            [cell("firmado", "Modify portal content", "Manager")],
        )
        self.assertEqual(response.status_code, 400, response.text)
        error = response.json()["error"]
        self.assertEqual(list(error["fields"]), ["changes[0]"])
        self.assertEqual(error["fields"]["changes[0]"], error["message"])
        self.assertIn("firmado", error["message"])
        self.assertIn("Modify portal content", error["message"])
        self.refresh()
        self.assertEqual(definition_snapshot(), before)
        self.assertEqual(roles_with(documento, "Modify portal content"), before_object)
        self.assertEqual(storage.log_entries(), [])
        self.assertEqual(storage.list_jobs(), [])

    def test_background_job_processes_every_object_and_reports_progress(self):
        storage.set_setting("inline_limit", 2)
        storage.set_setting("batch_size", 2)
        expedientes = [
            self.fixture.expediente("en_tramitacion", title=f"Expedient {n}")
            for n in range(5)
        ]
        iniciado = self.fixture.expediente("iniciado")
        transaction.commit()
        role = ungranted_role(EXPEDIENTE_WF, "en_tramitacion", "View")
        session = self.session("manager")
        response = self.patch(
            session,
            EXPEDIENTE_WF,
            [cell("en_tramitacion", "View", role)],
        )
        self.assertEqual(response.status_code, 200, response.text)
        job = response.json()["job"]
        self.assertEqual(job["mode"], "background")
        self.assertEqual(job["total"], 5)
        # A polling deadline on the monotonic clock; waiting on an Event rather
        # than time.sleep, which fails with EINVAL under libfaketime 0.9.10
        # when the monotonic clock is not faked (the date-shifted CI runs).
        deadline = time.monotonic() + 60
        pause = threading.Event()
        while True:
            body = session.get(f"@paeria-workflows/{EXPEDIENTE_WF}").json()
            (shown,) = [j for j in body["jobs"] if j["id"] == job["id"]]
            if shown["status"] in ("finished", "failed") or time.monotonic() > deadline:
                break
            pause.wait(0.2)
        self.assertEqual(shown["status"], "finished", shown)
        self.assertEqual((shown["done"], shown["total"], shown["updated"]), (5, 5, 5))
        self.assertEqual(shown["user"], "manager")
        self.assertTrue(shown["started"] and shown["finished"])
        self.refresh()
        # Progress was committed batch by batch (batches of 2): the job's
        # stored revisions show each step.
        self.assertEqual(
            self.job_revisions(job["id"]),
            [
                ("queued", 0),
                ("running", 0),
                ("running", 2),
                ("running", 4),
                ("running", 5),
                ("finished", 5),
            ],
        )
        for expediente in expedientes:
            self.assertIn(role, roles_with(expediente, "View"))
        self.assertNotIn(role, roles_with(iniciado, "View"))
        kinds = [
            (e["kind"], e["objects_updated"], e["job"])
            for e in storage.log_entries(EXPEDIENTE_WF)
        ]
        self.assertEqual(
            kinds,
            [
                (storage.ROLE_MAPPINGS_UPDATED, 5, job["id"]),
                (storage.CELL_CHANGED, None, job["id"]),
            ],
        )
        page = self.session("auditor", accept="text/html").get(
            "@@paeria-workflows", params={"workflow": EXPEDIENTE_WF}
        )
        tree = lxml_html.fromstring(page.text)
        (row,) = tree.cssselect(f'#wfm-jobs tr[data-job="{job["id"]}"]')
        self.assertIn("5 / 5", row.text_content())
        self.assertIn("finished", row.text_content())

    def test_a_failed_job_says_why(self):
        storage.set_setting("inline_limit", 0)
        self.fixture.expediente("iniciado")
        # Started for a user who does not exist: the thread cannot act as them.
        job_id = jobs.start_update(EXPEDIENTE_WF, ["iniciado"], "ghost")["id"]
        transaction.commit()
        for thread in threading.enumerate():
            if thread.name == f"paeria-workflowmanager-{job_id}":
                thread.join(30)
        self.refresh()
        job = storage.get_job(job_id)
        self.assertEqual(job["status"], "failed")
        self.assertIn("ghost", job["error"])
        self.assertIsNotNone(job["finished"])


class TestFormHTTP(HTTPTestCase):
    def form(self, cells_checked, was, token):
        data = [("workflow", EXPEDIENTE_WF), ("form.submitted", "1")]
        data += [("cell:list", key) for key in cells_checked]
        data += [("was:list", key) for key in was]
        if token:
            data.append(("_authenticator", token))
        return data

    def granted_keys(self, state_id, permission):
        _acquire, roles = live_cell(EXPEDIENTE_WF, state_id, permission)
        return [f"{state_id}|{permission}|{role}" for role in sorted(roles)]

    def test_manager_ticks_a_cell(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        role = ungranted_role(EXPEDIENTE_WF, "en_tramitacion", "View")
        with api.env.adopt_user(username="manager"):
            token = createToken()
        was = self.granted_keys("en_tramitacion", "View")
        session = self.session("manager", accept="text/html")
        response = session.post(
            "@@paeria-workflows-change",
            data=self.form([*was, f"en_tramitacion|View|{role}"], was, token),
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302, response.text[:500])
        self.refresh()
        self.assertIn(role, roles_with(expediente, "View"))
        (entry,) = storage.log_entries(EXPEDIENTE_WF)
        self.assertEqual(
            (entry["state"], entry["role"], entry["granted"]),
            ("en_tramitacion", role, True),
        )
        page = session.get(response.headers["Location"])
        tree = lxml_html.fromstring(page.text)
        self.assertTrue(tree.cssselect("#wfm-log tbody tr"))
        self.assertIn(role, tree.cssselect("#wfm-log tbody tr")[0].text_content())

    def test_missing_token_is_refused(self):
        expediente = self.fixture.expediente("en_tramitacion")
        transaction.commit()
        before = definition_snapshot()
        before_object = roles_with(expediente, "View")
        was = self.granted_keys("en_tramitacion", "View")
        response = self.session("manager", accept="text/html").post(
            "@@paeria-workflows-change",
            data=self.form([*was, "en_tramitacion|View|Reader"], was, None),
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 403)
        self.refresh()
        self.assertEqual(definition_snapshot(), before)
        self.assertEqual(roles_with(expediente, "View"), before_object)
        self.assertEqual(storage.log_entries(), [])

    def test_auditor_post_is_refused(self):
        with api.env.adopt_user(username="auditor"):
            token = createToken()
        before = definition_snapshot()
        was = self.granted_keys("iniciado", "View")
        response = self.session("auditor", accept="text/html").post(
            "@@paeria-workflows-change",
            data=self.form([*was, "iniciado|View|Reader"], was, token),
            allow_redirects=False,
        )
        assert_refused(self, response)
        self.refresh()
        self.assertEqual(definition_snapshot(), before)

    def test_record_cell_is_refused_in_the_form(self):
        with api.env.adopt_user(username="manager"):
            token = createToken()
        transaction.commit()
        before = definition_snapshot()
        response = self.session("manager", accept="text/html").post(
            "@@paeria-workflows-change",
            data=self.form(["cerrado|Modify portal content|Manager"], [], token),
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        tree = lxml_html.fromstring(response.text)
        error = tree.cssselect("#wfm-error")[0].text_content()
        self.assertIn("cerrado", error)
        self.assertIn("Modify portal content", error)
        self.refresh()
        self.assertEqual(definition_snapshot(), before)
        self.assertEqual(storage.log_entries(), [])
