from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_date, formatLang

from ..tools.approval import (
    COLLECTION_MANAGER as APPROVER_COLLECTION_MANAGER,
)
from ..tools.approval import (
    LEASING_MANAGER as APPROVER_LEASING_MANAGER,
)
from ..tools.approval import (
    NEEDS_LEASING_MANAGER,
    NOT_MANAGER,
    OWN_REQUEST,
    approval_refusal,
)

REQUEST_TYPES = [
    ("waiver", "Interest Waiver"),
    ("repossession", "Repossession"),
    ("lock", "Lock"),
    ("unlock", "Unlock"),
    ("settlement", "Settlement"),
    ("write_off", "Write-off"),
]
REQUEST_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("refused", "Refused"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
# Requests carried out on the leased units: approval leaves them waiting for ``_execute()``, which
# leasing_fleet extends; without it a to-do goes to the account manager, who marks them done.
UNIT_REQUEST_TYPES = ("repossession", "lock", "unlock")

COLLECTOR = "leasing_collections.group_leasing_collector"
COLLECTION_MANAGER = "leasing_collections.group_leasing_collection_manager"
LEASING_MANAGER = "leasing_management.group_leasing_manager"
# The to-do of a request: carrying out an approved unit request, submitting a proposed unlock.
TODO_ACTIVITY = "leasing_collections.mail_activity_type_collection_request_todo"
# What the requester chooses, while the request is a draft; afterwards it is what was submitted.
DRAFT_FIELDS = frozenset({"request_type", "case_id", "contract_id", "reason", "amount", "date"})


class LeasingCollectionRequest(models.Model):
    """An exceptional measure on a lease in arrears, asked by one person and approved by another:
    waiving penalty interest, towing the unit back, locking or unlocking it, settling the lease,
    writing its debt off.

    States: draft -> submitted -> approved / refused -> done, or cancelled; a refused or
    cancelled request may go back to draft. Submitting needs a reason; approving needs a
    Collection Manager who did not submit it, and a Leasing Manager for every write-off and for
    amounts above the company's limits (``tools/approval.py``). Approval calls ``_execute()``,
    which does what the request's type means (``_execute_<type>``); a module acting on the units
    (leasing_fleet) overrides the unit types' methods (see ``_execute_repossession``)."""

    _name = "leasing.collection.request"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _description = "Collection Request"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    request_type = fields.Selection(REQUEST_TYPES, string="Type", required=True, tracking=True, index=True)
    state = fields.Selection(
        REQUEST_STATES, string="Status", required=True, readonly=True, default="draft", tracking=True, index=True
    )
    case_id = fields.Many2one(
        "leasing.collection.case", string="Collection Case", index="btree_not_null", check_company=True
    )
    contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee", store=True, index=True)
    account_manager_id = fields.Many2one(related="contract_id.user_id", string="Account Manager")
    reason = fields.Text(tracking=True)
    amount = fields.Monetary(
        tracking=True,
        help="Waiver: the penalty interest waived. Settlement and write-off: computed when approved.",
    )
    date = fields.Date(
        default=fields.Date.context_today,
        tracking=True,
        help="Settlement: the payoff date. Write-off: the date of the journal entry.",
    )
    submitted_by_id = fields.Many2one("res.users", string="Submitted By", readonly=True, copy=False)
    submitted_date = fields.Datetime(readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    refusal_reason = fields.Text(readonly=True, copy=False, tracking=True)
    done_date = fields.Datetime(readonly=True, copy=False)
    # Settlement: the early payoff quote on the request's date, as the settlement invoice bills it.
    settlement_invoice_id = fields.Many2one(
        "account.move",
        string="Settlement Invoice",
        readonly=True,
        copy=False,
        check_company=True,
        help="The early payoff invoice the settlement issued: the lease closes, and the request is done, once it "
        "and every other invoice of the lease are paid.",
    )
    # The invoice's number, for those who read the request and not the ledger (its certificate).
    settlement_invoice_name = fields.Char(related="settlement_invoice_id.name", string="Settlement Invoice Number")
    settlement_principal = fields.Monetary(string="Outstanding Principal", readonly=True, copy=False)
    settlement_interest = fields.Monetary(string="Interest Accrued", readonly=True, copy=False)
    settlement_fee = fields.Monetary(string="Early Termination Fee", readonly=True, copy=False)
    settlement_penalty = fields.Monetary(
        string="Penalty Interest", readonly=True, copy=False, help="Penalty interest not yet invoiced, to the date."
    )
    settlement_taxes = fields.Monetary(string="Taxes", readonly=True, copy=False)
    settlement_unpaid_invoices = fields.Monetary(
        string="Unpaid Invoices",
        readonly=True,
        copy=False,
        help="Rents, fees and penalty interest already invoiced and unpaid on the settlement date.",
    )
    settlement_deposit = fields.Monetary(
        string="Less Deposit Held", readonly=True, copy=False, help="The security deposit applied (negative)."
    )
    # Write-off: the entry that moved the unpaid receivable to bad debts.
    write_off_move_id = fields.Many2one(
        "account.move", string="Write-off Entry", readonly=True, copy=False, check_company=True
    )
    # The lease's figures that a request is judged by, as of its last close.
    penalty_due = fields.Monetary(related="contract_id.penalty_due", string="Penalty Due")
    lock_state = fields.Selection(related="contract_id.lock_state")
    repossession_state = fields.Selection(related="contract_id.repossession_state")
    waiver_ids = fields.One2many("leasing.penalty.waiver", "request_id", string="Penalty Waivers", readonly=True)
    # An unlock request: the lock request whose lock it lifts (the lock episode).
    lock_request_id = fields.Many2one(
        "leasing.collection.request", string="Lock Request", readonly=True, copy=False, index="btree_not_null"
    )
    proposed = fields.Boolean(
        string="Proposed by the Close",
        readonly=True,
        copy=False,
        help="An unlock request the daily close proposed when the locked lease became current again.",
    )
    requires_leasing_manager = fields.Boolean(
        compute="_compute_requires_leasing_manager",
        help="A write-off, or an amount above the company's approval limit: a Leasing Manager approves it.",
    )

    _sql_constraints = [
        ("name_unique", "UNIQUE(name, company_id)", "A collection request's reference is unique in its company."),
    ]

    def init(self):
        # The close proposes the unlock of a lock episode once, even when two servers close the
        # same lease at once.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS leasing_collection_request_one_proposal_per_lock
                ON leasing_collection_request (lock_request_id) WHERE proposed
            """
        )

    @api.depends("case_id")
    def _compute_contract_id(self):
        for request in self:
            # A request of a case is about the case's lease; without a case, the lease chosen.
            request.contract_id = request.case_id.contract_id or request.contract_id

    @api.depends("request_type", "amount", "company_id")
    def _compute_requires_leasing_manager(self):
        for request in self:
            groups = {APPROVER_COLLECTION_MANAGER}
            request.requires_leasing_manager = (
                request._approval_refusal(request.submitted_by_id.id, False, groups) == NEEDS_LEASING_MANAGER
            )

    @api.constrains("case_id", "contract_id")
    def _check_case_contract(self):
        for request in self:
            if request.case_id and request.case_id.contract_id != request.contract_id:
                raise ValidationError(
                    self.env._(
                        "%(request)s is about %(contract)s, but its collection case %(case)s follows "
                        "%(case_contract)s.",
                        request=request.name,
                        contract=request.contract_id.name,
                        case=request.case_id.name,
                        case_contract=request.case_id.contract_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        Contract = self.env["leasing.contract"]
        Case = self.env["leasing.collection.case"]
        for vals in vals_list:
            contract_id = vals.get("contract_id") or (
                vals.get("case_id") and Case.browse(vals["case_id"]).contract_id.id
            )
            if vals.get("name", "/") == "/" and contract_id:
                company = Contract.browse(contract_id).company_id
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("leasing.collection.request") or "/"
                )
        return super(LeasingCollectionRequest, self._without_system_defaults()).create(vals_list)

    def write(self, vals):
        self._check_system_fields([vals])
        if not self.env.su and DRAFT_FIELDS.intersection(vals):
            for request in self:
                if request.state != "draft":
                    raise UserError(
                        self.env._(
                            "%(request)s is %(state)s: what it asks can no longer be changed. Cancel it and set it "
                            "back to draft first.",
                            request=request.name,
                            state=request._state_label(),
                        )
                    )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        for request in self:
            if request.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: only draft or cancelled requests can be deleted.",
                        request=request.name,
                        state=request._state_label(),
                    )
                )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def action_submit(self):
        """Ask for approval: the request as it stands, with its reason, goes to the managers."""
        self.check_access("write")
        for request in self:
            if request.state != "draft":
                raise UserError(self.env._("%(request)s is not a draft: it cannot be submitted.", request=request.name))
            if not (request.reason or "").strip():
                raise UserError(
                    self.env._("Say why you ask for %(request)s before submitting it.", request=request.name)
                )
        self.contract_id._leasing_lock_for_requests()
        for request in self:
            request._check_submittable()
        self._write_system(
            {"state": "submitted", "submitted_by_id": self.env.uid, "submitted_date": fields.Datetime.now()}
        )
        # An unlock lifts the lock in force: the episode it ends.
        for request in self.filtered(lambda request: request.request_type == "unlock" and not request.lock_request_id):
            request._write_system({"lock_request_id": request.contract_id._leasing_current_lock_request().id})
        self.activity_feedback([TODO_ACTIVITY], feedback=self.env._("Submitted."))
        for request in self:
            request.message_post(body=self.env._("Submitted for approval."))
        return True

    def action_approve(self):
        """Approve and carry out: ``_execute()`` does what the request asks, at once for a
        waiver (done), or leaves it approved until it is carried out (the unit requests)."""
        self.check_access("write")
        user = self.env.user
        groups = set()
        if user.has_group(COLLECTION_MANAGER):
            groups.add(APPROVER_COLLECTION_MANAGER)
        if user.has_group(LEASING_MANAGER):
            groups.add(APPROVER_LEASING_MANAGER)
        for request in self:
            if request.state != "submitted":
                raise UserError(
                    self.env._("%(request)s is not submitted: it cannot be approved.", request=request.name)
                )
            refusal = request._approval_refusal(request.submitted_by_id.id, user.id, groups)
            if refusal == NOT_MANAGER:
                raise AccessError(self.env._("Only a Collection Manager may approve collection requests."))
            if refusal == OWN_REQUEST:
                raise UserError(
                    self.env._(
                        "%(request)s was submitted by you: another Collection Manager must approve it.",
                        request=request.name,
                    )
                )
            if refusal == NEEDS_LEASING_MANAGER:
                raise AccessError(request._leasing_manager_message())
        self.contract_id._leasing_lock_for_requests()
        for request in self:
            request._check_submittable()
        self._write_system({"state": "approved", "approved_by_id": user.id, "approved_date": fields.Datetime.now()})
        for request in self:
            request.message_post(body=self.env._("Approved."))
        self._execute()
        return True

    def action_refuse(self):
        """Open the refusal wizard: a refusal says why."""
        self._check_can_decide()
        for request in self:
            if request.state != "submitted":
                raise UserError(self.env._("%(request)s is not submitted: it cannot be refused.", request=request.name))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "leasing_collections.action_leasing_collection_request_refuse"
        )
        action["context"] = {"default_request_ids": self.ids}
        return action

    def _action_refuse(self, reason):
        """Refuse these submitted requests for ``reason`` (required)."""
        self._check_can_decide()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the request is refused."))
        for request in self:
            if request.state != "submitted":
                raise UserError(self.env._("%(request)s is not submitted: it cannot be refused.", request=request.name))
        self._write_system({"state": "refused", "refusal_reason": reason})
        for request in self:
            request.message_post(body=self.env._("Refused: %(reason)s", reason=reason))
        return True

    def action_cancel(self):
        """Withdraw a request not carried out yet: its requester while it is a draft or submitted,
        a Collection Manager also once it is approved (a unit request waiting for its execution)."""
        self.check_access("write")
        is_manager = self.env.user.has_group(COLLECTION_MANAGER)
        for request in self:
            if request.state not in ("draft", "submitted", "approved"):
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: it cannot be cancelled.",
                        request=request.name,
                        state=request._state_label(),
                    )
                )
            if request.state == "approved" and not is_manager:
                raise AccessError(
                    self.env._(
                        "Only a Collection Manager may cancel an approved request (%(request)s).", request=request.name
                    )
                )
        self._write_system({"state": "cancelled"})
        self.activity_unlink([TODO_ACTIVITY])
        for request in self:
            request.message_post(body=self.env._("Cancelled."))
        return True

    def action_draft(self):
        """Back to draft, to change and submit again, from refused or cancelled."""
        self.check_access("write")
        for request in self:
            if request.state not in ("refused", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: only refused or cancelled requests go back to draft.",
                        request=request.name,
                        state=request._state_label(),
                    )
                )
        self._write_system(
            {
                "state": "draft",
                "submitted_by_id": False,
                "submitted_date": False,
                "approved_by_id": False,
                "approved_date": False,
                "refusal_reason": False,
            }
        )
        for request in self:
            request.message_post(body=self.env._("Set back to draft."))
        return True

    def action_done(self):
        """An approved repossession, lock or unlock carried out by hand (without a module acting
        on the units, or when it could not): a Collection Manager marks it done."""
        self.check_access("write")
        if not self.env.user.has_group(COLLECTION_MANAGER):
            raise AccessError(self.env._("Only a Collection Manager may mark a request as done."))
        for request in self:
            if request.request_type not in UNIT_REQUEST_TYPES:
                raise UserError(
                    self.env._(
                        "%(request)s is done by its approval, not by hand: only repossessions, locks and unlocks "
                        "are marked done.",
                        request=request.name,
                    )
                )
            if request.state != "approved":
                raise UserError(self.env._("%(request)s must be approved before it is done.", request=request.name))
        self._action_done()
        return True

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------
    def _execute(self):
        """Carry out these approved requests, each by its type's ``_execute_<type>`` method,
        which returns whether it carried the request out: those it did are done; the others
        stay approved until they are (``_action_done``)."""
        done = self.browse()
        for request in self:
            if getattr(request, f"_execute_{request.request_type}")() and request.state == "approved":
                done |= request
        done._action_done()

    def _action_done(self):
        """These approved requests are carried out: done, their to-do closed. For the methods
        that carry a request out later than its approval (leasing_fleet when the unit confirms)."""
        self._write_system({"state": "done", "done_date": fields.Datetime.now()})
        self.activity_feedback([TODO_ACTIVITY], feedback=self.env._("Done."))
        for request in self:
            request.message_post(body=self.env._("Done."))

    def _execute_waiver(self):
        """Waive the request's amount of the lease's penalty interest (the part not invoiced yet
        is never invoiced, the part invoiced is credited back; the oldest instalments first):
        ``leasing.contract._leasing_waive_penalty``. The waivers point back to the request.
        Return True: a waiver is done by its approval."""
        self.ensure_one()
        waivers = self.contract_id._leasing_waive_penalty(self.amount, self._waiver_reason(), date=self.date)
        # The waivers are the system's records; the request that asked for them is set once the
        # checked waiver made them.
        waivers.sudo().write({"request_id": self.id})
        return True

    def _execute_repossession(self):
        """Tow the unit back. Return whether the request was carried out (it is then done).

        Here, without a module acting on the units, nothing can be: a to-do goes to the lease's
        account manager (``_execute_by_hand``) and the request stays approved until a
        Collection Manager marks it done (``action_done``). leasing_fleet overrides this method
        (and ``_execute_lock``, ``_execute_unlock``) to act on the lease's units, returning True
        when they are carried out, or ``super()``'s result when they cannot be (no unit to act
        on): the to-do then takes over. An execution confirmed later (a lock acknowledged by the
        device) returns False and calls ``_action_done()`` on the request when it is."""
        self.ensure_one()
        return self._execute_by_hand()

    def _execute_lock(self):
        """Lock the unit: as ``_execute_repossession``, a to-do for the account manager without
        leasing_fleet. Return whether the request was carried out."""
        self.ensure_one()
        return self._execute_by_hand()

    def _execute_unlock(self):
        """Unlock the unit: as ``_execute_repossession``, a to-do for the account manager
        without leasing_fleet. Return whether the request was carried out."""
        self.ensure_one()
        return self._execute_by_hand()

    def _execute_by_hand(self):
        """An approved unit request that nothing carries out on its own: a to-do on the request
        for the lease's account manager (the approver when there is none, or when they may not
        open collection requests), who carries it out; a Collection Manager then marks it done.
        Return False: not carried out yet."""
        self.ensure_one()
        user = self.contract_id.user_id
        if not user or not user.active or not user.has_group(COLLECTOR):
            user = self.env.user
        self.activity_schedule(
            TODO_ACTIVITY,
            summary=self.env._("Carry out %(type)s %(request)s", type=self._type_label(), request=self.name),
            note=self._waiver_reason(),
            user_id=user.id,
        )
        return False

    # ------------------------------------------------------------------
    # Checks and helpers
    # ------------------------------------------------------------------
    def _check_submittable(self):
        """What the request asks is possible on its lease now (at submission and at approval)."""
        self.ensure_one()
        contract = self.contract_id
        if self.request_type == "waiver":
            self._check_waiver_amount()
        elif self.request_type == "repossession" and contract.repossession_state in ("requested", "approved"):
            pending = contract._leasing_pending_requests("repossession") - self
            if pending:
                raise UserError(
                    self.env._(
                        "%(contract)s already has a repossession under way (%(requests)s).",
                        contract=contract.name,
                        requests=", ".join(pending.mapped("name")),
                    )
                )
        elif self.request_type == "lock":
            pending = contract._leasing_pending_requests("lock") - self
            if pending or contract.lock_state == "locked":
                raise UserError(
                    self.env._(
                        "%(contract)s is already locked or has a lock under way: it cannot be locked again.",
                        contract=contract.name,
                    )
                )
        elif self.request_type == "unlock":
            pending = contract._leasing_pending_requests("unlock") - self
            if pending or contract.lock_state not in ("locked", "unlock_requested"):
                raise UserError(
                    self.env._(
                        "%(contract)s is not locked, or its unlock is already under way: there is nothing to unlock.",
                        contract=contract.name,
                    )
                )
        elif self.request_type in ("settlement", "write_off"):
            # A settlement on a date before the last payment, a write-off of a lease that owes
            # nothing...: refused now rather than at approval.
            error = self._leasing_request_error()
            if error:
                raise UserError(error)

    def _check_waiver_amount(self):
        """A waiver asks for more than zero and never more than the penalty interest due."""
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(self.amount, 0.0) <= 0:
            raise UserError(
                self.env._("Say how much penalty interest %(request)s waives: more than zero.", request=self.name)
            )
        waivable = self.contract_id._leasing_penalty_waivable()
        total = currency.round(sum(waivable.values()))
        if currency.compare_amounts(self.amount, total) > 0:
            raise UserError(
                self.env._(
                    "%(request)s asks to waive %(amount)s, more than the %(due)s of penalty interest "
                    "%(contract)s owes. Lower the amount.",
                    request=self.name,
                    amount=formatLang(self.env, self.amount, currency_obj=currency),
                    due=formatLang(self.env, total, currency_obj=currency),
                    contract=self.contract_id.name,
                )
            )

    def _approval_refusal(self, submitter_id, approver_id, groups):
        self.ensure_one()
        company = self.company_id or self.env.company
        currency = self.currency_id or company.currency_id
        return approval_refusal(
            self.request_type,
            self.amount,
            submitter_id=submitter_id,
            approver_id=approver_id,
            approver_groups=groups,
            limits=company._leasing_request_approval_limits(),
            compare=currency.compare_amounts,
        )

    def _leasing_manager_message(self):
        self.ensure_one()
        if self.request_type == "waiver":
            limit = self.company_id.leasing_waiver_approval_limit
            return self.env._(
                "%(request)s waives %(amount)s, above the approval limit of %(limit)s: a Leasing Manager must "
                "approve it.",
                request=self.name,
                amount=formatLang(self.env, self.amount, currency_obj=self.currency_id),
                limit=formatLang(self.env, limit, currency_obj=self.company_id.currency_id),
            )
        return self.env._(
            "%(request)s is a %(type)s: a Leasing Manager must approve it.",
            request=self.name,
            type=self._type_label(),
        )

    def _check_can_decide(self):
        self.check_access("write")
        if not self.env.user.has_group(COLLECTION_MANAGER):
            raise AccessError(self.env._("Only a Collection Manager may approve or refuse collection requests."))

    def _write_system(self, vals):
        """Write what only the system sets (status, who decided and when), for an action method
        that checked the state and the user's rights: the user must be allowed to change these
        requests at all. ``write`` refuses these fields to any caller but the superuser."""
        self.check_access("write")
        return self.sudo().write(vals)

    def _waiver_reason(self):
        self.ensure_one()
        return self.env._("%(request)s: %(reason)s", request=self.name, reason=self.reason or "")

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _type_label(self):
        self.ensure_one()
        return dict(self._fields["request_type"]._description_selection(self.env))[self.request_type]

    @api.model
    def _leasing_propose_unlock_vals(self, lock_request, close_date):
        """The draft unlock request the close proposes for the lock episode of ``lock_request``."""
        return {
            "request_type": "unlock",
            "contract_id": lock_request.contract_id.id,
            "case_id": lock_request.case_id.id,
            "lock_request_id": lock_request.id,
            "proposed": True,
            "date": close_date,
            "reason": self.env._(
                "The lease is current again (close of %(date)s): unlock what %(lock)s locked.",
                date=format_date(self.env, close_date),
                lock=lock_request.name,
            ),
        }

    def _leasing_notify_proposals(self):
        """A to-do on each proposed unlock for the lease's account manager, who submits it (the
        one who approved the lock when the account manager may not open requests): all at once."""
        activity_type = self.env.ref(TODO_ACTIVITY, raise_if_not_found=False)
        if not activity_type or not self:
            return self.env["mail.activity"]
        model_id = self.env["ir.model"]._get_id(self._name)
        deadline = activity_type._get_date_deadline()
        vals_list = []
        for request in self:
            user = request.contract_id.user_id
            if not user or not user.active or not user.has_group(COLLECTOR):
                user = request.lock_request_id.approved_by_id or request.lock_request_id.submitted_by_id
            if user:
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": request.id,
                        "activity_type_id": activity_type.id,
                        "summary": self.env._("Submit the proposed unlock %(request)s", request=request.name),
                        "date_deadline": deadline,
                        "user_id": user.id,
                        "automated": True,
                    }
                )
        # The close runs as the system: the to-dos are its own.
        return self.env["mail.activity"].sudo().create(vals_list)

    def action_print_settlement_certificate(self):
        """The settlement certificate of these done settlements (PDF, in the lessee's language)."""
        for request in self:
            if request.request_type != "settlement" or request.state != "done":
                raise UserError(
                    self.env._(
                        "%(request)s is not a settlement done: its certificate is issued once the settlement invoice "
                        "is paid and the lease closed.",
                        request=request.name,
                    )
                )
        return self.env.ref("leasing_collections.action_report_leasing_settlement_certificate").report_action(self)

    # ------------------------------------------------------------------
    # Settlement and write-off
    # ------------------------------------------------------------------
    def _leasing_certificate_statement(self):
        """The settlement certificate's statement, in the language of the report's context."""
        self.ensure_one()
        return self.env._(
            "%(company)s certifies that the lease contract %(contract)s with %(lessee)s was settled in full on "
            "%(date)s: every amount below is paid, the lease is closed and nothing more is owed under it.",
            company=self.company_id.name,
            contract=self.contract_id.name,
            lessee=self.partner_id.name,
            date=format_date(self.env, self.date),
        )

    def _leasing_certificate_ownership(self):
        self.ensure_one()
        return self.env._(
            "Ownership of the leased items passed to %(lessee)s on %(date)s.",
            lessee=self.partner_id.name,
            date=format_date(self.env, self.contract_id.ownership_transferred_date),
        )

    def _leasing_request_error(self):
        """Why this settlement or write-off cannot be carried out as it stands, or False."""
        self.ensure_one()
        if self.request_type == "settlement":
            return self.contract_id._leasing_settlement_error(self.date)
        if self.request_type == "write_off":
            return self.contract_id._leasing_write_off_error(self.date)
        return False

    def _execute_settlement(self):
        """Settle the lease on the request's date: leasing_management's early payoff, its quote
        (the penalty interest of the late instalments included) and its settlement invoice, by the
        payoff's own code. The request's amount is the quote's total to pay; the request is done
        when the lease closes (``leasing.contract._close_paid_off``). Return whether it is done."""
        self.ensure_one()
        error = self._leasing_request_error()
        if error:
            raise UserError(error)
        contract = self.contract_id
        # The approval of the request is the check: its approver (a Collection Manager) need not
        # be a Leasing Manager who invoices. The payoff runs as the system, from the lease and the
        # approved date; the lease is locked first so the quote recorded is the one invoiced.
        contract._leasing_lock_for_penalty()
        wizard_sudo = (
            self.env["leasing.payoff.wizard"].sudo().create({"contract_id": contract.id, "payoff_date": self.date})
        )
        quote = wizard_sudo._quote()
        invoice = wizard_sudo._do_payoff()
        # The request's figures are the system's, written once the payoff is made.
        self.sudo().write(
            {
                "amount": quote["total"],
                "settlement_invoice_id": invoice.id,
                "settlement_principal": quote["principal"],
                "settlement_interest": quote["interest"],
                "settlement_fee": quote["fee"],
                "settlement_penalty": quote["penalty"],
                "settlement_taxes": quote["taxes"],
                "settlement_unpaid_invoices": quote["unpaid_invoices"],
                "settlement_deposit": -quote["deposit"],
            }
        )
        # Everything was paid already (the deposit covered it): the lease closed at once.
        if contract.state == "closed" and self.state == "approved":
            self._leasing_settlement_done()
        # Carried out once the lease closes, not by the approval.
        return self.state == "done"

    def _leasing_settlement_done(self):
        """These approved settlements are done: their lease closed, the settlement invoice paid."""
        requests = self.filtered(lambda request: request.state == "approved")
        if not requests:
            return
        # Done by the ledger (the last invoice paid), whoever paid it.
        requests.sudo()._action_done()
        for request in requests:
            request.sudo().message_post(
                body=self.env._(
                    "The settlement invoice %(invoice)s is paid and %(contract)s is closed: the settlement certificate "
                    "is ready.",
                    invoice=request.settlement_invoice_id.name or "",
                    contract=request.contract_id.name,
                )
            )

    def _execute_write_off(self):
        """Write the lease's unpaid receivable off to bad debts on the request's date (see
        ``leasing.contract._leasing_write_off``): the request's amount is what was written off.
        Return True: a write-off is done by its approval."""
        self.ensure_one()
        contract = self.contract_id
        move = contract._leasing_write_off(self.date, self.reason)
        contract.invalidate_recordset(["amount_written_off"])
        # The request's figures are the system's, written once the entry is posted.
        self.sudo().write({"amount": contract.amount_written_off, "write_off_move_id": move.id})
        return True
