"""axe-core on every kind of respondent page: no violation of impact serious or critical."""

from selenium.webdriver.common.by import By

from harness import BrowserCase, wait_page


class AccessibilityTests(BrowserCase):
    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey(
            brand_color="#137333",
            questions=[
                {"id": "role", "type": "single_choice", "prompt": "Your role?", "options": ["Engineering", "Sales", "Other"]},
                {"id": "support", "type": "rating", "prompt": "How was our support?"},
                {"id": "missing", "type": "text", "prompt": "What is missing?"},
            ],
            review_sites=[{"name": "G2", "url": "https://www.g2.example/acme"}],
            referral_url="https://acme.test/invite?ref={external_id}",
            share_url="https://acme.test/",
        )

    def open_personal_link(self, external_id, locale="en"):
        self.server.put_contact(external_id, locale)
        url, _ = self.server.personal_link(self.survey, external_id)
        driver = self.browser()
        driver.get(url)
        wait_page(driver, "button.score")
        return driver

    def answered(self, external_id, score):
        driver = self.open_personal_link(external_id)
        self.pick(driver, score)
        self.send(driver)
        self.assert_thanks(driver)
        return driver

    def test_survey_page(self):
        driver = self.open_personal_link("a11y_question")
        self.assertEqual(self.pressed(driver), [])
        self.assert_accessible(driver, "the survey page")

    def test_answer_form_with_extra_questions(self):
        driver = self.open_personal_link("a11y_form")
        self.pick(driver, 7)
        self.assertTrue(driver.find_elements(By.CSS_SELECTOR, 'input[name="q_role"]'), "the extra questions are on the form")
        self.assert_accessible(driver, "the answer form")

    def test_detractor_thanks_page(self):
        driver = self.answered("a11y_detractor", 3)
        self.assertTrue(driver.find_elements(By.CSS_SELECTOR, 'input[name="no_contact"]'))
        self.assert_accessible(driver, "the detractor's thank-you page")

    def test_promoter_thanks_page(self):
        driver = self.answered("a11y_promoter", 10)
        self.assertTrue(driver.find_elements(By.CSS_SELECTOR, "a.button.primary"), "the review button is shown")
        self.assert_accessible(driver, "the promoter's thank-you page")

    def test_unknown_link_error_page(self):
        driver = self.browser()
        driver.get(self.server.url + "/r/" + "A" * 43)
        wait_page(driver, "main h1")
        self.assertFalse(driver.find_elements(By.CSS_SELECTOR, "button.score"), "an error page, not a survey")
        self.assert_accessible(driver, "the unknown-link page")

    def test_arabic_survey_page(self):
        driver = self.open_personal_link("a11y_ar", "ar")
        self.assertEqual(driver.find_element(By.TAG_NAME, "html").get_attribute("dir"), "rtl")
        self.assert_accessible(driver, "the Arabic survey page")
