"""The survey page in the contact's language: `<html lang dir>`, the 0–10 scale's order in the
DOM, and for right-to-left languages its visual order."""

from selenium.webdriver.common.by import By

from harness import BrowserCase, wait_page


class LanguageTests(BrowserCase):
    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey()

    def open_page(self, locale):
        external_id = "lang_" + locale.replace("-", "_").lower()
        self.server.put_contact(external_id, locale)
        url, _ = self.server.personal_link(self.survey, external_id)
        # The browser asks for English: the contact's own language must win.
        driver = self.browser(lang="en")
        driver.get(url)
        wait_page(driver, "button.score")
        return driver

    def check(self, locale, direction):
        driver = self.open_page(locale)
        html = driver.find_element(By.TAG_NAME, "html")
        self.assertEqual((html.get_attribute("lang"), html.get_attribute("dir")), (locale, direction))
        self.assertEqual(driver.execute_script("return getComputedStyle(document.body).direction"), direction)

        buttons = driver.find_elements(By.CSS_SELECTOR, "form .scores button.score")
        self.assertEqual([b.get_attribute("value") for b in buttons], [str(n) for n in range(11)],
                         "the score buttons are 0 to 10 in document order")
        rects = [b.rect for b in buttons]
        self.assertEqual(len({round(r["y"]) for r in rects}), 1, "one row of buttons at 1280px")
        xs = [r["x"] for r in rects]
        anchors = driver.find_elements(By.CSS_SELECTOR, ".anchors span")
        self.assertEqual(len(anchors), 2)
        low, high = anchors[0].rect["x"], anchors[1].rect["x"]
        if direction == "rtl":
            self.assertEqual(xs, sorted(xs, reverse=True), "in RTL the scale reads right to left: 0 rightmost, 10 leftmost")
            self.assertGreater(xs[0], xs[10])
            self.assertGreater(low, high, "the 'not likely' anchor sits on the right, under 0")
        else:
            self.assertEqual(xs, sorted(xs), "in LTR the scale reads left to right")
            self.assertLess(low, high, "the 'not likely' anchor sits on the left, under 0")
        return driver

    def test_arabic_is_right_to_left(self):
        driver = self.check("ar", "rtl")
        # Arabic-Indic digits on the buttons, the plain value in the form.
        self.assertEqual(self.score_button(driver, 7).text, "٧")

    def test_hebrew_is_right_to_left(self):
        self.check("he", "rtl")

    def test_simplified_chinese_is_left_to_right(self):
        self.check("zh-Hans", "ltr")

    def test_turkish_is_left_to_right(self):
        self.check("tr", "ltr")

    def test_kazakh_is_left_to_right(self):
        self.check("kk", "ltr")
