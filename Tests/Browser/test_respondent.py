"""The respondent's pages in a real browser: the e-mail's one-click score links, personal and
anonymous links, changing an answer, the detractor's opt-out and the promoter's thank-you."""

import re
import urllib.parse

from selenium.webdriver.common.by import By

from harness import BrowserCase, click_and_wait_for_new_page, html_links, wait_for, wait_page

REVIEW_SITE = {"name": "G2", "url": "https://www.g2.example/products/acme/reviews?utm_source=nps&x=1"}
# Characters a share intent must carry through as one query value: & # + = % and non-ASCII.
SHARE_TEXT = "Acme makes feedback easy & fun: 100% #recommended + more = ❤"
SHARE_URL = "https://acme.test/welcome?ref=nps&utm=share#top"


class EmailOneClickTests(BrowserCase):
    """An invitation e-mailed through a real SMTP server, answered from its score links."""

    with_smtp = True

    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey(review_sites=[REVIEW_SITE], share_text=SHARE_TEXT, share_url=SHARE_URL)

    def invite(self, external_id):
        """E-mails an invitation to a new contact; returns (invitation id, {score: link})."""
        address = "%s@example.test" % external_id
        self.server.put_contact(external_id, "en", email_address=address)
        result = self.server.api("POST", "/surveys/%d/invitations" % self.survey,
                                 {"contacts": [{"external_id": external_id}], "channel": "email"}, expect=(202,))
        self.assertEqual(result["counts"]["invited"], 1, result)
        invitation_id = result["invited"][0]["invitation"]["id"]

        def delivered():
            message = self.smtp.poll_message()
            if message is not None:
                return message
            state = self.server.query("SELECT status, last_error FROM invitations WHERE id = ?", invitation_id)[0]
            if state["status"] in ("cancelled", "bounced"):
                self.fail("the invitation e-mail was not sent: %s" % state)
        message = wait_for(delivered, "the invitation e-mail at the SMTP sink")
        self.assertIn(address, message["To"])
        pattern = re.compile(re.escape(self.server.public_url) + r"/r/([A-Za-z0-9_-]{43})/(\d+)")
        matches = [m for m in map(pattern.fullmatch, html_links(message)) if m]
        links = {int(m.group(2)): m.group(0) for m in matches}
        tokens = {m.group(1) for m in matches}
        self.assertEqual(len(matches), 11, "the HTML part has eleven score links")
        self.assertEqual(sorted(links), list(range(11)), "the HTML part links scores 0 to 10")
        self.assertEqual(len(tokens), 1, "all score links carry the invitation's one token")

        # Mail gateways scan a message's links the moment it arrives, so a hit within seconds of
        # delivery is flagged, never counted (ScannerDetection.deliveryWindowMilliseconds). A
        # person opens the message later: move the delivery time a minute back instead of
        # making the test wait.
        wait_for(lambda: self.server.query("SELECT sent_at FROM invitations WHERE id = ?", invitation_id)[0]["sent_at"],
                 "the invitation to be marked sent")
        self.server.execute("UPDATE invitations SET sent_at = sent_at - 60000 WHERE id = ?", invitation_id)
        return invitation_id, links

    def test_one_click_score_is_provisional_until_a_person_interacts_then_comment_is_saved(self):
        invitation_id, links = self.invite("mail_one")
        driver = self.browser()
        driver.get(links[7])

        wait_page(driver, "textarea#comment", "the answer form of a one-click link")
        self.assertEqual(self.pressed(driver), ["7"], "the clicked score is shown chosen")
        rows = self.responses("invitation_id = ?", invitation_id)
        self.assertEqual([(r["score"], r["status"]) for r in rows], [(7, "provisional")],
                         "a one-click hit saves a provisional score")
        self.assertIsNotNone(driver.find_element(By.CSS_SELECTOR, "form[data-beacon]").get_attribute("data-beacon"))

        # A person clicks into the comment box: the page's beacon confirms the score.
        comment_box = driver.find_element(By.CSS_SELECTOR, "textarea#comment")
        comment_box.click()
        wait_for(lambda: self.responses("invitation_id = ?", invitation_id)[0]["status"] == "counted",
                 "the beacon to turn the provisional score into a counted one")

        comment = "Setup was quick; reports could load faster — 7 & <b>not</b> more."
        comment_box.send_keys(comment)
        self.send(driver)
        self.assert_thanks(driver)
        self.assertEqual(urllib.parse.urlsplit(driver.current_url).path, urllib.parse.urlsplit(links[7]).path.rsplit("/", 1)[0],
                         "after sending, the page is the invitation's own, not the score link")

        rows = self.responses("invitation_id = ?", invitation_id)
        self.assertEqual(len(rows), 1, "exactly one response for the invitation")
        row = rows[0]
        self.assertEqual((row["score"], row["comment"], row["status"], row["channel"]), (7, comment, "counted", "email"))
        self.assertIsNotNone(row["completed_at"])

        listed = self.server.api("GET", "/responses?survey_id=%d" % self.survey)["data"]
        self.assertIn((7, comment, "email"), [(r["score"], r["comment"], r["channel"]) for r in listed],
                      "the API lists the counted response")

    def test_changing_the_score_updates_the_same_response_and_promoter_sees_review_and_share_links(self):
        invitation_id, links = self.invite("mail_two")
        driver = self.browser()
        driver.get(links[7])
        wait_page(driver, "textarea#comment")
        comment = "Good, but the mobile app needs work."
        driver.find_element(By.CSS_SELECTOR, "textarea#comment").send_keys(comment)
        self.send(driver)
        self.assert_thanks(driver)
        self.assertEqual([(r["score"], r["status"]) for r in self.responses("invitation_id = ?", invitation_id)], [(7, "counted")])

        # "Change your score" leads back to the form with the saved answer.
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "p.edit a"))
        self.assertTrue(driver.current_url.endswith("?edit=1"), driver.current_url)
        wait_page(driver, "textarea#comment")
        self.assertEqual(self.pressed(driver), ["7"])
        self.assertEqual(driver.find_element(By.CSS_SELECTOR, "textarea#comment").get_attribute("value"), comment)

        self.pick(driver, 10)
        self.assertEqual(driver.find_element(By.CSS_SELECTOR, "textarea#comment").get_attribute("value"), comment,
                         "the comment survives picking another score")
        self.send(driver)
        self.assert_thanks(driver)

        rows = self.responses("invitation_id = ?", invitation_id)
        self.assertEqual(len(rows), 1, "changing the score keeps one response")
        self.assertEqual((rows[0]["score"], rows[0]["comment"], rows[0]["status"]), (10, comment, "counted"))

        # The promoter's thank-you: the review site and share intents, exactly as configured.
        review = driver.find_element(By.CSS_SELECTOR, "a.button.primary")
        self.assertEqual(review.get_attribute("href"), REVIEW_SITE["url"])
        self.assertIn("G2", review.text)
        hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a.button")]
        x = [h for h in hrefs if urllib.parse.urlsplit(h).netloc in ("twitter.com", "x.com")]
        linkedin = [h for h in hrefs if urllib.parse.urlsplit(h).netloc.endswith("linkedin.com")]
        self.assertEqual(len(x), 1, hrefs)
        self.assertEqual(len(linkedin), 1, hrefs)
        x_query = urllib.parse.parse_qs(urllib.parse.urlsplit(x[0]).query, strict_parsing=True)
        self.assertEqual(x_query["text"], [SHARE_TEXT])
        self.assertEqual(x_query["url"], [SHARE_URL])
        linkedin_query = urllib.parse.parse_qs(urllib.parse.urlsplit(linkedin[0]).query, strict_parsing=True)
        self.assertEqual(linkedin_query["text"], [SHARE_TEXT + " " + SHARE_URL])


class DetractorOptOutTests(BrowserCase):
    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey()

    def test_detractor_can_ask_not_to_be_contacted(self):
        self.server.put_contact("unhappy", "en")
        url, invitation_id = self.server.personal_link(self.survey, "unhappy")
        driver = self.browser()
        driver.get(url)
        wait_page(driver, "button.score")
        self.assertEqual(self.pressed(driver), [], "a personal link opens with no score chosen")

        self.pick(driver, 2)
        comment = "Support never answered my ticket."
        driver.find_element(By.CSS_SELECTOR, "textarea#comment").send_keys(comment)
        self.send(driver)
        self.assert_thanks(driver)

        box = driver.find_element(By.CSS_SELECTOR, 'input[type="checkbox"][name="no_contact"]')
        self.assertFalse(box.is_selected())
        self.assertEqual(self.responses("invitation_id = ?", invitation_id)[0]["no_contact"], 0)
        box.click()
        click_and_wait_for_new_page(driver, box.find_element(By.XPATH, "ancestor::form//button[@type='submit']"))

        self.assert_thanks(driver)
        self.assertTrue(driver.find_element(By.CSS_SELECTOR, 'input[name="no_contact"]').is_selected(),
                        "the saved choice is shown ticked")
        self.assertTrue(driver.find_elements(By.CSS_SELECTOR, "p.notice"), "a notice confirms the choice")
        rows = self.responses("invitation_id = ?", invitation_id)
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["score"], rows[0]["comment"], rows[0]["no_contact"], rows[0]["status"]),
                         (2, comment, 1, "counted"))


class AnonymousLinkTests(BrowserCase):
    @classmethod
    def prepare(cls):
        cls.survey = cls.server.create_survey()

    def test_one_answer_per_browser_which_it_can_change(self):
        url, link_id = self.server.anonymous_link(self.survey)

        first = self.browser()
        first.get(url)
        wait_page(first, "button.score")
        self.pick(first, 8)
        comment = "Handy, though exports are slow."
        first.find_element(By.CSS_SELECTOR, "textarea#comment").send_keys(comment)
        self.send(first)
        self.assert_thanks(first)
        rows = self.responses("link_id = ?", link_id)
        self.assertEqual([(r["score"], r["comment"], r["channel"], r["status"]) for r in rows], [(8, comment, "link", "counted")])

        # The same browser again: its answer, with the way to change it.
        first.get(url)
        self.assert_thanks(first)
        click_and_wait_for_new_page(first, first.find_element(By.CSS_SELECTOR, "p.edit a"))
        wait_page(first, "textarea#comment")
        self.assertEqual(self.pressed(first), ["8"], "the browser's own answer is shown")
        self.assertEqual(first.find_element(By.CSS_SELECTOR, "textarea#comment").get_attribute("value"), comment)
        self.pick(first, 6)
        self.send(first)
        self.assert_thanks(first)
        rows = self.responses("link_id = ?", link_id)
        self.assertEqual([(r["score"], r["comment"]) for r in rows], [(6, comment)], "the change updates the same response")

        # Another browser (a fresh profile, no cookie) is another respondent.
        second = self.browser()
        second.get(url)
        wait_page(second, "button.score")
        self.assertEqual(self.pressed(second), [], "a new browser starts with no answer")
        self.pick(second, 9)
        self.send(second)
        self.assert_thanks(second)
        rows = self.responses("link_id = ?", link_id)
        self.assertEqual([(r["score"], r["comment"]) for r in rows], [(6, comment), (9, None)])
        self.assertNotEqual(rows[0]["respondent_key"], rows[1]["respondent_key"])
