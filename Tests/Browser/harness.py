"""What the browser tests run against: the server and SMTP sink of Tests/PythonSupport, a static
server for the widget's sample host page, and headless Chromium (quit on tearDownClass, and
atexit as a safety net).
"""

import atexit
import functools
import hashlib
import hmac
import http.server
import os
import re
import shutil
import sys
import tempfile
import threading
import unittest
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "PythonSupport"))
from processes import (REPO, TIMEOUT, AdvocateServer, Config, SMTPSink, _kill_group, free_port, wait_for)  # noqa: E402,F401

WIDGET_HOST_DIR = REPO / "Examples" / "widget-host"


def find_chromium():
    """(chromium, chromedriver) paths, or None for a missing one. ADVOCATE_CHROMIUM and
    ADVOCATE_CHROMEDRIVER override the search."""
    def executable(path):
        return path if path and os.access(path, os.X_OK) else None
    if "ADVOCATE_CHROMIUM" in os.environ:
        chromium = executable(os.environ["ADVOCATE_CHROMIUM"])
    else:
        chromium = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if "ADVOCATE_CHROMEDRIVER" in os.environ:
        driver = executable(os.environ["ADVOCATE_CHROMEDRIVER"])
    else:
        driver = shutil.which("chromedriver") or executable("/usr/bin/chromedriver")
    return chromium, driver


# MARK: - Browsers

_drivers = []


def _quit_all_browsers():
    for driver in list(_drivers):
        quit_browser(driver)


atexit.register(_quit_all_browsers)


def sign(secret, user_id):
    """The widget's identity signature: lowercase hex HMAC-SHA256(secret, user id)."""
    return hmac.new(secret.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()


# MARK: - A static server for the widget's sample host page (another origin than Advocate)

class StaticServer:
    def __init__(self, directory):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


# MARK: - Chromium

def new_browser(lang=None, size=(1280, 900)):
    """Headless Chromium with a fresh profile (chromedriver makes a new temporary one each time)."""
    chromium, chromedriver = find_chromium()
    if not chromium or not chromedriver:
        raise RuntimeError("Chromium and chromedriver are required (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=%d,%d" % size,
                     "--no-proxy-server", "--disable-gpu", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-sync", "--password-store=basic",
                     "--hide-scrollbars", "--force-color-profile=srgb"):
        options.add_argument(argument)
    if lang:
        options.add_argument("--lang=" + lang)
        options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    # Its own process group: chromedriver and its Chromium go away together, even if quit() fails.
    service = Service(chromedriver, popen_kw={"start_new_session": True})
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(TIMEOUT * 2)
    driver.set_script_timeout(TIMEOUT * 2)
    _drivers.append(driver)
    return driver


def quit_browser(driver):
    if driver not in _drivers:
        return
    _drivers.remove(driver)
    process = getattr(driver.service, "process", None)
    try:
        driver.quit()
    except Exception:
        pass
    if process is not None:
        _kill_group(process, grace=2)


def set_viewport(driver, width, height, mobile=False, scale=1):
    """Exact CSS viewport (the window size includes no browser UI in headless mode, but this is explicit)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})


def wait_page(driver, css, message=None, timeout=TIMEOUT):
    """Waits until an element matching `css` is present on the current page and returns it."""
    try:
        return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))
    except TimeoutException as e:
        raise AssertionError("%s: no %r on %s; the page says: %s" % (
            message or "page did not show", css, driver.current_url, _page_text(driver))) from e


def _page_text(driver):
    try:
        return driver.find_element(By.TAG_NAME, "body").text[:800]
    except Exception:
        return "(unreadable)"


def click_and_wait_for_new_page(driver, element, timeout=TIMEOUT):
    """Clicks something that submits a form or follows a link, and waits until the next document
    has loaded. The old document is marked with a property that the new one does not have."""
    driver.execute_script("window.__advocateOldPage = true")
    element.click()

    def loaded(d):
        try:
            return d.execute_script("return window.__advocateOldPage !== true && document.readyState === 'complete'")
        except WebDriverException:
            return False  # between documents
    try:
        WebDriverWait(driver, timeout).until(loaded)
    except TimeoutException as e:
        raise AssertionError("the click did not lead to a new page; still at %s: %s" % (driver.current_url, _page_text(driver))) from e


def html_links(message):
    """Every href in a message's HTML part."""
    html = message.get_body(preferencelist=("html",))
    if html is None:
        raise AssertionError("the message has no HTML part")
    return re.findall(r'href="([^"]+)"', html.get_content())


# MARK: - The test base class and respondent-page helpers

class BrowserCase(unittest.TestCase):
    """One Advocate server (and, with `with_smtp`, one SMTP sink) per test class, each with its
    own temporary data directory; a fresh Chromium per test (`self.browser()`)."""

    with_smtp = False
    # "https" gives the server --public-url https://127.0.0.1:PORT (it still speaks plain HTTP:
    # links it hands out then need their scheme swapped before a browser opens them).
    public_scheme = "http"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="advocate-browser-%s-" % cls.__name__)
        cls.addClassCleanup(cls._remove_tmp)
        cls.smtp = None
        if cls.with_smtp:
            cls.smtp = SMTPSink(cls.tmp)
            cls.addClassCleanup(cls.smtp.stop)
        cls.server = AdvocateServer(cls.tmp, smtp_port=cls.smtp.port if cls.smtp else None, public_scheme=cls.public_scheme)
        cls.addClassCleanup(cls.server.stop)
        cls.prepare()

    @classmethod
    def prepare(cls):
        """Per-class fixtures made through the API (surveys, contacts, settings)."""

    @classmethod
    def _remove_tmp(cls):
        if Config.keep_data:
            print("\n  kept %s" % cls.tmp, file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def browser(self, lang="en", size=(1280, 900)):
        driver = new_browser(lang=lang, size=size)
        self.addCleanup(quit_browser, driver)
        return driver

    # Respondent pages

    @staticmethod
    def score_button(driver, n):
        return driver.find_element(By.CSS_SELECTOR, 'form button.score[name="pick"][value="%d"]' % n)

    @staticmethod
    def pressed(driver):
        """The values of the score buttons shown pressed."""
        return [b.get_attribute("value") for b in driver.find_elements(By.CSS_SELECTOR, 'button.score[aria-pressed="true"]')]

    def pick(self, driver, n):
        """Clicks score `n` (a form submit) and waits for the answer form that comes back."""
        click_and_wait_for_new_page(driver, self.score_button(driver, n))
        wait_page(driver, "textarea#comment", "the answer form after picking %d" % n)
        self.assertEqual(self.pressed(driver), [str(n)], "score %d is shown chosen after picking it" % n)

    def send(self, driver):
        """Presses the form's send button and waits for the page it leads to."""
        click_and_wait_for_new_page(driver, driver.find_element(By.CSS_SELECTOR, 'button[name="send"]'))

    def assert_thanks(self, driver, title="Thank you!"):
        heading = wait_page(driver, "main h1", "the thank-you page")
        self.assertEqual(heading.text, title, "thank-you page expected at %s; the page says: %s" % (driver.current_url, _page_text(driver)))

    def assert_accessible(self, driver, what, context=None):
        """axe-core on the current page (or `context`): fails on any serious or critical violation."""
        from selenium_axe_python import Axe
        axe = Axe(driver)
        axe.inject()
        results = axe.run(context)
        blocking = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        if blocking:
            self.fail("axe-core found %d serious or critical violation(s) on %s (%s):\n%s" % (
                len(blocking), what, driver.current_url, Axe.report(blocking)))
        self.assertGreater(len(results["passes"]), 0, "axe-core checked %s at all" % what)

    def responses(self, where, *params):
        return self.server.query("SELECT * FROM responses WHERE " + where + " ORDER BY id", *params)
