"""A citizen registers at the electronic office with their NIF/NIE, over HTTP:
Plone's own registration form with the NIF field, the e-mail confirmation
through the "set your password" link (a real SMTP conversation), "Mi perfil"
showing the NIF read-only, and the NIF guarded on every door (the form,
plone.restapi's @users) — valid, normalised, one account per NIF, never
changed by the citizen."""

from paeria.egov.sede.nif import nif_of
from paeria.egov.sede.nif import owner_of
from paeria.egov.testing import PAERIA_EGOV_FUNCTIONAL_TESTING
from paeria.egov.tests import base
from paeria.egov.tests.smtp import configure_mailhost
from paeria.egov.tests.smtp import SmtpSink
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.testing.zope import Browser
from urllib.parse import urlencode
import re
import transaction
import unittest


PASSWORD = "correct-horse-battery-7"
NIF = base.VALID_NIF  # 12345678Z
NIE = base.VALID_NIE  # X1234567L
OTHER_NIF = "87654321X"


class RegistrationTestCase(unittest.TestCase):
    layer = PAERIA_EGOV_FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        self.sessions = []
        # Plone hides the registration form without a mail server (the password
        # is set through a mailed link): a real SMTP server for every test.
        self.sink = SmtpSink().__enter__()
        configure_mailhost(self.portal, self.sink.port)
        transaction.commit()

    def tearDown(self):
        for session in self.sessions:
            session.close()
        self.sink.__exit__(None, None, None)

    def session(self, user=None, password=PASSWORD):
        session = base.api_session(self.portal_url, user or "x", password)
        if user is None:
            session.auth = None
        self.sessions.append(session)
        return session

    def browser(self, user=None, password=PASSWORD):
        browser = Browser(self.layer["app"])
        browser.handleErrors = True
        browser.raiseHttpErrors = False
        browser.addHeader("Accept-Language", "en")
        if user is not None:
            browser.addHeader("Authorization", f"Basic {user}:{password}")
        return browser

    def refresh(self):
        transaction.begin()

    def make_user(self, username, nif, email=None):
        api.user.create(
            email=email or f"{username}@example.org",
            username=username,
            password=PASSWORD,
            properties={"fullname": username.title(), "nif": nif},
        )
        transaction.commit()

    def register(self, browser, username="mpuig", nif=NIF, email=None, **fields):
        browser.open(f"{self.portal_url}/@@register")
        browser.getControl(name="form.widgets.fullname").value = fields.get(
            "fullname", "Maria Puig i Soler"
        )
        browser.getControl(name="form.widgets.email").value = (
            email or f"{username}@example.org"
        )
        browser.getControl(name="form.widgets.username").value = username
        browser.getControl(name="form.widgets.nif").value = nif
        browser.getControl(name="form.buttons.register").click()
        self.refresh()

    def assertNoNifInput(self, browser):
        with self.assertRaises(LookupError):
            browser.getControl(name="form.widgets.nif")
        self.assertIn("widget-mode-display", browser.contents)

    def field_error(self, browser, field):
        """The error text z3c.form shows for ``field``."""
        match = re.search(
            r'id="formfield-form-widgets-%s".*?<div class="invalid-feedback">'
            r"\s*(.*?)\s*</div>" % field,
            browser.contents,
            re.S,
        )
        return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else None


class TestRegistrationForm(RegistrationTestCase):
    def test_self_registration_is_open_and_confirms_the_email(self):
        self.assertTrue(api.portal.get_registry_record("plone.enable_self_reg"))
        self.assertFalse(api.portal.get_registry_record("plone.enable_user_pwd_choice"))
        roles = [
            item["name"]
            for item in self.portal.rolesOfPermission("Add portal member")
            if item["selected"] == "SELECTED"
        ]
        self.assertIn("Anonymous", roles)
        browser = self.browser()
        browser.open(f"{self.portal_url}/@@register")
        self.assertEqual(browser.headers["status"].split()[0], "200")
        # The NIF field is there, required; no password: it is set by mail.
        self.assertTrue(browser.getControl(name="form.widgets.nif"))
        self.assertIn("NIF / NIE", browser.contents)
        self.assertNotIn('name="form.widgets.password"', browser.contents)

    def test_a_citizen_registers_with_a_nif_and_sets_the_password_by_mail(self):
        browser = self.browser()
        # Separators and lower case are accepted and normalised.
        self.register(browser, nif="12345678-z", email="maria.puig@example.org")
        self.assertIsNone(self.field_error(browser, "nif"), browser.contents)
        user = api.user.get(username="mpuig")
        self.assertIsNotNone(user, browser.contents)
        self.assertEqual(user.getProperty("nif"), NIF)
        self.assertEqual(owner_of(NIF), "mpuig")
        self.assertEqual(nif_of("mpuig"), NIF)
        self.assertEqual(user.getProperty("fullname"), "Maria Puig i Soler")
        self.assertEqual(len(self.sink.received), 1)
        recipients, message = self.sink.received[0]
        self.assertEqual(recipients, ["maria.puig@example.org"])
        body = message.get_body(preferencelist=("plain", "html")).get_content()
        link = re.search(r"(http://\S+/passwordreset/\S+)", body)
        self.assertIsNotNone(link, body)
        # Unconfirmed: the account has no password the citizen knows.
        self.assertEqual(
            self.session("mpuig", PASSWORD).get("@users/mpuig").status_code, 401
        )
        # The link from the mail leads to the form that sets the password.
        url = link.group(1).rstrip(".").replace("&amp;", "&")
        browser = self.browser()
        browser.open(url)
        self.assertIn('name="password"', browser.contents)
        browser.getControl(name="password").value = PASSWORD
        browser.getControl(name="password2").value = PASSWORD
        if 'name="userid"' in browser.contents:
            browser.getControl(name="userid").value = "mpuig"
        browser.getControl("Set my password").click()
        self.refresh()
        # Confirmed: the citizen logs in with it.
        response = self.session("mpuig", PASSWORD).get("@users/mpuig")
        self.assertEqual(response.status_code, 200, response.text)

    def test_an_invalid_nif_is_refused_under_its_field(self):
        for value, expected in (
            ("12345678A", "check letter"),
            ("B12345674", "Give a NIF"),  # a company's CIF is not an account's
            ("hello", "Give a NIF"),
        ):
            with self.subTest(value=value):
                browser = self.browser()
                self.register(browser, username="tester", nif=value)
                error = self.field_error(browser, "nif")
                self.assertIsNotNone(error, browser.contents)
                self.assertIn(expected, error)
                self.assertIsNone(api.user.get(username="tester"))
                self.assertIsNone(owner_of(NIF))

    def test_the_nif_is_required(self):
        browser = self.browser()
        self.register(browser, username="tester", nif="")
        self.assertIsNotNone(self.field_error(browser, "nif"), browser.contents)
        self.assertIsNone(api.user.get(username="tester"))

    def test_a_nie_is_accepted(self):
        browser = self.browser()
        self.register(browser, username="foreigner", nif="x-1234567-l")
        self.assertEqual(api.user.get(username="foreigner").getProperty("nif"), NIE)

    def test_one_account_per_nif(self):
        self.make_user("first", NIF)
        browser = self.browser()
        self.register(browser, username="second", nif="12345678z")
        error = self.field_error(browser, "nif")
        self.assertIsNotNone(error, browser.contents)
        self.assertIn("An account with this NIF/NIE already exists", error)
        self.assertIsNone(api.user.get(username="second"))
        self.assertEqual(owner_of(NIF), "first")

    def test_deleting_an_account_frees_its_nif(self):
        self.make_user("first", NIF)
        with api.env.adopt_roles(["Manager"]):
            api.user.delete(username="first")
        transaction.commit()
        self.assertIsNone(owner_of(NIF))
        browser = self.browser()
        self.register(browser, username="second", nif=NIF)
        self.assertEqual(owner_of(NIF), "second")


class TestProfile(RegistrationTestCase):
    def test_mi_perfil_shows_the_nif_read_only(self):
        self.make_user("mpuig", NIF)
        browser = self.browser("mpuig")
        browser.open(f"{self.portal_url}/@@personal-information")
        self.assertIn(NIF, browser.contents)
        self.assertNoNifInput(browser)
        # A forged field in the post changes nothing.
        authenticator = browser.getControl(name="_authenticator").value
        browser.post(
            f"{self.portal_url}/@@personal-information",
            urlencode(
                {
                    "form.widgets.fullname": "Maria Puig",
                    "form.widgets.email": "mpuig@example.org",
                    "form.widgets.nif": OTHER_NIF,
                    "form.buttons.save": "Save",
                    "_authenticator": authenticator,
                }
            ),
        )
        self.refresh()
        user = api.user.get(username="mpuig")
        self.assertEqual(user.getProperty("fullname"), "Maria Puig")
        self.assertEqual(user.getProperty("nif"), NIF)

    def test_an_account_without_nif_sets_it_once_in_mi_perfil(self):
        api.user.create(email="old@example.org", username="old", password=PASSWORD)
        transaction.commit()
        browser = self.browser("old")
        browser.open(f"{self.portal_url}/@@personal-information")
        browser.getControl(name="form.widgets.nif").value = "87654321x"
        browser.getControl(name="form.buttons.save").click()
        self.refresh()
        self.assertEqual(api.user.get(username="old").getProperty("nif"), OTHER_NIF)
        browser.open(f"{self.portal_url}/@@personal-information")
        self.assertNoNifInput(browser)


class TestRestDoors(RegistrationTestCase):
    """plone.restapi's @users takes any member property: the NIF is guarded
    there too, and a refusal leaves no account behind."""

    def test_anonymous_registration_over_rest_is_checked(self):
        self.make_user("first", NIF)
        for nif, expected in (
            ("12345678A", "check letter"),
            (NIF, "An account with this NIF/NIE already exists"),
        ):
            with self.subTest(nif=nif):
                response = self.session().post(
                    "@users",
                    json={
                        "username": "intruder",
                        "email": "intruder@example.org",
                        "fullname": "Intruder",
                        "nif": nif,
                    },
                )
                self.assertEqual(response.status_code, 400, response.text)
                error = response.json()["error"]
                self.assertIn(expected, error["fields"]["nif"], response.text)
                self.refresh()
                self.assertIsNone(api.user.get(username="intruder"))
        self.assertEqual(owner_of(NIF), "first")

    def test_the_users_json_says_the_nif(self):
        self.make_user("mpuig", NIF)
        body = self.session("mpuig").get("@users/mpuig").json()
        self.assertEqual(body["nif"], NIF)
        admin = base.api_session(self.portal_url)
        self.sessions.append(admin)
        self.assertEqual(admin.get("@users/mpuig").json()["nif"], NIF)

    def test_no_mail_server_is_a_503_and_no_account(self):
        # The sink stops: its port now refuses connections, as a machine
        # without a mail server does.
        port = self.sink.port
        self.sink.__exit__(None, None, None)
        self.sink = SmtpSink().__enter__()  # for tearDown
        configure_mailhost(self.portal, port)
        transaction.commit()
        response = self.session().post(
            "@users",
            json={
                "username": "nomail",
                "email": "nomail@example.org",
                "fullname": "No Mail",
                "nif": OTHER_NIF,
                "sendPasswordReset": True,
            },
        )
        self.assertEqual(response.status_code, 503, response.text[:500])
        self.assertEqual(response.headers["Retry-After"], "300")
        error = response.json()["error"]
        self.assertEqual(error["type"], "ServiceUnavailable")
        self.assertIn("cannot send the mail", error["message"])
        self.refresh()
        self.assertIsNone(api.user.get(username="nomail"))
        self.assertIsNone(owner_of(OTHER_NIF))

    def assertRefusedWithoutTrace(self, fields, field, username="intruder"):
        body = {
            "username": username,
            "email": f"{username}@example.org",
            "fullname": "Intruder",
            "nif": OTHER_NIF,
        }
        body.update(fields)
        response = self.session().post("@users", json=body)
        self.assertEqual(response.status_code, 400, response.text[:500])
        error = response.json()["error"]
        self.assertEqual(error["type"], "BadRequest", response.text[:500])
        self.assertIn(field, error["fields"], response.text[:500])
        self.assertIn("was not created", error["message"])
        self.refresh()
        self.assertIsNone(api.user.get(username=username))
        self.assertIsNone(api.user.get(userid=username))
        self.assertIsNone(owner_of(OTHER_NIF))
        self.assertEqual(self.sink.messages, [])

    def test_a_refused_registration_leaves_no_account_and_sends_no_mail(self):
        """Issue 17, finding 5: every value checked before the account exists
        or any mail leaves, each refusal naming its field."""
        for fields, field in (
            ({"nif": ["x"]}, "nif"),
            ({"nif": {"value": NIF}}, "nif"),
            ({"fullname": 5}, "fullname"),
            ({"description": {}}, "description"),
            ({"location": ["Lleida"]}, "location"),
            ({"fullname": "Maria\x00Puig"}, "fullname"),
            ({"fullname": "Maria\nPuig"}, "fullname"),
            ({"fullname": "M" * (2 * 1024 * 1024)}, "fullname"),
            ({"description": "D" * 100_000}, "description"),
            ({"home_page": "javascript:alert(document.cookie)"}, "home_page"),
            ({"home_page": "data:text/html,<script>alert(1)</script>"}, "home_page"),
            ({"home_page": "https://"}, "home_page"),
            ({"email": "a\x00@example.org"}, "email"),
            ({"username": "intr\x07uder"}, "username"),
            ({"sendPasswordReset": "yes"}, "sendPasswordReset"),
        ):
            with self.subTest(fields=str(fields)[:60]):
                self.assertRefusedWithoutTrace(fields, field)

    def test_every_field_is_named_at_once(self):
        response = self.session().post(
            "@users",
            json={
                "username": "intruder",
                "email": "intruder@example.org",
                "fullname": 5,
                "description": {},
                "home_page": "javascript:x",
                "nif": ["x"],
            },
        )
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(
            set(response.json()["error"]["fields"]),
            {"fullname", "description", "home_page", "nif"},
        )
        self.assertEqual(self.sink.messages, [])

    def test_a_valid_registration_with_a_home_page_is_created(self):
        response = self.session().post(
            "@users",
            json={
                "username": "restuser",
                "email": "rest@example.org",
                "fullname": "Rest User",
                "description": "Veïna de Lleida.\nTreballa a l'Horta.",
                "home_page": "https://example.org/rest",
                "nif": OTHER_NIF,
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        user = api.user.get(username="restuser")
        self.assertEqual(user.getProperty("home_page"), "https://example.org/rest")
        self.assertEqual(owner_of(OTHER_NIF), "restuser")
        self.assertEqual(len(self.sink.messages), 1)

    def test_anonymous_registration_over_rest_normalises_the_nif(self):
        response = self.session().post(
            "@users",
            json={
                "username": "restuser",
                "email": "rest@example.org",
                "fullname": "Rest User",
                "nif": "87654321-x",
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.refresh()
        self.assertEqual(
            api.user.get(username="restuser").getProperty("nif"), OTHER_NIF
        )
        self.assertEqual(owner_of(OTHER_NIF), "restuser")

    def test_a_citizen_cannot_change_their_nif(self):
        self.make_user("mpuig", NIF)
        response = self.session("mpuig").patch("@users/mpuig", json={"nif": OTHER_NIF})
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("cannot be changed", response.json()["message"], response.text)
        response = self.session("mpuig").patch("@users/mpuig", json={"nif": ""})
        self.assertEqual(response.status_code, 400, response.text)
        self.refresh()
        self.assertEqual(api.user.get(username="mpuig").getProperty("nif"), NIF)
        self.assertEqual(owner_of(NIF), "mpuig")
        self.assertIsNone(owner_of(OTHER_NIF))

    def test_a_user_manager_corrects_a_nif(self):
        self.make_user("mpuig", NIF)
        self.make_user("jvila", OTHER_NIF)
        admin = self.session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        # Not to another account's...
        response = admin.patch("@users/mpuig", json={"nif": OTHER_NIF})
        self.assertEqual(response.status_code, 400, response.text)
        # ...but to a free one.
        response = admin.patch("@users/mpuig", json={"nif": "x1234567l"})
        self.assertEqual(response.status_code, 204, response.text)
        self.refresh()
        self.assertEqual(api.user.get(username="mpuig").getProperty("nif"), NIE)
        self.assertEqual(owner_of(NIE), "mpuig")
        self.assertIsNone(owner_of(NIF))

    def test_a_refused_change_keeps_the_account_as_it_was(self):
        self.make_user("mpuig", NIF)
        for fields, field in (
            ({"fullname": "Maria\x00Puig"}, "fullname"),
            ({"fullname": 5}, "fullname"),
            ({"description": {}}, "description"),
            ({"home_page": "javascript:alert(1)"}, "home_page"),
            ({"fullname": "Maria Puig", "nif": ["x"]}, "nif"),
        ):
            with self.subTest(fields=str(fields)):
                response = self.session("mpuig").patch("@users/mpuig", json=fields)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn(field, response.json()["error"]["fields"])
                self.refresh()
                user = api.user.get(username="mpuig")
                self.assertEqual(user.getProperty("fullname"), "Mpuig")
                self.assertEqual(user.getProperty("home_page"), "")
        response = self.session("mpuig").patch(
            "@users/mpuig", json={"fullname": "Maria Puig", "nif": NIF}
        )
        self.assertEqual(response.status_code, 204, response.text)
