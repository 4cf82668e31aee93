"""The in-app widget on the sample host page (Examples/widget-host), served from another origin
than Advocate, so every widget call is a cross-origin request."""

import urllib.parse

from selenium.webdriver.common.by import By

from harness import WIDGET_HOST_DIR, BrowserCase, StaticServer, sign, wait_for


class WidgetTests(BrowserCase):
    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey(brand_color="#6b4fbb")
        settings = cls.server.api("PUT", "/widget", {"enabled": True, "survey_id": cls.survey, "first_survey_days": 0})
        assert settings["enabled"] and settings["require_signature"], settings
        cls.secret = cls.server.api("POST", "/widget/secret", expect=(201,))["secret"]
        cls.host = StaticServer(WIDGET_HOST_DIR)
        cls.addClassCleanup(cls.host.stop)

    def open_host(self, user, signature=None, locale=None):
        params = {"base": self.server.url, "workspace": "default", "user": user, "email": user + "@example.test"}
        if signature is not None:
            params["signature"] = signature
        if locale:
            params["locale"] = locale
        driver = self.browser(lang="en")
        driver.get(self.host.url + "/?" + urllib.parse.urlencode(params))
        self.assertNotEqual(urllib.parse.urlsplit(driver.current_url).port, self.server.port, "the host page is on another origin")
        return driver

    @staticmethod
    def state(driver):
        return driver.execute_script("return window.Advocate ? window.Advocate.state : null")

    def wait_state(self, driver, wanted):
        wait_for(lambda: self.state(driver) == wanted,
                 "Advocate.state %r (it is %r, reason %r)" % (wanted, self.state(driver),
                                                              driver.execute_script("return window.Advocate && Advocate.reason")))

    @staticmethod
    def part(driver, css):
        return driver.find_element(By.ID, "advocate-widget").shadow_root.find_element(By.CSS_SELECTOR, css)

    def answer(self, user, locale, direction, comment):
        driver = self.open_host(user, sign(self.secret, user), locale)
        self.wait_state(driver, "question")
        card = self.part(driver, '[data-advocate="card"]')
        self.assertEqual((card.get_attribute("lang"), card.get_attribute("dir")), (locale, direction))
        self.assertTrue(card.is_displayed(), "the card is visible despite the host page's hostile CSS")
        zero, ten = self.part(driver, '[data-score="0"]'), self.part(driver, '[data-score="10"]')
        if direction == "rtl":
            self.assertGreater(zero.rect["x"], ten.rect["x"], "in RTL, 0 is on the right")
        else:
            self.assertLess(zero.rect["x"], ten.rect["x"])

        self.part(driver, '[data-advocate="score"][data-score="9"]').click()
        self.wait_state(driver, "followup")
        self.part(driver, '[data-advocate="comment"]').send_keys(comment)
        self.part(driver, '[data-advocate="send"]').click()
        self.wait_state(driver, "thanks")
        self.assertTrue(self.part(driver, '[data-advocate="thanks"]').is_displayed())

        rows = self.server.query("""SELECT r.* FROM responses r JOIN contacts c ON c.id = r.contact_id
                                    WHERE c.external_id = ?""", user)
        self.assertEqual([(r["channel"], r["score"], r["comment"], r["status"], r["locale"]) for r in rows],
                         [("in_app", 9, comment, "counted", locale)])
        displays = self.server.query("""SELECT d.* FROM widget_displays d JOIN contacts c ON c.id = d.contact_id
                                        WHERE c.external_id = ?""", user)
        self.assertEqual(len(displays), 1)
        self.assertEqual(displays[0]["response_id"], rows[0]["id"])
        return driver

    def test_arabic_card_is_right_to_left_and_saves_score_and_comment(self):
        self.answer("user_ar", "ar", "rtl", "الدعم ممتاز")

    def test_english_card_saves_score_and_comment(self):
        self.answer("user_en", "en", "ltr", "Great support, fast answers.")

    def test_card_has_no_serious_accessibility_violations(self):
        for locale in ("en", "ar"):
            with self.subTest(locale=locale):
                user = "user_axe_" + locale
                driver = self.open_host(user, sign(self.secret, user), locale)
                # Only the card: the sample host page's own styles are deliberately bad.
                card = {"include": [{"fromShadowDom": ["#advocate-widget", '[data-advocate="card"]']}]}
                self.wait_state(driver, "question")
                self.assert_accessible(driver, "the widget's question (%s)" % locale, card)
                self.part(driver, '[data-advocate="score"][data-score="4"]').click()
                self.wait_state(driver, "followup")
                self.assert_accessible(driver, "the widget's follow-up (%s)" % locale, card)
                self.part(driver, '[data-advocate="skip"]').click()
                self.wait_state(driver, "thanks")
                self.assert_accessible(driver, "the widget's thank-you (%s)" % locale, card)

    def assert_not_shown(self, user, signature):
        driver = self.open_host(user, signature)
        wait_for(lambda: self.state(driver) in ("error", "hidden"),
                 "the widget to give up on an unverified identity (state %r)" % self.state(driver))
        self.assertEqual(driver.find_elements(By.ID, "advocate-widget"), [], "no card on the page")
        self.assertEqual(self.server.query("SELECT id FROM contacts WHERE external_id = ?", user), [],
                         "nothing is stored for an unverified identity")
        self.assertEqual(self.server.query("SELECT count(*) AS n FROM widget_displays d JOIN contacts c ON c.id = d.contact_id "
                                           "WHERE c.external_id = ?", user)[0]["n"], 0)

    def test_forged_signature_shows_nothing(self):
        self.assert_not_shown("user_forged", sign("not-the-secret", "user_forged"))

    def test_signature_of_another_user_shows_nothing(self):
        self.assert_not_shown("user_victim", sign(self.secret, "user_attacker"))

    def test_unsigned_identity_shows_nothing(self):
        self.assert_not_shown("user_unsigned", None)
