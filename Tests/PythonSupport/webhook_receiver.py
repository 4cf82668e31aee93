"""A webhook receiver for Advocate's delivery tests (Tests/AdvocateJobsTests/WebhookDeliveryTests.swift).

It checks every delivery with the Python `verify` of docs/webhooks.md, executed from the document
itself so that the documented code is the tested code. The secret and the clock ("now", from the
test's injected clock) are read from the --state JSON file at each request, because the test
learns the secret only after it has created the endpoint with this server's port.

    webhook_receiver.py --docs D --state S --log L [--fail N] [--unsigned]   serve; prints "ready PORT"
    webhook_receiver.py --docs D --check SECRET TIMESTAMP SIGNATURES BODY_FILE NOW
                                                                 prints "valid" or "invalid"

While serving, it answers 500 to the first N requests and 200 afterwards (401 to a delivery that
does not verify), and appends one JSON line per request to the log. Standard library only.
"""

import argparse
import http.server
import json
import re
import threading
from pathlib import Path


def documented_verify(docs):
    """The `verify` function of the first ```python block of docs/webhooks.md."""
    code = re.search(r"```python\n(.*?)```", Path(docs).read_text(encoding="utf-8"), re.S).group(1)
    namespace = {}
    exec(code, namespace)
    return namespace["verify"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", required=True)
    parser.add_argument("--state")
    parser.add_argument("--log")
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--check", nargs=5)
    # A Slack-compatible incoming webhook: nothing is signed, every request is taken.
    parser.add_argument("--unsigned", action="store_true")
    args = parser.parse_args()
    verify = documented_verify(args.docs)

    if args.check:
        secret, timestamp, signatures, body_file, now = args.check
        ok = verify(secret, timestamp, signatures, Path(body_file).read_bytes(), now=float(now))
        print("valid" if ok else "invalid")
        return

    lock = threading.Lock()
    seen = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if args.unsigned:
                verified = True
            else:
                state = json.loads(Path(args.state).read_text(encoding="utf-8"))
                verified = verify(state["secret"], self.headers.get("Advocate-Timestamp"),
                                  self.headers.get("Advocate-Signature"), body, now=state["now"])
            with lock:
                seen[0] += 1
                number = seen[0]
                status = 401 if not verified else (500 if number <= args.fail else 200)
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps({
                        "n": number, "status": status, "verified": verified,
                        "event_id": self.headers.get("Advocate-Event-Id"),
                        "event_type": self.headers.get("Advocate-Event-Type"),
                        "delivery_id": self.headers.get("Advocate-Delivery-Id"),
                        "content_type": self.headers.get("Content-Type"),
                        "body": body.decode("utf-8"),
                    }) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("ready", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
