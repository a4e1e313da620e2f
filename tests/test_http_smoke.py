"""Smoke tests of Odoo's HTTP server and headless browser under `make test`.

They prove that the HttpCase tests and the browser tours of the addons really run: without
``--odoo-http`` or without Chromium, scripts/pytest_no_silent_skip.py turns their skips into
failures.
"""

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestHttpSmoke(HttpCase):
    def test_call_kw_as_admin(self):
        """Log in as admin and go through /web/dataset/call_kw, as the security tests do."""
        partner = self.env["res.partner"].create({"name": "Leasing HTTP smoke 7f3a"})
        self.authenticate("admin", "admin")
        count = self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.partner/search_count",
            {
                "model": "res.partner",
                "method": "search_count",
                "args": [[("name", "=", partner.name)]],
                "kwargs": {},
            },
        )
        self.assertEqual(count, 1)

    def test_leasing_menu_tour(self):
        """The browser opens the Leasing app (leasing_management/static/tests/tours)."""
        self.start_tour("/odoo", "leasing_management_menu_tour", login="admin")
