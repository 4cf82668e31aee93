#!/usr/bin/env python3
"""Fuzzes every operation of /openapi.json on a live `advocate serve` with schemathesis (PyPI).

    python3 Tests/Fuzz/run_schemathesis.py [--binary .build/debug/advocate] [--max-examples N]
                                           [--seed N] [--workers N] [--keep] [-- extra schemathesis args]

Starts the server on a fresh SQLite data directory with an admin-scope API token, puts a
little of everything in it (a survey, a contact, a response, links, a webhook, a theme), and
runs `schemathesis run` over the document the server itself serves, with a fixed seed so a
failure reproduces. Checks: no 5xx, every status code, content type, header and body as the
document says, and every error from a machine endpoint problem+json (checks.py). Exits non-zero
on any failure; the report (JUnit, and the requests that failed) is in the data directory,
kept with --keep.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "PythonSupport"))

from processes import AdvocateServer, Config  # noqa: E402

# Enough examples per operation to walk every schema's edges, few enough that all ~160
# operations finish in a few minutes on a CI machine.
DEFAULT_EXAMPLES = 25
DEFAULT_SEED = 20261130


def seed_data(server):
    """A little of everything, so that the ids in the examples and the stateful links lead somewhere."""
    survey = server.create_survey()
    server.put_contact("ada", email_address="ada@example.test")
    server.api("POST", "/responses", {"survey_id": survey, "score": 9, "comment": "Fast and friendly",
                                       "contact": {"external_id": "ada"}})
    server.personal_link(survey, "ada")
    server.anonymous_link(survey)
    server.api("POST", "/themes", {"name": "Speed"})
    return survey


def config_file(directory, token, args):
    """schemathesis.toml: auth for both schemes, the seed, the checks, the reports."""
    path = Path(directory) / "schemathesis.toml"
    path.write_text("""\
seed = {seed}
workers = {workers}
continue-on-failure = true
max-failures = 1000
request-timeout = 30

[generation]
max-examples = {examples}
deterministic = true
allow-x00 = false

[phases.stateful]
enabled = false

[checks]
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
response_headers_conformance.enabled = true
# Requires every schema-invalid request to be refused; the API accepts some on purpose (unknown
# properties are ignored, Delighted's lenient inputs), so this is not a property we promise.
negative_data_rejection.enabled = false
positive_data_acceptance.enabled = false
missing_required_header.enabled = false
unsupported_method.enabled = false
ignored_auth.enabled = false
use_after_free.enabled = false
ensure_resource_availability.enabled = false

[auth.openapi.bearerAuth]
bearer = "{token}"

[auth.openapi.basicAuth]
username = "{token}"
password = ""

[reports.junit]
enabled = true
path = "{directory}/junit.xml"
""".format(seed=args.seed, workers=args.workers, examples=args.max_examples, token=token, directory=directory))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="the advocate binary (default .build/debug/advocate)")
    parser.add_argument("--max-examples", type=int, default=DEFAULT_EXAMPLES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the data directory, logs and reports")
    parser.add_argument("extra", nargs="*", help="more `schemathesis run` arguments (after --)")
    args = parser.parse_args()
    if args.binary:
        Config.binary = Path(args.binary).resolve()
    if not Config.binary.exists():
        print("error: no advocate binary at %s (run swift build, or pass --binary)" % Config.binary, file=sys.stderr)
        return 1
    command = shutil.which("schemathesis") or shutil.which("st")
    if command is None:
        print("error: schemathesis is not installed (pip install 'schemathesis>=4.32,<5')", file=sys.stderr)
        return 1
    directory = tempfile.mkdtemp(prefix="advocate-fuzz-")
    # Limits meant for people would turn the generated traffic into 429s and hide everything else.
    server = AdvocateServer(directory, extra_args=["--delighted-rate", "1000000", "--public-rate", "1000000",
                                                      "--one-click-rate", "1000000"])
    started = time.monotonic()
    status = 1
    try:
        token = server.cli("token", "create", "--name", "schemathesis", "--scope", "admin").strip().splitlines()[-1].strip()
        seed_data(server)
        config = config_file(directory, token, args)
        env = dict(os.environ, SCHEMATHESIS_HOOKS="checks", PYTHONPATH=str(HERE))
        run = [command, "--config-file", str(config), "run", server.url + "/openapi.json",
               "--url", server.url] + args.extra
        status = subprocess.call(run, env=env, cwd=directory)
        if status != 0 or args.keep:
            print("schemathesis: data, server log and reports in %s" % directory)
        print("schemathesis: exit %d after %.0fs" % (status, time.monotonic() - started))
        return status
    finally:
        server.stop()
        if status == 0 and not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
