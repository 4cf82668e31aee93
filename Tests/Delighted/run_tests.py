#!/usr/bin/env python3
"""Runs Delighted's official Python client (PyPI `delighted`) against the built `advocate`.

    python3 Tests/Delighted/run_tests.py [--binary .build/debug/advocate] [-k PATTERN] [--keep]

Needs the PyPI packages delighted and aiosmtpd (scripts/test installs them). Exits non-zero
when a test fails or none ran.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "PythonSupport"))

from processes import run_suites, runner_arguments  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_suites(["test_delighted_client"], runner_arguments(__doc__), "Delighted client tests"))
