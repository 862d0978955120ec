"""The staff's desk, Mi mesa (issue 20): ``@@mi-mesa`` and ``GET @mi-mesa``
list, from the catalog, what waits for the current user and their units;
staff land there after logging in and find it in the navigation."""

from datetime import timedelta
from paeria.egov import clock
from paeria.egov.desk import desk
from paeria.egov.desk.browser import asked_for_nothing
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.test_workflow_fixtures import as_user
from paeria.egov.tests.test_workflow_fixtures import PASSWORD
from paeria.egov.tests.test_workflow_fixtures import WorkflowFixture
from plone.testing.zope import Browser
from plone.uuid.interfaces import IUUID
from unittest import mock
import transaction
import unittest


class DeskTestCase(base.UserSessions, unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.fixture = fixture = WorkflowFixture(self.portal)
        with as_user("tramitador"):
            self.mine = base.create_expediente(
                fixture.unidad, fixture.procedimiento, title="Meu"
            )
        self.unassigned = fixture.expediente("en_tramitacion", title="Ningú")
        self.closed = fixture.expediente("cerrado", title="Tancat")
        self.closed.tramitador_asignado = "tramitador"
        self.closed.reindexObject()
        self.to_sign = fixture.documento(self.unassigned, "pendiente_firma")
        self.answered = fixture.expediente("subsanacion", title="Respost")
        fixture.transition(self.answered, "subsanar")
        self.waiting = fixture.expediente("subsanacion", title="Esperant")
        self.solicitud = fixture.solicitud(
            self.unassigned, unidad_solicitada=IUUID(fixture.otra_unidad)
        )
        self.rejected = fixture.notificacion(self.unassigned, "rechazada")
        # Due tomorrow; another one months away.
        self.unassigned.fecha_limite = clock.today() + timedelta(days=1)
        self.unassigned.reindexObject()
        self.answered.fecha_limite = clock.today() + timedelta(days=200)
        self.answered.reindexObject()
        transaction.commit()

    def desk(self, user_id, **params):
        response = self.session(user_id).get(
            f"{self.portal_url}/@mi-mesa", params=params
        )
        self.assertEqual(response.status_code, 200, response.text)
        return {item["id"]: item for item in response.json()["lists"]}

    def urls(self, desk_list):
        return [item["@id"] for item in desk_list["items"]]


class TestDeskLists(DeskTestCase):
    def test_the_tramitadors_lists(self):
        lists = self.desk("tramitador")
        self.assertEqual(list(lists), list(desk.LIST_IDS))
        self.assertEqual(self.urls(lists["asignados"]), [self.mine.absolute_url()])
        self.assertEqual(lists["asignados"]["items"][0]["numero"], self.mine.numero)
        self.assertNotIn(self.mine.absolute_url(), self.urls(lists["sin_asignar"]))
        self.assertIn(self.unassigned.absolute_url(), self.urls(lists["sin_asignar"]))
        self.assertNotIn(self.closed.absolute_url(), self.urls(lists["sin_asignar"]))
        # Signing is the Responsable's.
        self.assertEqual(lists["pendientes_firma"]["items_total"], 0)
        self.assertEqual(
            self.urls(lists["subsanaciones"]), [self.answered.absolute_url()]
        )
        self.assertEqual(
            self.urls(lists["notificaciones"]), [self.rejected.absolute_url()]
        )
        self.assertEqual(self.urls(lists["plazos"]), [self.unassigned.absolute_url()])
        self.assertEqual(
            lists["plazos"]["items"][0]["deadline"],
            self.unassigned.fecha_limite.isoformat(),
        )
        self.assertEqual(lists["informes"]["items_total"], 0)

    def test_the_responsable_sees_what_waits_for_a_signature(self):
        lists = self.desk("responsable")
        self.assertEqual(
            self.urls(lists["pendientes_firma"]), [self.to_sign.absolute_url()]
        )
        self.assertEqual(lists["asignados"]["items_total"], 0)

    def test_the_requested_unit_sees_the_report_request(self):
        lists = self.desk("tramitador_otra")
        self.assertEqual(self.urls(lists["informes"]), [self.solicitud.absolute_url()])
        self.assertEqual(lists["sin_asignar"]["items_total"], 0)

    def test_a_later_transition_clears_the_answer(self):
        self.fixture.transition(self.answered, "requerir_subsanacion")
        transaction.commit()
        self.assertEqual(self.desk("tramitador")["subsanaciones"]["items_total"], 0)

    def test_old_rejections_leave_the_list(self):
        with mock.patch.object(
            clock, "now", return_value=clock.now() + timedelta(days=31)
        ):
            lists = desk.desk_lists({}, "tramitador")
        self.assertEqual(lists[desk.LIST_IDS.index("notificaciones")]["items"], [])

    def test_lists_are_batched(self):
        for number in range(3):
            self.fixture.expediente("en_tramitacion", title=f"Més {number}")
        transaction.commit()
        first = self.desk("tramitador", b_size=2, list="sin_asignar")
        self.assertEqual(list(first), ["sin_asignar"])
        self.assertEqual(first["sin_asignar"]["items_total"], 6)
        self.assertEqual(len(first["sin_asignar"]["items"]), 2)
        rest = self.desk("tramitador", b_size=2, b_start=2, list="sin_asignar")
        self.assertEqual(len(rest["sin_asignar"]["items"]), 2)
        self.assertFalse(
            set(self.urls(first["sin_asignar"])) & set(self.urls(rest["sin_asignar"]))
        )

    def test_no_object_is_loaded_per_row(self):
        units = desk.staff_units("tramitador")
        with mock.patch(
            "Products.ZCatalog.CatalogBrains.AbstractCatalogBrain.getObject",
            side_effect=AssertionError("an object loaded"),
        ):
            for list_id in desk.LIST_IDS:
                for brain in desk.search(list_id, units):
                    desk.row(brain)

    def test_who_may_not_have_a_desk(self):
        response = self.session("interesado").get(f"{self.portal_url}/@mi-mesa")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"]["type"], "Forbidden")
        response = self.session("tramitador").get(
            f"{self.portal_url}/@mi-mesa", params={"list": "nope"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("list", response.json()["error"]["fields"])
        for name, value in (("b_size", "abc"), ("b_start", "-1")):
            with self.subTest(name=name):
                response = self.session("tramitador").get(
                    f"{self.portal_url}/@mi-mesa", params={name: value}
                )
                self.assertEqual(response.status_code, 400, response.text)
                self.assertEqual(list(response.json()["error"]["fields"]), [name])
        anonymous = self.session("tramitador")
        anonymous.auth = None
        anonymous.headers["Accept-Language"] = "es"
        response = anonymous.get(f"{self.portal_url}/@mi-mesa")
        self.assertEqual(response.status_code, 401)
        self.assertNotIn("Log in", response.json()["error"]["message"])


class TestDeskPage(DeskTestCase):
    def browser(self, user_id=None):
        browser = Browser(self.layer["app"])
        browser.handleErrors = False
        browser.addHeader("Accept-Language", "es")
        if user_id:
            browser.addHeader("Authorization", f"Basic {user_id}:{PASSWORD}")
        return browser

    def test_the_page_shows_each_list_with_its_count(self):
        browser = self.browser("tramitador")
        browser.open(f"{self.portal_url}/@@mi-mesa")
        self.assertIn('id="desk-asignados"', browser.contents)
        self.assertIn(self.mine.absolute_url(), browser.contents)
        self.assertIn(self.unassigned.absolute_url(), browser.contents)
        self.assertIn('paeria-desk-count">3<', browser.contents)  # unassigned
        # Nothing to sign for the tramitador; the Responsable is led to sign.
        self.assertNotIn("@@pendientes-firma", browser.contents)
        browser = self.browser("responsable")
        browser.open(f"{self.portal_url}/@@mi-mesa")
        browser.getLink(url="@@pendientes-firma").click()
        # Reached (without a certificate it says how to sign by CSV).
        self.assertTrue(browser.url.endswith("/@@pendientes-firma"), browser.url)
        self.assertIn("Pendientes de mi firma", browser.contents)

    def test_the_navigation_offers_it_to_staff_only(self):
        browser = self.browser("tramitador")
        browser.open(f"{self.portal_url}/@@mi-carpeta")
        self.assertIn("@@mi-mesa", browser.contents)
        browser = self.browser("interesado")
        browser.open(f"{self.portal_url}/@@mi-carpeta")
        self.assertNotIn("@@mi-mesa", browser.contents)

    def login(self, user_id, came_from=None):
        browser = self.browser()
        url = f"{self.portal_url}/login"
        if came_from:
            url = f"{url}?came_from={came_from}"
        browser.open(url)
        browser.getControl(name="__ac_name").value = user_id
        browser.getControl(name="__ac_password").value = PASSWORD
        browser.getControl(name="buttons.login").click()
        return browser.url

    def test_staff_land_on_their_desk(self):
        self.assertEqual(self.login("tramitador"), f"{self.portal_url}/@@mi-mesa")
        self.assertEqual(
            self.login("responsable", came_from=self.portal_url),
            f"{self.portal_url}/@@mi-mesa",
        )

    def test_a_link_followed_is_kept_and_citizens_go_where_they_went(self):
        url = self.mine.absolute_url()
        self.assertEqual(self.login("tramitador", came_from=url), url)
        self.assertNotIn("mi-mesa", self.login("interesado"))

    def test_asked_for_nothing(self):
        root = "http://nohost/plone"
        for came_from in (None, "", root, f"{root}/", f"{root}/login", "http://x/y"):
            with self.subTest(came_from):
                self.assertTrue(asked_for_nothing(came_from, root))
        for came_from in (f"{root}/unidades/urbanismo", f"{root}/@@mi-carpeta"):
            with self.subTest(came_from):
                self.assertFalse(asked_for_nothing(came_from, root))
