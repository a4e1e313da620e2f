from odoo.tests import tagged

from .common import LeasingCommon
from .view_helpers import view_arch


@tagged("post_install", "-at_install")
class TestScreens(LeasingCommon):
    """Screens checked on their views: what they show and how they are laid out."""

    def test_settings_names_not_cut(self):
        """The journals and accounts settings span the whole width (at 1366 px a half-width
        setting cut names such as '145000 Lease Receivable (Net Investment)')."""
        arch = view_arch(self.env["res.config.settings"])
        for field_name in ("leasing_journal_id", "leasing_receivable_account_id", "leasing_commission_account_id"):
            with self.subTest(field=field_name):
                setting = arch.xpath(f"//setting[.//field[@name='{field_name}']]")[0]
                self.assertIn("col-lg-12", setting.get("class", "").split())
