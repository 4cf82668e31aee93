#!/usr/bin/env python3
"""Screenshots of the respondent pages and the widget for the docs, taken in headless Chromium
against the built binary. Run by hand (not part of the test run):

    python3 Tests/Browser/screenshots.py [--binary .build/debug/advocate] [--out docs/screenshots]

Writes survey-en.png, survey-ar.png, survey-zh-Hans.png (900x1000), survey-en-mobile.png
(390x844) and widget.png (the sample host page with the widget open, 1280x800), and from
`advocate demo` data (50,000 answers, seed 1) the dashboard's dashboard-overview.png,
dashboard-segments.png (a report broken down by plan) and dashboard-responses.png (1400 wide).
`--only dashboard` or `--only respondent` takes one half. Arabic and CJK text need fonts
(Debian: fonts-noto-core fonts-noto-cjk).
"""

import argparse
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from selenium.webdriver.common.by import By  # noqa: E402

from harness import (REPO, WIDGET_HOST_DIR, AdvocateServer, Config, StaticServer, click_and_wait_for_new_page,  # noqa: E402
                     new_browser, quit_browser, set_viewport, sign, wait_for, wait_page)

SURVEY_SHOTS = [
    # (file, contact locale, viewport, comment typed)
    ("survey-en.png", "en", (900, 1000, False), "The weekly reports save our team hours."),
    ("survey-ar.png", "ar", (900, 1000, False), "التقارير الأسبوعية توفر على فريقنا ساعات."),
    ("survey-zh-Hans.png", "zh-Hans", (900, 1000, False), "每周报表为我们团队节省了好几个小时。"),
    ("survey-en-mobile.png", "en", (390, 844, True), "The weekly reports save our team hours."),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="the advocate binary (default .build/debug/advocate)")
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"), help="where the PNGs go")
    parser.add_argument("--only", choices=["respondent", "dashboard"], help="take only these screenshots")
    args = parser.parse_args()
    if args.binary:
        Config.binary = Path(args.binary).resolve()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.only != "respondent":
        dashboard(out)
    if args.only != "dashboard":
        respondent(out)
    return 0


def full_page(driver, path, width=1400):
    """The whole page in one picture: the window grows to the document's height first."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    set_viewport(driver, width, min(max(height, 800), 4000))
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(path))
    print("wrote %s" % path)


def dashboard(out):
    with tempfile.TemporaryDirectory(prefix="advocate-screenshots-") as tmp:
        server = AdvocateServer(tmp)
        try:
            # Longer than `cli` waits: 50,000 answers take a while in a debug build.
            demo = subprocess.run([str(Config.binary), "demo", "--responses", "50000", "--seed", "1", "--data", str(server.data)],
                                  capture_output=True, text=True, timeout=1800, env=server._env())
            if demo.returncode != 0:
                raise RuntimeError("advocate demo failed: %s" % demo.stderr)
            print(demo.stdout.strip())
            link = server.cli("user", "create", "--email", "ayse@acme.example", "--role", "owner",
                              "--public-url", server.url).strip().splitlines()[-1].strip()
            driver = new_browser(lang="en", size=(1400, 900))
            try:
                driver.get(link)
                wait_page(driver, "input#password")
                driver.find_element(By.ID, "password").send_keys("correct horse battery")
                click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, "button.primary"))
                wait_page(driver, "table.overview tbody tr", "the overview")
                full_page(driver, out / "dashboard-overview.png")
                driver.get(server.url + "/app/surveys/1?from=%s&by=plan" % _days_ago(365))
                wait_page(driver, "#segments-heading", "the breakdown by plan")
                full_page(driver, out / "dashboard-segments.png")
                driver.get(server.url + "/app/responses?has_comment=true")
                wait_page(driver, "table.responses tbody tr", "the responses")
                full_page(driver, out / "dashboard-responses.png")
            finally:
                quit_browser(driver)
        finally:
            server.stop()


def _days_ago(n):
    import datetime
    return (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=n)).isoformat()


def respondent(out):
    with tempfile.TemporaryDirectory(prefix="advocate-screenshots-") as tmp:
        server = AdvocateServer(tmp)
        host = None
        try:
            survey = server.create_survey(
                brand_color="#1a73e8",
                questions=[{"id": "role", "type": "single_choice",
                            "prompt": {"en": "What is your role?", "ar": "ما دورك؟", "zh-Hans": "您的职位是？"},
                            "options": [{"en": "Engineering", "ar": "هندسة", "zh-Hans": "工程"},
                                        {"en": "Product", "ar": "منتج", "zh-Hans": "产品"},
                                        {"en": "Other", "ar": "أخرى", "zh-Hans": "其他"}]}],
            )
            for name, locale, (width, height, mobile), comment in SURVEY_SHOTS:
                external_id = "shot_%s_%s" % (locale.replace("-", "_"), "m" if mobile else "d")
                server.put_contact(external_id, locale, name="Ada")
                url, _ = server.personal_link(survey, external_id)
                driver = new_browser(lang=locale, size=(width, height))
                try:
                    set_viewport(driver, width, height, mobile=mobile, scale=2 if mobile else 1)
                    driver.get(url)
                    button = wait_page(driver, 'button.score[value="9"]')
                    click_and_wait_for_new_page(driver, button)
                    box = wait_page(driver, "textarea#comment")
                    box.send_keys(comment)
                    # No focus ring or caret in the picture.
                    driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
                    path = out / name
                    driver.save_screenshot(str(path))
                    print("wrote %s" % path)
                finally:
                    quit_browser(driver)

            server.api("PUT", "/widget", {"enabled": True, "survey_id": survey, "first_survey_days": 0})
            secret = server.api("POST", "/widget/secret", expect=(201,))["secret"]
            host = StaticServer(WIDGET_HOST_DIR)
            driver = new_browser(lang="en", size=(1280, 800))
            try:
                set_viewport(driver, 1280, 800)
                params = {"base": server.url, "workspace": "default", "user": "user_42", "signature": sign(secret, "user_42"),
                          "locale": "en"}
                driver.get(host.url + "/?" + urllib.parse.urlencode(params))
                wait_for(lambda: driver.execute_script("return window.Advocate && Advocate.state") == "question",
                         "the widget's question")
                # Let its entrance animation finish.
                wait_for(lambda: driver.execute_script(
                    "return document.getElementById('advocate-widget').shadowRoot.querySelector('.card')"
                    ".getAnimations().every(a => a.playState === 'finished')"), "the widget's animation to end")
                # The page's live state readout refreshes every 200 ms.
                wait_for(lambda: driver.find_element(By.ID, "state").text == "question", "the host page's state readout")
                path = out / "widget.png"
                driver.save_screenshot(str(path))
                print("wrote %s" % path)
            finally:
                quit_browser(driver)
        finally:
            if host:
                host.stop()
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
