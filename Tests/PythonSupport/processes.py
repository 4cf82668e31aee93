"""What the Python test suites (browser, Delighted client) run against: `advocate serve` and the
test SMTP server as child processes, and a small client for Advocate's own API.

Standard library only. Every process started here runs in its own process group and is killed
with it (on stop, and atexit as a safety net), so a failing or interrupted run leaves nothing
behind.
"""

import atexit
import email
import email.policy
import json
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SMTP_SCRIPT = REPO / "Tests" / "MailSupport" / "Fixtures" / "smtp_server.py"

# How long any single wait may take before the test fails (a slow CI machine gets room, a
# broken page fails in seconds, not minutes).
TIMEOUT = float(os.environ.get("ADVOCATE_BROWSER_TIMEOUT", "20"))


class Config:
    """Set by the suites' runners from the command line."""
    binary = Path(os.environ.get("ADVOCATE_BINARY", REPO / ".build" / "debug" / "advocate"))
    keep_data = False  # keep the temporary data directories (debugging)


def wait_for(condition, message, timeout=TIMEOUT, poll=0.05):
    """Polls `condition()` until it returns something truthy (returned) or fails the test."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for: %s" % (timeout, message))
        time.sleep(poll)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# MARK: - Child processes

_processes = []


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

    def __init__(self, directory, smtp_port=None, public_scheme="http", extra_args=()):
        self.root = Path(directory)
        self.public_scheme = public_scheme
        self.extra_args = list(extra_args)
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
        return self.cli("token", "create", "--name", "tests").strip().splitlines()[-1].strip()

    def cli(self, *arguments, input=None):
        """Runs an `advocate` command on this server's data; its stdout (a failure raises)."""
        args = [self._binary()] + list(arguments) + ["--data", str(self.data)]
        result = subprocess.run(args, capture_output=True, text=True, env=self._env(), timeout=60, input=input)
        if result.returncode != 0:
            raise RuntimeError("advocate %s failed (%d): %s%s" % (" ".join(arguments), result.returncode, result.stdout, result.stderr))
        return result.stdout

    def _start(self):
        url = "http://127.0.0.1:%d" % self.port
        self.public_url = "%s://127.0.0.1:%d" % (self.public_scheme, self.port)
        args = [self._binary(), "serve", "--data", str(self.data), "--port", str(self.port), "--public-url", self.public_url]
        if self.smtp_port:
            args += ["--smtp-url", "smtp://127.0.0.1:%d" % self.smtp_port, "--mail-from", "Acme <nps@acme.test>"]
        self.proc = _start(args + self.extra_args, self.log_path, env=self._env())
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


def run_suites(modules, args, label):
    """Runs the unittest modules against the binary given on the command line (`args` from
    argparse with binary, patterns, keep and quiet); the exit status for the runner."""
    import unittest
    if args.binary:
        Config.binary = Path(args.binary).resolve()
    Config.keep_data = args.keep
    if not Config.binary.exists():
        print("error: no advocate binary at %s (run swift build, or pass --binary)" % Config.binary, file=sys.stderr)
        return 1
    # Ctrl-C or a SIGTERM from CI still runs the clean-up (atexit kills every process we started).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*%s*" % p for p in args.patterns]
    suite = unittest.TestSuite(loader.loadTestsFromName(name) for name in modules)
    started = time.monotonic()
    result = unittest.TextTestRunner(verbosity=1 if args.quiet else 2, stream=sys.stdout).run(suite)
    print("%s: %d run, %d failed, %d errors, %d skipped in %.1fs" % (
        label, result.testsRun, len(result.failures), len(result.errors), len(result.skipped), time.monotonic() - started))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


def runner_arguments(description):
    """The command line every suite runner takes."""
    import argparse
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="the advocate binary (default .build/debug/advocate)")
    parser.add_argument("-k", dest="patterns", action="append", default=[],
                        help="only tests whose name contains this substring (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories and logs")
    parser.add_argument("-q", "--quiet", action="store_true")
    return parser.parse_args()

