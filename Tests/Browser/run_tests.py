#!/usr/bin/env python3
"""Runs the browser tests: the respondent pages and the in-app widget in headless Chromium,
against the built `advocate` binary.

    python3 Tests/Browser/run_tests.py [--binary .build/debug/advocate] [-k PATTERN] [--keep]

Needs Chromium and chromedriver (Debian: chromium chromium-driver), the PyPI packages selenium
and selenium-axe-python, and aiosmtpd for the test SMTP server. Without Chromium the suite is
skipped with a warning (exit 0), unless ADVOCATE_REQUIRE_BROWSER=1 (exit 1). Exits non-zero when
a test fails.
"""

import argparse
import os
import signal
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MODULES = ["test_respondent", "test_languages", "test_widget", "test_accessibility", "test_dashboard"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="the advocate binary (default .build/debug/advocate)")
    parser.add_argument("-k", dest="patterns", action="append", default=[],
                        help="only tests whose name contains this substring (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories and logs")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args()

    required = os.environ.get("ADVOCATE_REQUIRE_BROWSER") == "1"
    missing = []
    try:
        import selenium  # noqa: F401
        import selenium_axe_python  # noqa: F401
    except ImportError as e:
        missing.append("Python package %s (pip install selenium selenium-axe-python)" % e.name)
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        missing.append("Python package aiosmtpd (pip install aiosmtpd)")
    if not missing:
        from harness import find_chromium
        chromium, chromedriver = find_chromium()
        if not chromium:
            missing.append("Chromium (Debian: apt-get install chromium)")
        if not chromedriver:
            missing.append("chromedriver (Debian: apt-get install chromium-driver)")
    if missing:
        print("⚠️  Browser tests not run; missing: " + "; ".join(missing), file=sys.stderr)
        return 1 if required else 0

    from harness import Config
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
    suite = unittest.TestSuite(loader.loadTestsFromName(name) for name in MODULES)
    started = time.monotonic()
    result = unittest.TextTestRunner(verbosity=1 if args.quiet else 2, stream=sys.stdout).run(suite)
    print("browser tests: %d run, %d failed, %d errors, %d skipped in %.1fs" % (
        result.testsRun, len(result.failures), len(result.errors), len(result.skipped), time.monotonic() - started))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
