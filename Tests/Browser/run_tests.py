#!/usr/bin/env python3
"""Runs the browser tests: the respondent pages and the in-app widget in headless Chromium,
against the built `advocate` binary.

    python3 Tests/Browser/run_tests.py [--binary .build/debug/advocate] [-k PATTERN] [--keep]

Needs Chromium and chromedriver (Debian: chromium chromium-driver), the PyPI packages selenium
and selenium-axe-python, and aiosmtpd for the test SMTP server. Without Chromium the suite is
skipped with a warning (exit 0), unless ADVOCATE_REQUIRE_BROWSER=1 (exit 1). Exits non-zero when
a test fails.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "PythonSupport"))

from processes import runner_arguments  # noqa: E402

MODULES = ["test_respondent", "test_languages", "test_widget", "test_accessibility", "test_dashboard", "test_alert_rules"]


def main():
    args = runner_arguments(__doc__)

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

    from processes import run_suites
    return run_suites(MODULES, args, "browser tests")

if __name__ == "__main__":
    sys.exit(main())
