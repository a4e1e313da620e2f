"""pytest plugin (``-p pytest_no_silent_skip``, loaded by scripts/leasing.sh): no silent skips of
the HTTP and browser tests.

Odoo skips an ``HttpCase`` test, or a tour, instead of failing it when Chromium, the Python
``websocket-client`` package or Odoo's HTTP server is missing, and pytest-odoo skips every
``HttpCase`` when ``--odoo-http`` is not given. A run would then pass having tested none of it.
This plugin turns exactly those skips into failures, by the reason Odoo (odoo/tests/common.py)
and pytest-odoo give, and leaves every other skip alone (a test that skips itself for a reason of
its own, e.g. wkhtmltopdf missing, stays a skip). Set LEASING_ALLOW_BROWSER_SKIP=1 to let them
pass as skips.
"""

import os
import re

import pytest

# The reasons Odoo 18's HttpCase/ChromeBrowser and pytest-odoo 2.3 give when they skip for want of
# the browser or the HTTP server.
_UNAVAILABLE = re.compile(
    r"websocket-client module is not installed"
    r"|Chrome executable not found"
    r"|chrom\w* not found"
    r"|google-chrome\S* not found"
    r"|Failed to detect chrome devtools port"
    r"|Error during Chrome headless connection"
    r"|Error during Chrome connection"
    r"|Cannot connect to chrome dev tools"
    r"|is an HttpCase and --odoo-http is not set",
    re.IGNORECASE,
)

_HINT = (
    "This test needs Odoo's HTTP server, a headless Chromium and the Python websocket-client, and was\n"
    "skipped for want of one: {reason}\n"
    "make test installs Debian's chromium when it can (as root or with password-less sudo); otherwise\n"
    "install it (apt-get install chromium) or put google-chrome/chromium on PATH. websocket-client\n"
    "comes with requirements-dev.txt. Keep --odoo-http (scripts/leasing.sh passes it)."
)


def _skip_reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or getattr(report, "wasxfail", None) is not None:
        return
    if os.environ.get("LEASING_ALLOW_BROWSER_SKIP") == "1":
        return
    reason = _skip_reason(report).removeprefix("Skipped: ")
    if _UNAVAILABLE.search(reason):
        report.outcome = "failed"
        report.longrepr = _HINT.format(reason=reason)


def pytest_terminal_summary(terminalreporter):
    failed = terminalreporter.stats.get("failed", [])
    if any(isinstance(r.longrepr, str) and r.longrepr.startswith("This test needs Odoo's HTTP") for r in failed):
        terminalreporter.write_line(
            "Browser/HTTP tests could not run (see above): Chromium, websocket-client or the HTTP server is missing.",
            red=True,
            bold=True,
        )
