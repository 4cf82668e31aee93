#!/usr/bin/env python3
"""The load test of issue 9: `advocate serve` at a steady rate, for minutes, on every public path
that takes answers at once, with a backup taken in the middle.

    python3 Tests/Load/run_load.py --binary .build/release/advocate            # 5 minutes, 200 requests/s
    python3 Tests/Load/run_load.py --binary .build/debug/advocate --duration 10 --rate 60   # smoke run

It starts the server on a fresh SQLite directory (public and one-click rate limits raised, since
every request comes from 127.0.0.1; logging at the default `info`, one line per request), makes a survey, contacts with personal links (the tokens of
invitations handed out instead of e-mailed) and an anonymous link, then sends requests at a
constant rate, whatever the server's answers take (open loop: a slow answer does not slow the
sender), mixed in equal parts:

- page_get   GET /r/{token} (three in four) and GET /l/{token}: the survey page, 200
- page_post  POST /r/{token}: score and comment with the form's CSRF value, 303
- one_click  GET /r/{token}/{score}: a score link from an e-mail, 200
- api        POST /api/v1/responses with a token, one answer from a new contact, 201

Latency is counted from the moment a request was due, not from when a worker got to it, so a
stall shows in the figures instead of hiding in a queue. Every request whose answer is not the
expected status, and every connection error, is an error. The server's resident memory is read
from /proc every 5 seconds. Halfway through, `advocate backup` runs while the load goes on; the
backup is restored into another directory and checked: `PRAGMA integrity_check`,
`PRAGMA foreign_key_check`, and every answer acknowledged before the backup began is in it.

Exits 1 on any error or failed check. Standard library only.
"""

import argparse
import http.client
import json
import os
import queue
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "PythonSupport"))
import processes  # noqa: E402

KINDS = ("page_get", "page_post", "one_click", "api")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
COMMENTS = ("Fast and friendly support", "Çok iyi, teşekkürler", "很好用", "ممتاز", "Өте жақсы", "", "Slow invoices page")


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


class Fixture:
    """What the load needs from the server: a survey, personal links, an anonymous link."""

    def __init__(self, server, invitations, seed):
        self.survey = server.create_survey()
        self.page_tokens, self.click_tokens, self.invitation_of = [], [], {}
        for i in range(invitations):
            external_id = "load-%05d" % i
            server.put_contact(external_id)
            link = server.api("POST", "/surveys/%d/links" % self.survey, {"contact": {"external_id": external_id}, "channel": "sms"})
            token = link["path"].rsplit("/", 1)[1]
            self.invitation_of[token] = link["invitation_id"]
            (self.page_tokens if i % 2 == 0 else self.click_tokens).append(token)
        self.anonymous = server.api("POST", "/surveys/%d/links" % self.survey, {"name": "QR on receipts"})["path"]
        self.random = random.Random(seed)


class Ledger:
    """What each kind did, and the answers acknowledged (for the backup's check)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {k: [] for k in KINDS}
        self.errors = {k: 0 for k in KINDS}
        self.examples = []
        self.api_ids = []            # response ids acknowledged by the API, in order
        self.posted_invitations = []  # invitation ids whose form POST was acknowledged, in order
        self.late = 0                 # requests a worker started more than 100 ms after they were due
        self.slow_seconds = {}        # second of the run -> answers in it that took over a second
        self.start = 0.0

    def record(self, kind, due, done, ok, problem=None):
        with self.lock:
            if ok:
                self.latencies[kind].append(done - due)
                if done - due > 1:
                    second = int(due - self.start)
                    self.slow_seconds[second] = self.slow_seconds.get(second, 0) + 1
            else:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    self.examples.append("%s: %s" % (kind, problem))


class Worker(threading.Thread):
    """Takes due requests from the queue and sends them on one kept-alive connection."""

    def __init__(self, server, fixture, jobs, ledger):
        super().__init__(daemon=True)
        self.port, self.token, self.fixture, self.jobs, self.ledger = server.port, server.token, fixture, jobs, ledger
        self.connection = None
        self.csrf = None

    def connect(self):
        if self.connection is not None:
            self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def send(self, method, path, body=None, headers=None):
        if self.connection is None:
            self.connect()
        all_headers = {"User-Agent": BROWSER, "Accept-Language": "en"}
        if self.csrf:
            all_headers["Cookie"] = "advocate_csrf=" + self.csrf
        all_headers.update(headers or {})
        try:
            self.connection.request(method, path, body=body, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connect()  # the next request starts on a fresh connection
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.connect()
        return response, data

    def run(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            kind, due, n, pick = job
            started = time.monotonic()
            if started - due > 0.1:
                with self.ledger.lock:
                    self.ledger.late += 1
            try:
                ok, problem = getattr(self, kind)(n, pick)
            except (OSError, http.client.HTTPException) as error:
                ok, problem = False, "connection error: %r" % error
            self.ledger.record(kind, due, time.monotonic(), ok, problem)

    def page_get(self, n, pick):
        f = self.fixture
        path = f.anonymous if n % 4 == 3 else "/r/" + f.page_tokens[pick % len(f.page_tokens)]
        response, _ = self.send("GET", path)
        if self.csrf is None:
            cookie = re.search(r"advocate_csrf=([A-Za-z0-9_-]+)", response.getheader("Set-Cookie", "") or "")
            self.csrf = cookie.group(1) if cookie else None
        return response.status == 200, "GET /%s: %d" % (path.split("/")[1], response.status)

    def page_post(self, n, pick):
        f = self.fixture
        if self.csrf is None:  # a respondent has seen a page with the form before sending it
            ok, problem = self.page_get(3, pick)
            if not ok or self.csrf is None:
                return False, problem or "no advocate_csrf cookie from the anonymous link's page"
        token = f.page_tokens[pick % len(f.page_tokens)]
        form = urllib.parse.urlencode({"csrf": self.csrf, "score": str(n % 11), "comment": COMMENTS[n % len(COMMENTS)], "send": "1"})
        response, data = self.send("POST", "/r/" + token, form, {"Content-Type": "application/x-www-form-urlencoded"})
        if response.status != 303:
            return False, "POST /r: %d %s" % (response.status, data[:200])
        with self.ledger.lock:
            self.ledger.posted_invitations.append(f.invitation_of[token])
        return True, None

    def one_click(self, n, pick):
        token = self.fixture.click_tokens[pick % len(self.fixture.click_tokens)]
        response, _ = self.send("GET", "/r/%s/%d" % (token, n % 11))
        return response.status == 200, "GET /r/{token}/{score}: %d" % response.status

    def api(self, n, pick):
        body = json.dumps({"survey_id": self.fixture.survey, "score": n % 11, "comment": COMMENTS[n % len(COMMENTS)] or None,
                           "contact": {"external_id": "api-%07d" % n}, "channel": "api"})
        response, data = self.send("POST", "/api/v1/responses", body,
                                   {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        if response.status != 201:
            return False, "POST /api/v1/responses: %d %s" % (response.status, data[:200])
        with self.ledger.lock:
            self.ledger.api_ids.append(json.loads(data)["id"])
        return True, None


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def database_mib(directory):
    """The database file's size: what the writer's page cache (64 MiB at most) can come to hold."""
    path = directory / "advocate.sqlite"
    return path.stat().st_size / 1048576 if path.exists() else 0


def stalls(slow_seconds):
    """Runs of consecutive seconds with answers slower than 1 s, as "from–to s (count)"."""
    runs, current = [], None
    for second in sorted(slow_seconds):
        if current and second <= current[1] + 1:
            current[1], current[2] = second, current[2] + slow_seconds[second]
        else:
            current = [second, second, slow_seconds[second]]
            runs.append(current)
    return ", ".join("%d–%d s (%d)" % tuple(r) for r in runs)


def backup_and_check(server, ledger, root):
    """`advocate backup` while the load runs, then restore and check the copy. Returns (ok, lines)."""
    with ledger.lock:
        api_before, posted_before = list(ledger.api_ids), set(ledger.posted_invitations)
    target = root / "backup.sqlite"
    started = time.monotonic()
    backed = subprocess.run([str(processes.Config.binary), "backup", "--to", str(target), "--data", str(server.data)],
                            capture_output=True, text=True, env=server._env())
    took = time.monotonic() - started
    lines = ["backup under load (%.1f s): %s" % (took, (backed.stdout or backed.stderr).strip())]
    if backed.returncode != 0:
        return False, lines
    restored_dir = root / "restored"
    restored = subprocess.run([str(processes.Config.binary), "restore", "--from", str(target), "--data", str(restored_dir)],
                              capture_output=True, text=True, env=server._env())
    lines.append("restore: " + (restored.stdout or restored.stderr).strip().replace("\n", "; "))
    if restored.returncode != 0:
        return False, lines
    db = sqlite3.connect(restored_dir / "advocate.sqlite")
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    foreign = db.execute("PRAGMA foreign_key_check").fetchall()
    ids = {r[0] for r in db.execute("SELECT id FROM responses")}
    answered = {r[0] for r in db.execute("SELECT invitation_id FROM responses WHERE invitation_id IS NOT NULL AND score IS NOT NULL")}
    db.close()
    missing_api = [i for i in api_before if i not in ids]
    missing_pages = [i for i in posted_before if i not in answered]
    duplicates = len(api_before) - len(set(api_before))
    lines.append("restored copy: integrity_check %s, foreign_key_check %d problem(s), %d responses" % (", ".join(integrity), len(foreign), len(ids)))
    lines.append("acknowledged before the backup began: %d API answers (%d missing, %d ids twice), %d answered invitations (%d missing)"
                 % (len(api_before), len(missing_api), duplicates, len(posted_before), len(missing_pages)))
    ok = integrity == ["ok"] and not foreign and not missing_api and not missing_pages and duplicates == 0 and api_before
    return bool(ok), lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=str(processes.REPO / ".build" / "release" / "advocate"))
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--rate", type=float, default=200, help="requests a second, all kinds together (default 200)")
    parser.add_argument("--workers", type=int, default=64, help="connections, each with a thread (default 64)")
    parser.add_argument("--invitations", type=int, default=1000, help="personal links: half for pages, half for one-click (default 1000)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the data directories and the server log")
    parser.add_argument("--initial-data", type=Path, help="start from a copy of this data directory (e.g. one `advocate demo` filled) "
                        "instead of an empty one, so the database outgrows the page cache from the first second")
    args = parser.parse_args()
    processes.Config.binary = Path(args.binary).resolve()

    root = Path(tempfile.mkdtemp(prefix="advocate-load-"))
    server, ok = None, False
    try:
        if args.initial_data:
            subprocess.run(["cp", "-r", str(args.initial_data), str(root / "data")], check=True)
        server = processes.AdvocateServer(root, extra_args=["--public-rate", "1000000", "--one-click-rate", "1000000", "--log-level", "info"])
        fixture = Fixture(server, args.invitations, args.seed)
        ok = drive(server, fixture, args, root)
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print("kept: %s (server log: %s)" % (root, root / "serve.log"))
        else:
            subprocess.run(["rm", "-rf", str(root)])
    sys.exit(0 if ok else 1)


def drive(server, fixture, args, root):
    jobs, ledger = queue.Queue(), Ledger()
    workers = [Worker(server, fixture, jobs, ledger) for _ in range(args.workers)]
    for w in workers:
        w.start()
    rss = []  # (seconds since start, KiB, MiB of database)
    backup = {}
    start = ledger.start = time.monotonic()
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            rss.append((time.monotonic() - start, rss_kib(server.proc.pid), database_mib(server.data)))
            stop.wait(5)

    def take_backup():
        backup["ok"], backup["lines"] = backup_and_check(server, ledger, root)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    backup_thread = threading.Thread(target=take_backup, daemon=True)
    interval, total = 1 / args.rate, int(args.duration * args.rate)
    choose = fixture.random
    for n in range(total):
        due = start + n * interval
        if n == total // 2:
            backup_thread.start()
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        jobs.put((KINDS[n % len(KINDS)], due, n, choose.randrange(1 << 30)))
    for _ in workers:
        jobs.put(None)
    for w in workers:
        w.join()
    elapsed = time.monotonic() - start
    backup_thread.join()
    stop.set()
    sampler.join()
    rss.append((elapsed, rss_kib(server.proc.pid), database_mib(server.data)))
    return report(args, ledger, elapsed, rss, backup)


def report(args, ledger, elapsed, rss, backup):
    print("advocate load: %s, %.0f s at %.0f requests/s (%d connections), SQLite, %d cores"
          % (args.binary, args.duration, args.rate, args.workers, os.cpu_count()))
    print("%-10s %9s %11s %9s %9s %9s %7s" % ("kind", "requests", "throughput", "p50 ms", "p99 ms", "max ms", "errors"))
    everything, errors = [], 0
    for kind in KINDS:
        values = sorted(ledger.latencies[kind])
        everything += values
        errors += ledger.errors[kind]
        count = len(values) + ledger.errors[kind]
        print("%-10s %9d %9.1f/s %9.2f %9.2f %9.2f %7d" % (kind, count, count / elapsed, percentile(values, 50) * 1000,
                                                           percentile(values, 99) * 1000, (values[-1] if values else 0) * 1000, ledger.errors[kind]))
    everything.sort()
    count = len(everything) + errors
    print("%-10s %9d %9.1f/s %9.2f %9.2f %9.2f %7d" % ("all", count, count / elapsed, percentile(everything, 50) * 1000,
                                                       percentile(everything, 99) * 1000, (everything[-1] if everything else 0) * 1000, errors))
    if ledger.late:
        print("requests started more than 100 ms after they were due (the driver fell behind): %d" % ledger.late)
    if ledger.slow_seconds:
        print("seconds of the run with answers slower than 1 s: " + stalls(ledger.slow_seconds))
    for example in ledger.examples:
        print("  error: " + example)
    first = [kib for t, kib, _ in rss if t <= 60]
    last = [kib for t, kib, _ in rss if t >= rss[-1][0] - 60]
    print("server RSS (MiB), every 5 s: " + " ".join("%.0f" % (kib / 1024) for _, kib, _ in rss))
    print("database file (MiB), same moments: " + " ".join("%.1f" % mib for _, _, mib in rss))
    print("server RSS: first minute %.1f–%.1f MiB, last minute %.1f–%.1f MiB"
          % (min(first) / 1024, max(first) / 1024, min(last) / 1024, max(last) / 1024))
    for line in backup.get("lines", ["the backup did not run"]):
        print(line)
    ok = errors == 0 and backup.get("ok", False)
    print("PASS" if ok else "FAIL")
    return ok


if __name__ == "__main__":
    main()
