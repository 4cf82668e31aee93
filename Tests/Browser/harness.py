"""What the browser tests run against: `advocate serve` and the test SMTP server as child
processes, a static server for the widget's sample host page, headless Chromium, and small
helpers for the API and the SQLite database.

Standard library plus selenium only. Every process started here runs in its own process
group and is killed with it (tearDownClass, and atexit as a safety net), so a failing or
interrupted run leaves nothing behind.
"""

import atexit
import email
import email.policy
import functools
import hashlib
import hmac
import http.server
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
SMTP_SCRIPT = REPO / "Tests" / "MailSupport" / "Fixtures" / "smtp_server.py"
WIDGET_HOST_DIR = REPO / "Examples" / "widget-host"

# How long any single wait may take before the test fails (a slow CI machine gets room, a
# broken page fails in seconds, not minutes).
TIMEOUT = float(os.environ.get("ADVOCATE_BROWSER_TIMEOUT", "20"))


class Config:
    """Set by run_tests.py / screenshots.py from the command line."""
    binary = Path(os.environ.get("ADVOCATE_BINARY", REPO / ".build" / "debug" / "advocate"))
    keep_data = False  # keep the temporary data directories (debugging)


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


def wait_for(condition, message, timeout=TIMEOUT, poll=0.05):
    """Polls `condition()` until it returns something truthy (returned) or fails the test."""
    try:
        return WebDriverWait(None, timeout, poll_frequency=poll).until(lambda _: condition(), message)
    except TimeoutException as e:
        raise AssertionError("timed out after %ss waiting for: %s" % (timeout, message)) from e


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# MARK: - Child processes

_processes = []
_drivers = []


def _kill_group(proc, grace=5):
    """SIGTERM to the process group, then SIGKILL if it lingers; reaps the leader."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    # Whatever is left of the group (the leader or its children) goes now.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        pass


def _cleanup_all():
    for driver in list(_drivers):
        quit_browser(driver)
    for proc in list(_processes):
        _kill_group(proc, grace=2)
        _processes.remove(proc)


atexit.register(_cleanup_all)


class LineReader:
    """Reads a child's stdout on a thread, line by line, into a queue."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        self.seen = []
        thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        thread.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)  # EOF

    def next_line(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None, "no output within %ss" % timeout
        if line is None:
            return None, "the process exited"
        self.seen.append(line)
        return line, None


def _start(args, log_path, env=None):
    log = open(log_path, "ab")
    try:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                start_new_session=True, env=env)
    finally:
        log.close()
    _processes.append(proc)
    return proc


def _read(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


class SMTPSink:
    """Tests/MailSupport/Fixtures/smtp_server.py --announce: keeps every message as msg-N.eml."""

    def __init__(self, directory):
        self.dir = Path(directory) / "mail"
        self.dir.mkdir(parents=True)
        self.log_path = Path(directory) / "smtp.log"
        self.proc = _start([sys.executable, str(SMTP_SCRIPT), "--dir", str(self.dir), "--announce"], self.log_path)
        self.reader = LineReader(self.proc.stdout)
        line, problem = self.reader.next_line(TIMEOUT)
        if not line or not line.startswith("ready "):
            self.stop()
            raise RuntimeError("the SMTP sink did not start (%s): %s" % (problem or line, _read(self.log_path)))
        self.port = int(line.split()[1])

    def poll_message(self):
        """The next message received, as an email.message.EmailMessage, or None if there is none yet."""
        try:
            line = self.reader.lines.get_nowait()
        except queue.Empty:
            return None
        if line is None:
            raise AssertionError("the SMTP sink exited; its log: %s" % _read(self.log_path))
        self.reader.seen.append(line)
        if not line.startswith("msg "):
            return None
        with open(self.dir / ("%s.eml" % line.replace(" ", "-")), "rb") as f:
            return email.message_from_binary_file(f, policy=email.policy.default)

    def stop(self):
        _kill_group(self.proc)
        if self.proc in _processes:
            _processes.remove(self.proc)


class AdvocateServer:
    """`advocate serve` on a free port with its own SQLite data directory."""

    def __init__(self, directory, smtp_port=None, public_scheme="http"):
        self.root = Path(directory)
        self.public_scheme = public_scheme
        self.data = self.root / "data"
        self.log_path = self.root / "serve.log"
        self.token = self._create_token()
        self.smtp_port = smtp_port
        self.proc = None
        for attempt in range(3):  # the free port we picked may be taken by the time we bind it
            self.port = free_port()
            if self._start():
                break
        else:
            raise RuntimeError("advocate serve did not start: %s" % _read(self.log_path))
        self.url = "http://127.0.0.1:%d" % self.port

    @staticmethod
    def _binary():
        # The binary may be rebuilt while a developer runs this: give it a moment to reappear.
        wait_for(lambda: os.access(Config.binary, os.X_OK), "the advocate binary at %s" % Config.binary, timeout=60, poll=0.5)
        return str(Config.binary)

    @staticmethod
    def _env():
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADVOCATE_")}
        env["ADVOCATE_LOG_LEVEL"] = "notice"
        return env

    def _create_token(self):
        args = [self._binary(), "token", "create", "--name", "browser", "--data", str(self.data)]
        result = subprocess.run(args, capture_output=True, text=True, env=self._env(), timeout=60)
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            raise RuntimeError("advocate token create failed (%d): %s%s" % (result.returncode, result.stdout, result.stderr))
        return lines[-1].strip()

    def _start(self):
        url = "http://127.0.0.1:%d" % self.port
        self.public_url = "%s://127.0.0.1:%d" % (self.public_scheme, self.port)
        args = [self._binary(), "serve", "--data", str(self.data), "--port", str(self.port), "--public-url", self.public_url]
        if self.smtp_port:
            args += ["--smtp-url", "smtp://127.0.0.1:%d" % self.smtp_port, "--mail-from", "Acme <nps@acme.test>"]
        self.proc = _start(args, self.log_path, env=self._env())
        self.reader = LineReader(self.proc.stdout)
        line, problem = self.reader.next_line(60)
        if line == "advocate listening on %s" % url:
            return True
        self.stop()
        return False

    @property
    def log(self):
        return _read(self.log_path)

    def stop(self):
        if self.proc is not None:
            _kill_group(self.proc)
            if self.proc in _processes:
                _processes.remove(self.proc)

    # MARK: API

    def api(self, method, path, body=None, expect=(200, 201, 202, 204)):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method,
                                         headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json",
                                                  "Accept": "application/json"})
        status, text = _http(request)
        if status not in expect:
            raise AssertionError("%s %s answered %d: %s" % (method, path, status, text))
        return json.loads(text) if text else None

    def create_survey(self, **settings):
        body = {"name": "Relationship NPS", "product_name": "Acme"}
        if settings:
            body["settings"] = settings
        return self.api("POST", "/surveys", body)["id"]

    def put_contact(self, external_id, locale="en", email_address=None, name=None):
        body = {"email": email_address or "%s@example.test" % external_id, "name": name or external_id.title(), "locale": locale}
        return self.api("PUT", "/contacts/" + urllib.parse.quote(external_id, safe=""), body)

    def personal_link(self, survey_id, external_id):
        """(url, invitation_id) of a personal `/r/{token}` link."""
        link = self.api("POST", "/surveys/%d/links" % survey_id, {"contact": {"external_id": external_id}})
        return link["url"], link["invitation_id"]

    def anonymous_link(self, survey_id, name="QR"):
        """(url, link_id) of an anonymous `/l/{token}` link."""
        link = self.api("POST", "/surveys/%d/links" % survey_id, {"name": name})
        return link["url"], link["id"]

    # MARK: Database

    @property
    def database(self):
        return self.data / "advocate.sqlite"

    def query(self, sql, *params):
        """Rows as dicts, read through a read-only connection of our own."""
        connection = sqlite3.connect("file:%s?mode=ro" % self.database, uri=True, timeout=10)
        connection.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in connection.execute(sql, params)]
        finally:
            connection.close()

    def execute(self, sql, *params):
        connection = sqlite3.connect(str(self.database), timeout=10)
        try:
            with connection:
                connection.execute(sql, params)
        finally:
            connection.close()


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy for 127.0.0.1


def _http(request):
    try:
        with _opener.open(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


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
