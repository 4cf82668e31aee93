"""Delighted's official Python client (PyPI `delighted`), pointed at a running Advocate.

Every call the client offers is made the way a Delighted customer's code makes it; each test
checks what the client returns and that the data landed in Advocate (its own API, its report,
the e-mail that went out).
"""

import secrets
import tempfile
import time
import unittest
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # "Delighted is being sunset": that is why we are here
    import delighted
from delighted.errors import AuthenticationError, GeneralAPIError, ResourceValidationError, TooManyRequestsError

from processes import AdvocateServer, Config, SMTPSink, wait_for


class DelightedClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="advocate-delighted-")
        cls.smtp = SMTPSink(cls.tmp.name)
        cls.server = AdvocateServer(cls.tmp.name, smtp_port=cls.smtp.port)
        cls.survey_id = cls.server.create_survey()
        # A former Delighted key keeps working: only the base URL changes.
        cls.key = secrets.token_hex(16)
        cls.server.cli("token", "create", "--name", "Delighted integration", "--survey", str(cls.survey_id),
                       "--secret-stdin", input=cls.key + "\n")
        cls.client = delighted.Client(api_key=cls.key, api_base_url=cls.server.url + "/v1/")
        cls.messages = []

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.smtp.stop()
        if not Config.keep_data:
            cls.tmp.cleanup()

    def email(self, label):
        return "%s-%s@example.test" % (label, secrets.token_hex(4))

    def message_to(self, address):
        """The first message the SMTP sink received for `address` (waiting for it)."""
        def find():
            while True:
                message = self.smtp.poll_message()
                if message is None:
                    break
                self.messages.append(message)
            return next((m for m in self.messages if m["To"] and address in str(m["To"])), None)
        return wait_for(find, "an e-mail to %s" % address)

    def invitations_of(self, email):
        items = self.server.api("GET", "/invitations?limit=1000")["data"]
        return [i for i in items if i["email"] == email]

    # MARK: - People

    def test_creating_a_person_schedules_a_survey_in_their_language_about_the_named_product(self):
        address = self.email("ada")
        before = int(time.time())
        person = delighted.Person.create(email=address, name="Ada Lovelace", client=self.client,
                                         properties={"plan": "paid", "locale": "tr", "question_product_name": "Acme Cloud"})
        self.assertIs(type(person), delighted.Person)
        self.assertIsInstance(person.id, str)
        self.assertEqual(person.email, address)
        self.assertEqual(person.name, "Ada Lovelace")
        self.assertGreaterEqual(person.survey_scheduled_at, before)
        self.assertLessEqual(person.survey_scheduled_at, int(time.time()) + 1)
        message = self.message_to(address)
        body = message.get_body(preferencelist=("plain",)).get_content()
        self.assertIn("Acme Cloud", body)
        self.assertIn('lang="tr"', message.get_body(preferencelist=("html",)).get_content())
        [invitation] = self.invitations_of(address)
        self.assertEqual(invitation["survey_id"], self.survey_id)
        self.assertEqual((invitation["locale"], invitation["product_name"]), ("tr", "Acme Cloud"))

    def test_delay_schedules_later_send_false_schedules_nothing_and_a_second_create_updates_the_person(self):
        address = self.email("grace")
        now = int(time.time())
        later = delighted.Person.create(email=address, delay=3600, client=self.client)
        self.assertGreaterEqual(later.survey_scheduled_at, now + 3600)
        self.assertLessEqual(later.survey_scheduled_at, int(time.time()) + 3601)
        quiet = self.email("quiet")
        person = delighted.Person.create(email=quiet, send=False, client=self.client)
        self.assertNotIn("survey_scheduled_at", person)
        self.assertEqual(self.invitations_of(quiet), [])
        renamed = delighted.Person.create(email=quiet, name="Grace Hopper", send=False, client=self.client,
                                          properties={"country": "US"})
        self.assertEqual(renamed.id, person.id)
        self.assertEqual(renamed.name, "Grace Hopper")
        # The e-mail address itself can change, keeping the person.
        moved = self.email("moved")
        updated = delighted.Person.create(email=quiet, email_update=moved, send=False, client=self.client)
        self.assertEqual((updated.id, updated.email), (person.id, moved))

    def test_listing_people_pages_through_every_person_by_the_link_header(self):
        created = {delighted.Person.create(email=self.email("list"), send=False, client=self.client).id for _ in range(5)}
        seen = [p.id for p in delighted.Person.list(per_page=2, client=self.client).auto_paging_iter()]
        self.assertEqual(len(seen), len(set(seen)), "no person twice")
        self.assertTrue(created <= set(seen))
        nobody = list(delighted.Person.list(email="nobody@example.test", client=self.client).auto_paging_iter())
        self.assertEqual(nobody, [])
        address = self.email("findme")
        person = delighted.Person.create(email=address, send=False, client=self.client)
        found = list(delighted.Person.list(email=address, client=self.client).auto_paging_iter())
        self.assertEqual([(p.id, p.email) for p in found], [(person.id, address)])
        self.assertIn("created_at", found[0])
        self.assertIsNone(found[0].last_responded_at)

    def test_deleting_pending_survey_requests_cancels_them_and_deleting_a_person_erases_them(self):
        address = self.email("pending")
        person = delighted.Person.create(email=address, delay=86400, client=self.client)
        self.assertIn("survey_scheduled_at", person)
        result = delighted.SurveyRequest.delete_pending(person_email=address, client=self.client)
        self.assertEqual(result, {"ok": True})
        self.assertEqual([i["status"] for i in self.invitations_of(address)], ["cancelled"])

        delighted.SurveyResponse.create(person=person.id, score=4, client=self.client)
        self.assertEqual(delighted.Person.delete(email=address, client=self.client), {"ok": True})
        self.assertEqual(list(delighted.Person.list(email=address, client=self.client).auto_paging_iter()), [])
        self.assertEqual(delighted.SurveyResponse.all(person_id=person.id, client=self.client), [])
        other = delighted.Person.create(email=self.email("byid"), send=False, client=self.client)
        self.assertEqual(delighted.Person.delete(id=other.id, client=self.client), {"ok": True})
        with self.assertRaises(GeneralAPIError) as raised:
            delighted.Person.delete(id=other.id, client=self.client)
        self.assertEqual(raised.exception.response.status_code, 404)

    # MARK: - Survey responses

    def test_survey_responses_are_created_retrieved_updated_and_listed_and_count_in_the_report(self):
        address = self.email("resp")
        person = delighted.Person.create(email=address, name="Respondent", send=False, client=self.client)
        report_before = self.server.api("GET", "/surveys/%d/report" % self.survey_id)
        response = delighted.SurveyResponse.create(person=person.id, score=10, comment="Harika bir ürün, teşekkürler!",
                                                   person_properties={"plan": "paid"}, client=self.client)
        self.assertIs(type(response), delighted.SurveyResponse)
        self.assertIsInstance(response.id, str)
        self.assertEqual((response.person, response.score, response.survey_type), (person.id, 10, "nps"))
        self.assertEqual(response.person_properties["plan"], "paid")
        self.assertEqual((response.notes, response.tags), ([], []))

        fetched = delighted.SurveyResponse.retrieve(response.id, expand=["person"], client=self.client)
        self.assertIs(type(fetched.person), delighted.Person)
        self.assertEqual((fetched.person.id, fetched.person.email), (person.id, address))

        fetched.score = 3
        fetched.comment = "Destek çok yavaş"
        saved = fetched.save(client=self.client)
        self.assertEqual((saved.id, saved.score, saved.comment), (response.id, 3, "Destek çok yavaş"))
        mine = self.server.api("GET", "/responses/%s" % response.id)
        self.assertEqual((mine["score"], mine["comment"]), (3, "Destek çok yavaş"))

        listed = delighted.SurveyResponse.all(person_email=address, expand=["person"], client=self.client)
        self.assertEqual([(r.id, r.score, r.person.email) for r in listed], [(response.id, 3, address)])
        newest = delighted.SurveyResponse.all(order="desc", per_page=1, client=self.client)
        self.assertEqual(len(newest), 1)
        since = delighted.SurveyResponse.all(since=int(time.time()) + 3600, client=self.client)
        self.assertEqual(since, [])
        by_trend = delighted.SurveyResponse.all(trend=str(self.survey_id), person_id=person.id, client=self.client)
        self.assertEqual([r.id for r in by_trend], [response.id])

        report = self.server.api("GET", "/surveys/%d/report" % self.survey_id)
        self.assertEqual(report["responses"], report_before["responses"] + 1)

    def test_a_response_for_an_unknown_person_or_an_invalid_score_is_a_validation_error_and_records_nothing(self):
        person = delighted.Person.create(email=self.email("invalid"), send=False, client=self.client)
        for bad in ({"person": person.id, "score": 11}, {"person": "999999999", "score": 5}, {"score": 5},
                    {"person": person.id, "score": "ten"}):
            with self.assertRaises(ResourceValidationError, msg=str(bad)):
                delighted.SurveyResponse.create(client=self.client, **bad)
        self.assertEqual(delighted.SurveyResponse.all(person_id=person.id, client=self.client), [])

    # MARK: - Metrics

    def test_metrics_count_each_category_as_the_report_does(self):
        since = int(time.time()) - 5
        scores = [10, 9, 9, 8, 6, 0]
        for score in scores:
            person = delighted.Person.create(email=self.email("metric"), send=False, client=self.client)
            delighted.SurveyResponse.create(person=person.id, score=score, client=self.client)
        metrics = delighted.Metrics.retrieve(since=since, until=int(time.time()) + 1, client=self.client)
        self.assertIs(type(metrics), delighted.Metrics)
        self.assertEqual(metrics.response_count, 6)
        self.assertEqual((metrics.promoter_count, metrics.passive_count, metrics.detractor_count), (3, 1, 2))
        self.assertEqual(metrics.nps, 17)  # (3 − 2) / 6 = 16.7 points
        self.assertEqual(metrics.promoter_percent, 50.0)
        self.assertEqual(metrics.detractor_percent, 33.3)
        everything = delighted.Metrics.retrieve(client=self.client)
        report = self.server.api("GET", "/surveys/%d/report" % self.survey_id)
        self.assertEqual(everything.response_count, report["responses"])

    # MARK: - Unsubscribes and bounces

    def test_an_unsubscribed_person_is_listed_suppressed_and_never_surveyed(self):
        address = self.email("unsub")
        person = delighted.Person.create(email=address, send=False, name="Leaving", client=self.client)
        delighted.Unsubscribe.create(person_email=address, client=self.client)
        listed = [u for u in delighted.Unsubscribe.all(per_page=100, client=self.client) if u["email"] == address]
        self.assertEqual(len(listed), 1)
        self.assertEqual((listed[0]["person_id"], listed[0]["name"]), (person.id, "Leaving"))
        self.assertIsInstance(listed[0]["unsubscribed_at"], int)
        self.assertEqual(self.server.api("GET", "/suppressions/" + address)["reason"], "unsubscribed")
        again = delighted.Person.create(email=address, client=self.client)
        self.assertNotIn("survey_scheduled_at", again)

    def test_bounced_addresses_are_listed_as_bounces(self):
        address = self.email("bounce")
        person = delighted.Person.create(email=address, send=False, client=self.client)
        self.server.api("POST", "/suppressions", {"email": address, "reason": "bounced"})
        bounces = [b for b in delighted.Bounce.all(per_page=100, client=self.client) if b["email"] == address]
        self.assertEqual([b["person_id"] for b in bounces], [person.id])
        self.assertIsInstance(bounces[0]["bounced_at"], int)
        self.assertNotIn(address, [u["email"] for u in delighted.Unsubscribe.all(per_page=100, client=self.client)])

    # MARK: - Autopilot

    def test_autopilot_is_a_recurring_campaign_and_memberships_are_its_audience(self):
        self.assertEqual(delighted.AutopilotConfiguration.retrieve("sms", client=self.client)["active"], False)
        campaign = self.server.api("POST", "/surveys/%d/campaigns" % self.survey_id, {
            "name": "Autopilot", "recurring_days": 90,
            "audience": [{"property": "autopilot_email", "op": "eq", "value": True}]})
        self.server.api("POST", "/campaigns/%d/launch" % campaign["id"])
        configuration = delighted.AutopilotConfiguration.retrieve("email", client=self.client)
        self.assertEqual((configuration.platform_id, configuration.active, configuration.frequency), ("email", True, 90 * 86400))

        email_autopilot = delighted.AutopilotMembership.forEmail()
        address = self.email("auto")
        added = email_autopilot.create(person_email=address, properties={"plan": "paid"}, client=self.client)
        self.assertEqual(added["person"]["email"], address)
        self.assertEqual(added["properties"], {"plan": "paid"})
        members = [m["person"]["email"] for m in email_autopilot.list(client=self.client).auto_paging_iter()]
        self.assertIn(address, members)
        removed = email_autopilot.delete(person_email=address, client=self.client)
        self.assertEqual(removed["person"]["email"], address)
        members = [m["person"]["email"] for m in email_autopilot.list(client=self.client).auto_paging_iter()]
        self.assertNotIn(address, members)
        with self.assertRaises(ResourceValidationError):
            delighted.AutopilotMembership.forSms().create(person_phone_number="+15555550100", client=self.client)

    # MARK: - Keys and limits

    def test_a_wrong_key_is_an_authentication_error(self):
        wrong = delighted.Client(api_key="not-" + self.key, api_base_url=self.server.url + "/v1/")
        with self.assertRaises(AuthenticationError):
            delighted.Metrics.retrieve(client=wrong)

    def test_past_the_rate_limit_the_client_is_told_when_to_retry(self):
        with tempfile.TemporaryDirectory(prefix="advocate-delighted-rate-") as directory:
            server = AdvocateServer(directory, extra_args=["--delighted-rate", "3"])
            try:
                server.create_survey()
                client = delighted.Client(api_key=server.token, api_base_url=server.url + "/v1/")
                for _ in range(3):
                    delighted.Metrics.retrieve(client=client)
                with self.assertRaises(TooManyRequestsError) as raised:
                    delighted.Metrics.retrieve(client=client)
                self.assertGreaterEqual(raised.exception.retry_after, 1)
                self.assertLessEqual(raised.exception.retry_after, 60)
            finally:
                server.stop()


if __name__ == "__main__":
    unittest.main()
