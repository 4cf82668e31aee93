"""The alert rules' pages in a real browser, checked by axe-core: an admin writes a rule with the
form, is told what is wrong with it, previews it against recent answers, saves, disables and
deletes it; a viewer reads the list only."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import test_dashboard
from harness import BrowserCase, click_and_wait_for_new_page, wait_page


class AlertRuleTests(BrowserCase):
    signed_in_with_cli = test_dashboard.DashboardTests.signed_in_with_cli

    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey()
        for external_id, score, mrr in (("a", 2, 9000), ("b", 3, 100), ("c", 10, 9000), ("d", 0, 12000)):
            cls.server.api("POST", "/responses", {"survey_id": cls.survey, "score": score,
                                                  "contact": {"external_id": external_id, "properties": {"mrr": mrr}}})

    def condition(self, driver, row, field, test, value, name=""):
        Select(driver.find_element(By.NAME, "c%d_field" % row)).select_by_value(field)
        driver.find_element(By.NAME, "c%d_name" % row).clear()
        driver.find_element(By.NAME, "c%d_name" % row).send_keys(name)
        Select(driver.find_element(By.NAME, "c%d_test" % row)).select_by_value(test)
        driver.find_element(By.NAME, "c%d_value" % row).clear()
        driver.find_element(By.NAME, "c%d_value" % row).send_keys(value)

    def test_admin_writes_previews_saves_disables_and_deletes_a_rule(self):
        admin = self.signed_in_with_cli("alma@acme.test", "admin")
        click_and_wait_for_new_page(admin, admin.find_element(By.LINK_TEXT, "Alert rules"))
        wait_page(admin, "main h1", "the alert rules page")
        self.assertIn("No alert rules yet.", admin.page_source)
        self.assert_accessible(admin, "the empty list of alert rules")
        click_and_wait_for_new_page(admin, admin.find_element(By.LINK_TEXT, "New alert rule"))
        wait_page(admin, "form[aria-label='Alert rule']", "the rule form")
        self.assert_accessible(admin, "the rule form")

        admin.find_element(By.NAME, "name").send_keys("Paid detractors")
        self.condition(admin, 1, "property", "at_least", "5000", name="arr")
        Select(admin.find_element(By.NAME, "owner_kind")).select_by_value("user")
        admin.find_element(By.NAME, "owner").send_keys("alma@acme.test")
        click_and_wait_for_new_page(admin, admin.find_element(By.XPATH, "//button[text()='Save']"))
        error = wait_page(admin, "div.error[role=alert]", "what is wrong with the rule")
        self.assertIn('Condition 2 (property): no contact or response of this workspace has a property "arr"', error.text)
        self.assert_accessible(admin, "the rule form with its errors")
        self.assertEqual(self.server.query("SELECT * FROM alert_rules"), [])

        self.condition(admin, 1, "property", "at_least", "5000", name="mrr")
        click_and_wait_for_new_page(admin, admin.find_element(By.XPATH, "//button[starts-with(text(), 'Test against')]"))
        preview = wait_page(admin, "p.notice[role=status]", "the preview")
        self.assertEqual(preview.text, "It would have matched 2 of the last 4 counted responses (nothing saved yet).")
        self.assert_accessible(admin, "the rule form with its preview")

        click_and_wait_for_new_page(admin, admin.find_element(By.XPATH, "//button[text()='Save']"))
        wait_page(admin, "p.notice[role=status]", "the saved rule")
        self.assertEqual(len(self.server.query("SELECT * FROM alert_rules WHERE name = 'Paid detractors'")), 1)
        click_and_wait_for_new_page(admin, admin.find_element(By.LINK_TEXT, "All alert rules"))
        row = wait_page(admin, "table.overview tbody tr", "the rule in the list")
        self.assertIn("category is detractor and mrr ≥ 5000", row.text)
        self.assertIn("open a case, owned by alma@acme.test, due in 48 h", row.text)
        self.assert_accessible(admin, "the list of alert rules")
        click_and_wait_for_new_page(admin, admin.find_element(By.XPATH, "//button[text()='Disable']"))
        wait_page(admin, "table.overview tbody tr", "the disabled rule")
        self.assertEqual(self.server.query("SELECT enabled FROM alert_rules")[0]["enabled"], 0)
        click_and_wait_for_new_page(admin, admin.find_element(By.XPATH, "//button[text()='Delete']"))
        wait_page(admin, "main h1", "the list after deleting")
        self.assertEqual(self.server.query("SELECT * FROM alert_rules"), [])

    def test_viewer_reads_the_list_only(self):
        admin = self.signed_in_with_cli("ada@acme.test", "admin")
        admin.get(self.server.url + "/app/alert-rules/new")
        wait_page(admin, "form[aria-label='Alert rule']", "the rule form")
        admin.find_element(By.NAME, "name").send_keys("Every answer")
        Select(admin.find_element(By.NAME, "c0_field")).select_by_value("")
        click_and_wait_for_new_page(admin, admin.find_element(By.XPATH, "//button[text()='Save']"))
        wait_page(admin, "p.notice[role=status]", "the saved rule")
        viewer = self.signed_in_with_cli("vera@acme.test", "viewer")
        viewer.get(self.server.url + "/app/alert-rules")
        row = wait_page(viewer, "table.overview tbody tr", "the list for a viewer")
        self.assertIn("Every answer", row.text)
        self.assertIn("every counted response", row.text)
        self.assertEqual(viewer.find_elements(By.LINK_TEXT, "New alert rule"), [])
        self.assertEqual(viewer.find_elements(By.XPATH, "//button[text()='Delete']"), [])
        self.assert_accessible(viewer, "the list of alert rules for a viewer")
        viewer.get(self.server.url + "/app/alert-rules/new")
        self.assertEqual(wait_page(viewer, "main h1", "the 403 page").text, "You do not have access to this")
