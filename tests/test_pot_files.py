"""Each addon's committed i18n/<addon>.pot matches what the code exports now (`make pot`)."""

import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

ADDONS = ("leasing_management", "leasing_collections", "leasing_fleet")

_spec = importlib.util.spec_from_file_location(
    "leasing_pot", Path(__file__).resolve().parent.parent / "scripts" / "leasing_pot.py"
)
leasing_pot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(leasing_pot)


@tagged("post_install", "-at_install")
class TestPotFiles(TransactionCase):
    def test_pot_files_match_the_code(self):
        report = []
        for addon in ADDONS:
            problems = leasing_pot.check(self.env.cr, addon)
            if problems:
                report += [f"{addon}/i18n/{addon}.pot is stale:", *problems]
        self.assertFalse(report, "\n".join(["", *report, "Regenerate the templates with: make pot"]))

    def test_demo_terms_left_out(self):
        """The demo records' terms are not part of the templates (they hold no demo)."""
        demo_ids = leasing_pot.demo_xmlids(self.env.cr, "leasing_management")
        self.assertIn("leasing_management.plan_equipment_annuity", demo_ids)
        exported = leasing_pot.export(self.env.cr, "leasing_management")
        for entry in exported:
            for name, _line in entry.occurrences:
                self.assertNotIn(name.rsplit(":", 1)[-1], demo_ids, entry.msgid)
