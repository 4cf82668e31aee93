"""The dashboard's sign-in pages and overview in a real browser, checked by axe-core."""

import re
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import BrowserCase, click_and_wait_for_new_page, wait_page


class DashboardTests(BrowserCase):
    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey()
        for score, comment in ((10, "Harika destek"), (9, ""), (9, "服务很好"), (7, ""), (3, "الدعم بطيء جداً")):
            body = {"survey_id": cls.survey, "score": score}
            if comment:
                body["comment"] = comment
            cls.server.api("POST", "/responses", body)

    def first_owner_link(self):
        """The second line `serve` printed on an empty database: the first owner's one-time link."""
        line, problem = self.server.reader.next_line(10)
        self.assertIsNotNone(line, "serve printed the first owner's link (%s)" % problem)
        self.assertIn("/setup/first/", line)
        return line.split(" at ", 1)[1].split(" ", 1)[0]

    def test_first_owner_overview_sign_out_and_in(self):
        driver = self.browser()
        driver.get(self.first_owner_link())
        wait_page(driver, "input#password")
        self.assert_accessible(driver, "the first owner's page")
        driver.find_element(By.ID, "name").send_keys("Ayşe Yılmaz")
        driver.find_element(By.ID, "email").send_keys("ayse@acme.test")
        driver.find_element(By.ID, "password").send_keys("correct horse battery")
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "button.primary"))

        row = wait_page(driver, "table.overview tbody tr", "the overview after creating the owner")
        self.assertIn("ayse@acme.test · owner", driver.find_element(By.CSS_SELECTOR, ".appbar").text)
        # 3 promoters, 1 passive, 1 detractor of 5: NPS 40, marked as a small sample.
        self.assertEqual(row.find_element(By.CSS_SELECTOR, "td.nps").text.split()[0], "40")
        self.assertIn("small sample", row.text)
        self.assert_accessible(driver, "the overview")

        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Sign out']"))
        wait_page(driver, "input#email", "the sign-in page after signing out")
        self.assertIn("You have signed out.", driver.page_source)
        self.assert_accessible(driver, "the sign-in page")

        driver.find_element(By.ID, "email").send_keys("ayse@acme.test")
        driver.find_element(By.ID, "password").send_keys("not the password")
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "button.primary"))
        alert = wait_page(driver, "p.error[role=alert]", "the wrong-password message")
        self.assertEqual(alert.text, "The e-mail address or the password is wrong.")
        self.assert_accessible(driver, "the sign-in page with an error")

        driver.find_element(By.ID, "password").send_keys("correct horse battery")
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "button.primary"))
        wait_page(driver, "table.overview", "the overview after signing in again")

        # The survey's report: the charts and a breakdown by channel, accessible.
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "table.overview tbody th a"))
        wait_page(driver, "svg.chart", "the survey's report")
        self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart")), 2)
        self.assertEqual(driver.find_element(By.CSS_SELECTOR, "p.big").text.split()[0], "40")
        self.assert_accessible(driver, "the survey's report")
        driver.find_element(By.NAME, "by").send_keys("channel")
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Show']"))
        section = wait_page(driver, "#segments-heading", "the breakdown by channel")
        self.assertEqual(section.text, "By channel")
        self.assert_accessible(driver, "the survey's report with a breakdown")
        click_and_wait_for_new_page(driver, driver.find_element(By.LINK_TEXT, "The overview"))
        wait_page(driver, "table.overview", "back to the overview")

        # The responses: filter to detractors with the form, then open the one there is.
        click_and_wait_for_new_page(driver, driver.find_element(By.LINK_TEXT, "Responses"))
        wait_page(driver, "table.responses tbody tr", "the list of responses")
        self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "table.responses tbody tr")), 5)
        self.assert_accessible(driver, "the list of responses")
        driver.find_element(By.CSS_SELECTOR, "select[name=category] option[value=detractor]").click()
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Filter']"))
        rows = wait_page(driver, "table.responses tbody tr", "the filtered list")
        self.assertIn("category=detractor", driver.current_url)
        self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "table.responses tbody tr")), 1)
        self.assertIn("الدعم بطيء جداً", rows.text)
        click_and_wait_for_new_page(driver, rows.find_element(By.CSS_SELECTOR, "a"))
        quote = wait_page(driver, "blockquote.comment", "one response")
        self.assertEqual(quote.text, "الدعم بطيء جداً")
        self.assert_accessible(driver, "one response")

        # Themes: install the starter set, preview and save a rule, then the terms and the report.
        click_and_wait_for_new_page(driver, driver.find_element(By.LINK_TEXT, "Themes"))
        wait_page(driver, "#starter-heading", "the themes page")
        self.assertIn("No themes yet.", driver.page_source)
        self.assert_accessible(driver, "the themes page")
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Install the starter themes']"))
        wait_page(driver, "table.overview", "the starter themes")
        self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "table.overview tbody tr")), 8)
        self.assert_accessible(driver, "the themes with their progress")
        click_and_wait_for_new_page(driver, driver.find_element(By.LINK_TEXT, "Support speed"))
        rules = wait_page(driver, "textarea#rules", "a theme's editor")
        self.assertIn("tr: destek*", rules.get_attribute("value"))
        self.assert_accessible(driver, "a theme's editor")
        rules.clear()
        rules.send_keys("ar: بطيء\ndestek")
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Preview matches']"))
        preview = wait_page(driver, "#preview-heading", "the preview")
        self.assertEqual(preview.text, "Preview: 2 of the 3 newest comments match")
        self.assert_accessible(driver, "a theme's preview")
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Save']"))
        wait_page(driver, "p[role=status]", "the saved theme")
        self.assertEqual(driver.find_element(By.CSS_SELECTOR, "textarea#rules").get_attribute("value"), "ar: بطيء\ndestek")
        driver.get("%s/app/surveys/%d/terms" % (self.server.url, self.survey))
        wait_page(driver, "#detractor-heading", "the survey's terms")
        self.assert_accessible(driver, "the survey's terms")
        driver.get("%s/app/surveys/%d" % (self.server.url, self.survey))
        wait_page(driver, "#drivers-heading", "the report's drivers")
        self.assert_accessible(driver, "the survey's report with its drivers")

        # The link worked once.
        other = self.browser()
        other.get(self.server.url + "/setup/first/" + "x" * 43)
        heading = wait_page(other, "main h1")
        self.assertEqual(heading.text, "This link is no longer valid")

    def signed_in_with_cli(self, email, role):
        """A browser signed in as a user `advocate user create` made, through its set-a-password link."""
        out = self.server.cli("user", "create", "--email", email, "--role", role)
        line = [l for l in out.splitlines() if "/setup/" in l][0].strip()
        driver = self.browser()
        driver.get(self.server.url + line[line.index("/setup/"):])
        wait_page(driver, "input#password", "the set-a-password page of " + email)
        driver.find_element(By.ID, "password").send_keys("correct horse battery")
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "button.primary"))
        wait_page(driver, ".appbar", "the overview of " + email)
        return driver

    def test_viewer_cannot_reach_admin_pages(self):
        viewer = self.signed_in_with_cli("vera@acme.test", "viewer")
        self.assertIn("vera@acme.test · viewer", viewer.find_element(By.CSS_SELECTOR, ".appbar").text)
        self.assertEqual(viewer.find_elements(By.LINK_TEXT, "Members"), [])
        viewer.get(self.server.url + "/app/members")
        heading = wait_page(viewer, "main h1", "the 403 page")
        self.assertEqual(heading.text, "You do not have access to this")
        self.assertIn("You are viewer in", viewer.page_source)
        self.assert_accessible(viewer, "the 403 page")
        # The themes page offers a viewer no editing; a form posted anyway, with the viewer's own token, is refused.
        viewer.get(self.server.url + "/app/themes")
        wait_page(viewer, "main h1", "the themes page for a viewer")
        self.assertEqual(viewer.find_elements(By.ID, "starter-heading"), [])
        viewer.execute_script(
            "const f = document.createElement('form'); f.method = 'post'; f.action = '/app/themes/starter';"
            "const i = document.createElement('input'); i.name = 'csrf'; i.value = document.querySelector('input[name=csrf]').value;"
            "f.appendChild(i); document.body.appendChild(f); window.__advocateOldPage = true; f.submit();")
        WebDriverWait(viewer, 10).until(lambda d: d.execute_script("return window.__advocateOldPage !== true && document.readyState === 'complete'"))
        heading = wait_page(viewer, "main h1", "the answer to a viewer's forged form")
        self.assertEqual(heading.text, "You do not have access to this")
        # Their own account is theirs to change.
        viewer.get(self.server.url + "/app/account")
        wait_page(viewer, "input#time_zone", "the account page")
        self.assert_accessible(viewer, "the account page")

        admin = self.signed_in_with_cli("alma@acme.test", "admin")
        click_and_wait_for_new_page(admin, admin.find_element(By.LINK_TEXT, "Members"))
        wait_page(admin, "#invite-heading", "the members page")
        self.assertIn("vera@acme.test", admin.page_source)
        self.assertEqual(admin.find_elements(By.CSS_SELECTOR, "#invite-role option[value=owner]"), [])
        self.assert_accessible(admin, "the members page")
        admin.get(self.server.url + "/forgot")
        wait_page(admin, "input#email", "the forgot-password page")
        self.assert_accessible(admin, "the forgot-password page")

class DashboardAnalyticsTests(BrowserCase):
    """The dashboard on `advocate demo` data: filters, a drill-down, outcomes, a response and the
    CSV export, each page checked by axe-core; another workspace's data never shows."""

    SECRET = "GLOBEX-CONFIDENTIAL"

    @classmethod
    def prepare(cls):
        cls.server.cli("demo", "--responses", "3000", "--seed", "11")
        other = cls.server.cli("token", "create", "--name", "globex", "--workspace", "globex").strip().splitlines()[-1].strip()
        saved = cls.server.token
        cls.server.token = other
        try:
            survey = cls.server.create_survey()
            cls.server.api("POST", "/responses", {"survey_id": survey, "score": 2, "comment": cls.SECRET,
                                                  "contact": {"external_id": "g1", "properties": {"plan": "enterprise", "country": "DE"}}})
        finally:
            cls.server.token = saved

    def signed_in(self):
        """A viewer signed in through a fresh set-a-password link (each works once)."""
        out = self.server.cli("user", "create", "--email", "cx@acme.test", "--role", "viewer", "--public-url", self.server.url)
        driver = self.browser(size=(1400, 1000))
        driver.get(out.strip().splitlines()[-1].strip())
        wait_page(driver, "input#password", "the set-a-password page")
        driver.find_element(By.ID, "password").send_keys("correct horse battery")
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "button.primary"))
        wait_page(driver, "table.overview tbody tr", "the overview")
        return driver

    def assert_no_other_workspace(self, driver, what):
        self.assertNotIn(self.SECRET, driver.page_source, "another workspace's data on %s" % what)

    def test_filter_drill_down_outcomes_response_and_export(self):
        driver = self.signed_in()
        rows = driver.find_elements(By.CSS_SELECTOR, "table.overview tbody tr")
        self.assertEqual([r.find_element(By.CSS_SELECTOR, "th a").text for r in rows], ["Relationship NPS", "After onboarding", "Support tickets"])
        self.assert_accessible(driver, "the overview with demo data")
        self.assert_no_other_workspace(driver, "the overview")
        unfiltered = int(rows[0].find_elements(By.CSS_SELECTOR, "td")[2].text)

        # Apply a filter on the overview: it narrows every survey and stays in the URL and links.
        driver.find_element(By.NAME, "segment").send_keys("plan:enterprise")
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Show']"))
        wait_page(driver, "table.overview tbody tr", "the filtered overview")
        self.assertIn("segment=plan%3Aenterprise", driver.current_url)
        self.assertIn("only plan:enterprise", driver.page_source)
        filtered = int(driver.find_elements(By.CSS_SELECTOR, "table.overview tbody tr")[0].find_elements(By.CSS_SELECTOR, "td")[2].text)
        self.assertLess(filtered, unfiltered)
        self.assert_accessible(driver, "the filtered overview")

        # The survey's report keeps the filter; a breakdown by country, then drill into a country.
        click_and_wait_for_new_page(driver, driver.find_element(By.LINK_TEXT, "Relationship NPS"))
        wait_page(driver, "svg.chart", "the filtered report")
        self.assertIn("plan:enterprise", driver.find_element(By.ID, "score-heading").text)
        by = driver.find_element(By.NAME, "by")
        by.clear()
        by.send_keys("country")
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Show']"))
        first = wait_page(driver, "#segments-heading ~ table tbody th a", "the breakdown by country")
        country = first.text
        self.assert_accessible(driver, "the report with a breakdown by country")
        click_and_wait_for_new_page(driver, first)
        wait_page(driver, "svg.chart", "the report of one country")
        self.assertIn("segment=country%3A" + country, driver.current_url)
        self.assertIn("segment=plan%3Aenterprise", driver.current_url)
        self.assertIn("country:%s, plan:enterprise" % country, driver.find_element(By.ID, "score-heading").text)
        self.assert_accessible(driver, "the report of one segment")
        self.assert_no_other_workspace(driver, "the report")

        # Numeric properties by quartile, tenure from signed_up_at.
        survey = re.search(r"/app/surveys/([0-9]+)", driver.current_url).group(1)
        driver.get("%s/app/surveys/%s?by=mrr" % (self.server.url, survey))
        wait_page(driver, "#segments-heading", "MRR by quartile")
        labels = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#segments-heading ~ table tbody th")]
        self.assertTrue(labels and labels[0].startswith("Q1 ("), labels)
        self.assert_accessible(driver, "MRR by quartile")

        driver.get("%s/app/surveys/%s?by=tenure" % (self.server.url, survey))
        wait_page(driver, "#segments-heading", "the breakdown by tenure")
        labels = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#segments-heading ~ table tbody th")]
        self.assertIn("2 years or more", labels)

        # Outcomes and calculators.
        click_and_wait_for_new_page(driver, driver.find_element(By.LINK_TEXT, "Outcomes and calculators"))
        wait_page(driver, "#churn-heading", "the outcomes page")
        self.assertIn("Within 180 days", driver.page_source)
        self.assert_accessible(driver, "the outcomes page")
        driver.find_element(By.NAME, "spend").send_keys("25000")
        won = driver.find_element(By.NAME, "won")
        won.clear()
        won.send_keys("40")
        click_and_wait_for_new_page(driver, driver.find_element(By.XPATH, "//button[text()='Calculate']"))
        wait_page(driver, "#cac", "the calculators' results")
        self.assertIn("spend=25000", driver.current_url)
        self.assertEqual(driver.find_element(By.ID, "cac").text, "625.00")
        self.assert_accessible(driver, "the calculators' results")
        self.assert_no_other_workspace(driver, "the outcomes page")

        # A response, then the CSV export of the filtered list.
        driver.get(self.server.url + "/app/responses?category=detractor&has_comment=true")
        row = wait_page(driver, "table.responses tbody tr", "the detractors with a comment")
        self.assert_accessible(driver, "the list of responses")
        self.assert_no_other_workspace(driver, "the list of responses")
        click_and_wait_for_new_page(driver, row.find_element(By.CSS_SELECTOR, "a"))
        wait_page(driver, "blockquote.comment", "one response")
        self.assert_accessible(driver, "one response")
        driver.back()
        wait_page(driver, "table.responses tbody tr", "back to the list")
        href = driver.find_element(By.LINK_TEXT, "Export these as CSV").get_attribute("href")
        cookie = "; ".join("%s=%s" % (c["name"], c["value"]) for c in driver.get_cookies())
        request = urllib.request.Request(href, headers={"Cookie": cookie})
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30) as r:
            self.assertEqual(r.status, 200)
            text = r.read().decode()
        lines = text.strip().splitlines()
        self.assertIn("survey_id", lines[0])
        self.assertGreater(len(lines), 50)
        self.assertNotIn(self.SECRET, text)

    def test_malformed_filters_are_explained(self):
        driver = self.signed_in()
        driver.get(self.server.url + "/app?segment=plan&from=2026-02-30")
        alert = wait_page(driver, "p.error[role=alert]", "the message about the filters")
        self.assertIn("NAME:VALUE", alert.text)
        self.assertIn("must be a date", alert.text)
        self.assert_accessible(driver, "the overview with a malformed filter")
