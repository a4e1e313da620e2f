from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common_closing import LeasingClosingCommon
from .view_helpers import shows, view_arch


@tagged("post_install", "-at_install")
class TestPayoffScreens(LeasingClosingCommon):
    """What the payoff quote and a paid-off lease show, on the lease of ``LeasingClosingCommon``
    paid off on 2026-04-10 (see ``test_payoff``): principal 504.98, interest 1.66, fee 15.15,
    instalment 2 unpaid 256.28, less the deposit held 100.00: 678.07 to pay."""

    USER_PREFIX = "payoff_ui"

    def _prepare(self):
        contract = self._activate()
        self._pay(contract.upfront_invoice_id, payment_date=date(2026, 2, 28))
        with freeze_time("2026-02-28"):
            self._pay(self._invoice("2026-02-20"), payment_date=date(2026, 2, 28))
        self._invoice("2026-03-25")
        return contract

    def _wizard(self, contract):
        action = contract.action_open_payoff_wizard()
        return Form(contract.env[action["res_model"]].with_context(**action["context"]))

    @freeze_time("2026-04-10")
    def test_quote_deducts_the_deposit(self):
        """The deposit is a deduction: shown negative, labelled as such, and the lines shown add
        up to the total."""
        form = self._wizard(self._prepare())
        self.assertEqual(form.deposit_applied, -100.0)
        self.assertEqual(self.env["leasing.payoff.wizard"]._fields["deposit_applied"].string, "Less Deposit Held")
        shown = (
            form.outstanding_principal,
            form.accrued_interest,
            form.early_termination_fee,
            form.amount_tax,
            form.unpaid_invoices,
            form.deposit_applied,
        )
        self.assertEqual(self.company.currency_id.round(sum(shown)), form.amount_total)
        self.assertEqual(form.amount_total, 678.07)

    @freeze_time("2026-04-10")
    def test_no_figures_for_a_date_refused(self):
        """2026-02-20 comes before the due date of instalment 1, already paid: the warning says
        so, and no quote is shown, not even a total."""
        form = self._wizard(self._prepare())
        form.payoff_date = date(2026, 2, 20)
        self.assertIn("already paid", form.warning)
        figures = (
            "outstanding_principal",
            "accrued_interest",
            "early_termination_fee",
            "unpaid_invoices",
            "deposit_applied",
            "amount_total",
        )
        self.assertEqual([form[name] for name in figures], [0.0] * len(figures))
        wizard = form.save()
        quote = view_arch(self.env["leasing.payoff.wizard"]).xpath("//group[@name='quote']")[0]
        self.assertFalse(shows(quote, wizard))
        wizard.payoff_date = date(2026, 4, 10)
        self.assertTrue(shows(quote, wizard))
        self.assertEqual(wizard.amount_total, 678.07)

    @freeze_time("2026-04-10")
    def test_paid_off_lease_shows_what_it_waits_for(self):
        """Once paid off, nothing is left to invoice (the button goes) and a banner says the
        lease closes when the settlement invoice and the other open invoices are paid, with the
        amount still due."""
        contract = self._prepare()
        arch = view_arch(self.env["leasing.contract"])
        invoice_due = arch.xpath("//button[@name='action_invoice_due']")[0]
        banner = arch.xpath("//div[@name='payoff_banner']")[0]
        self.assertTrue(shows(invoice_due, contract))
        self.assertFalse(shows(banner, contract))

        self._wizard(contract).save().action_confirm()
        contract.invalidate_recordset()
        self.assertFalse(shows(invoice_due, contract))
        self.assertTrue(shows(banner, contract))
        self.assertEqual(
            {node.get("name") for node in banner.iter("field")}, {"payoff_date", "payoff_invoice_id", "amount_due"}
        )
        self.assertEqual(contract.amount_due, 678.07)  # settlement 421.79 + instalment 2 256.28
        # Paid: the lease closes and the banner goes.
        self._pay(contract.payoff_invoice_id | self._line(contract, 2).invoice_id, payment_date=date(2026, 4, 10))
        self.assertEqual(contract.state, "closed")
        self.assertFalse(shows(banner, contract))

    @freeze_time("2026-04-10")
    def test_settlement_and_deposit_documents_link_their_lease(self):
        contract = self._prepare()
        self._wizard(contract).save().action_confirm()
        link = f'data-oe-model="leasing.contract" data-oe-id="{contract.id}"'
        body = " ".join(contract.payoff_invoice_id.message_ids.mapped("body"))
        self.assertIn("Early payoff of", body)
        self.assertIn(link, body)
        self.assertIn(f">{contract.name}</a>", body)

    @freeze_time("2026-04-10")
    def test_rent_schedules_report(self):
        """Reporting > Rent Schedules: the lessee shows, the contract's name is not cut, and the
        lines a payoff cancelled are not among the active contracts' lines, but have their own
        filter."""
        contract = self._prepare()
        self._wizard(contract).save().action_confirm()
        Line = self.env["leasing.schedule.line"]
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_management.action_leasing_schedule_line")
        search = view_arch(Line, "search")

        def filtered(name):
            domain = safe_eval(search.xpath(f"//filter[@name='{name}']")[0].get("domain"))
            return Line.search([*domain, ("contract_id", "=", contract.id)])

        self.assertIn("search_default_active_contracts", action["context"])
        self.assertEqual(filtered("active_contracts").mapped("sequence"), [1, 2])
        self.assertEqual(filtered("cancelled").mapped("sequence"), [3, 4])
        columns = {node.get("name"): node for node in view_arch(Line, "list").iter("field")}
        self.assertNotEqual(columns["partner_id"].get("optional"), "hide")
        self.assertTrue(columns["contract_id"].get("width"))
