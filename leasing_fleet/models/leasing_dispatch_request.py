from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import CONDITION_CODES, DispatchFacts, evaluate_conditions

DISPATCH_STATES = [
    ("draft", "Draft"),
    # Passed through on submission, while the conditions decide where the request goes.
    ("submitted", "Submitted"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("refused", "Refused"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
# A unit is on one open request at a time.
OPEN_STATES = ("draft", "submitted", "to_approve", "approved")
# What a request's requester may still change once it is submitted: who drives the units out.
DRIVER_FIELDS = frozenset({"driver_name", "carrier", "vehicle_plate"})
# A unit may leave the branch when it is free or reserved for the lease (see _check_units).
DISPATCHABLE_UNIT_STATUSES = ("available", "reserved")
# Lease states whose units have been, or may be, dispatched (a cancelled lease's units are free).
LEASED_STATES = ("draft", "review", "approved", "active")

RISK_APPROVER = "leasing_fleet.group_leasing_risk_approver"
WAREHOUSE = "leasing_fleet.group_leasing_warehouse"


class LeasingDispatchRequest(models.Model):
    _name = "leasing.dispatch.request"
    _description = "Dispatch Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "leasing.system.fields.mixin"]
    _order = "request_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default=lambda self: self.env._("New")
    )
    state = fields.Selection(
        DISPATCH_STATES,
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        group_expand=True,
    )
    contract_id = fields.Many2one(
        "leasing.contract",
        string="Lease Contract",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('state', 'in', ('approved', 'active'))]",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, precompute=True, readonly=False, index=True
    )
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Lessee", store=True, index=True)
    lot_ids = fields.Many2many(
        "stock.lot",
        "leasing_dispatch_request_lot_rel",
        "request_id",
        "lot_id",
        string="Units",
        compute="_compute_lot_ids",
        store=True,
        readonly=False,
        precompute=True,
        copy=False,
        domain="[('id', 'in', contract_lot_ids)]",
        help="The units to deliver: by default every unit of the lease not yet delivered nor on another request.",
    )
    contract_lot_ids = fields.Many2many("stock.lot", compute="_compute_contract_lot_ids")
    unit_count = fields.Integer(compute="_compute_unit_count", store=True, aggregator="sum")
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Branch",
        compute="_compute_warehouse_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        tracking=True,
        help="The branch the units leave from: where they are in stock.",
    )
    requested_by_id = fields.Many2one(
        "res.users",
        string="Requested by",
        readonly=True,
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        help="The salesperson who asks for the dispatch and answers for the unmet conditions.",
    )
    request_date = fields.Date(string="Date", required=True, default=fields.Date.context_today, tracking=True)
    driver_name = fields.Char(string="Driver", tracking=True)
    carrier = fields.Char(help="The carrier company, when the lessee does not collect the units itself.")
    vehicle_plate = fields.Char(tracking=True, help="Plate of the truck taking the units.")
    condition_ids = fields.One2many("leasing.dispatch.condition", "request_id", string="Conditions", copy=False)
    submitted_date = fields.Datetime(readonly=True, copy=False)
    approver_id = fields.Many2one(
        "res.users", string="Approved or Refused by", readonly=True, copy=False, tracking=True
    )
    decision_date = fields.Datetime(readonly=True, copy=False)
    decision_comment = fields.Text(string="Approver's Comment", readonly=True, copy=False)
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", readonly=True, copy=False, index="btree_not_null", check_company=True
    )
    picking_state = fields.Selection(related="picking_id.state", string="Delivery Status")
    gate_pass_ids = fields.One2many("leasing.gate.pass", "request_id", string="Gate Passes", readonly=True)
    gate_pass_count = fields.Integer(compute="_compute_gate_pass_count")

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A dispatch request reference must be unique per company."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("contract_id")
    def _compute_company_id(self):
        for request in self:
            request.company_id = request.contract_id.company_id or request.company_id or self.env.company

    @api.depends("contract_id")
    def _compute_contract_lot_ids(self):
        for request in self:
            request.contract_lot_ids = request.contract_id.line_ids.lot_id

    @api.depends("contract_id")
    def _compute_lot_ids(self):
        requests = self.filtered(lambda r: r.state == "draft")
        lots = requests.contract_id.line_ids.lot_id
        # Units already on another request of any lease (open or done) are not proposed again.
        taken = (
            self.sudo()  # other requests of these units, whoever can read them: the units are the point
            .search([("lot_ids", "in", lots.ids), ("state", "in", (*OPEN_STATES, "done"))])
            .filtered(lambda r: r.id not in requests.ids)
            .lot_ids
        )
        for request in self:
            if request in requests:
                request.lot_ids = request.contract_id.line_ids.lot_id - taken
            else:
                request.lot_ids = request.lot_ids

    @api.depends("lot_ids")
    def _compute_unit_count(self):
        for request in self:
            request.unit_count = len(request.lot_ids)

    @api.depends("lot_ids")
    def _compute_warehouse_id(self):
        # In the form and when create precomputes it, the request is a new record whose units are
        # new records too: where they are in stock is where their originals are.
        warehouses = self._unit_warehouses(self.lot_ids._origin)
        for request in self:
            found = {warehouses[lot] for lot in request.lot_ids._origin if lot in warehouses}
            if len(found) == 1:
                request.warehouse_id = found.pop()
            else:
                request.warehouse_id = request.warehouse_id or self.env["stock.warehouse"].search(
                    [("company_id", "=", request.company_id.id)], limit=1
                )

    def _compute_gate_pass_count(self):
        counts = dict(
            self.env["leasing.gate.pass"]._read_group([("request_id", "in", self.ids)], ["request_id"], ["__count"])
        )
        for request in self:
            request.gate_pass_count = counts.get(request, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("lot_ids", "state")
    def _check_one_open_request_per_unit(self):
        open_requests = self.filtered(lambda r: r.state in OPEN_STATES)
        if not open_requests:
            return
        # Every open request of these units, whoever can read it: a unit leaves on one request only.
        others = self.sudo().search([("lot_ids", "in", open_requests.lot_ids.ids), ("state", "in", OPEN_STATES)])
        for request in open_requests:
            for other in others - request.sudo():
                shared = request.lot_ids & other.lot_ids
                if shared:
                    raise ValidationError(
                        self.env._(
                            "%(units)s already on the open dispatch request %(other)s: a unit is on one open "
                            "request at a time. Cancel that request or take the unit off this one.",
                            units=", ".join(shared.mapped("name")),
                            other=other.name,
                        )
                    )

    @api.constrains("lot_ids", "contract_id")
    def _check_units_of_the_lease(self):
        for request in self:
            foreign = request.lot_ids - request.contract_id.line_ids.lot_id
            if foreign:
                raise ValidationError(
                    self.env._(
                        "%(units)s not on the lease %(contract)s: a dispatch request delivers the units of its "
                        "lease's lines only.",
                        units=", ".join(foreign.mapped("name")),
                        contract=request.contract_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_fields(vals_list)
        self = self._without_system_defaults()
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                "leasing.dispatch.request"
            ) or self.env._("New")
        requests = super().create(vals_list)
        requests._sync_condition_lines()
        return requests

    def write(self, vals):
        self._check_system_fields([vals])
        if not self.env.su:
            for request in self:
                if request.state != "draft" and set(vals) - DRIVER_FIELDS:
                    raise UserError(
                        self.env._(
                            "%(request)s is %(state)s: only its driver, carrier and vehicle plate can still change.",
                            request=request.name,
                            state=request._state_label(),
                        )
                    )
                if request.state in ("done", "cancelled", "refused") and vals:
                    raise UserError(
                        self.env._(
                            "%(request)s is %(state)s: it can no longer change.",
                            request=request.name,
                            state=request._state_label(),
                        )
                    )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft_or_cancelled(self):
        for request in self:
            if request.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: only draft or cancelled dispatch requests can be deleted.",
                        request=request.name,
                        state=request._state_label(),
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_submit(self):
        """Submit: with every condition met the request goes straight to the warehouse (approved,
        units reserved, delivery created); otherwise to a Risk Approver, once every unmet
        condition has its reason."""
        self.check_access("write")
        for request in self:
            if request.state != "draft":
                raise UserError(
                    self.env._("%(request)s is not a draft: it has been submitted already.", request=request.name)
                )
            if not request.lot_ids:
                raise UserError(self.env._("Choose the units %(request)s dispatches.", request=request.name))
        self._check_units()
        self._sync_condition_lines()
        evaluations = self._evaluate_conditions()
        for request in self:
            missing = [
                line.name
                for line in request.condition_ids
                if not evaluations[request][line.code][0] and not (line.unmet_reason or "").strip()
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "%(request)s: give the reason for each unmet condition before submitting it to a Risk "
                        "Approver: %(conditions)s.",
                        request=request.name,
                        conditions="; ".join(missing),
                    )
                )
        now = fields.Datetime.now()
        self._write_system({"state": "submitted", "submitted_date": now, "requested_by_id": self.env.user.id})
        for request in self:
            request.condition_ids._snapshot(evaluations[request])
            if all(met for met, _detail in evaluations[request].values()):
                request._do_approve(approver=None, comment=self.env._("Every condition met."))
                request._post(self.env._("Every condition met: sent to the warehouse."))
            else:
                request._write_system({"state": "to_approve"})
                request._post(self.env._("Submitted to a Risk Approver: some conditions are not met."))
        return True

    def action_approve(self, comment):
        """Approve the requests under review (Risk Approver, never their requester), with ``comment``."""
        self._check_risk_decision(comment)
        self._check_units()
        evaluations = self._evaluate_conditions()
        for request in self:
            request.condition_ids._snapshot(evaluations[request])
            request._do_approve(approver=self.env.user, comment=comment)
            request._post(self.env._("Approved by a Risk Approver: %(comment)s", comment=comment))
        return True

    def action_refuse(self, comment):
        """Refuse the requests under review (Risk Approver, never their requester), with ``comment``."""
        self._check_risk_decision(comment)
        evaluations = self._evaluate_conditions()
        for request in self:
            request.condition_ids._snapshot(evaluations[request])
        self._write_system(
            {
                "state": "refused",
                "approver_id": self.env.user.id,
                "decision_date": fields.Datetime.now(),
                "decision_comment": comment,
            }
        )
        for request in self:
            request._post(self.env._("Refused by a Risk Approver: %(comment)s", comment=comment))
        return True

    def action_open_decision(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approve or Refuse %(request)s", request=self.name),
            "res_model": "leasing.dispatch.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    def action_cancel(self):
        """Cancel requests not yet delivered: their delivery is cancelled, their units released
        and their gate passes revoked."""
        self.check_access("write")
        for request in self:
            if request.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: only open dispatch requests can be cancelled.",
                        request=request.name,
                        state=request._state_label(),
                    )
                )
        approved = self.filtered(lambda r: r.state == "approved")
        # The delivery and the units' reservation were made by the approval, as the system: undone
        # the same way once the rights above are checked.
        approved.picking_id.sudo().filtered(lambda p: p.state not in ("done", "cancel")).action_cancel()
        approved.gate_pass_ids.filtered(lambda p: p.state == "valid")._revoke()
        self._write_system({"state": "cancelled"})
        return True

    def action_print_gate_pass(self):
        """Print the gate pass of approved requests: the first print is the original, a reprint
        of the same pass a COPY."""
        self._check_gate_pass_rights()
        passes = self.env["leasing.gate.pass"]
        for request in self:
            current = request.gate_pass_ids.filtered(lambda p: p.state != "revoked")[:1]
            passes |= current or self.env["leasing.gate.pass"].create({"request_id": request.id})
        return self.env.ref("leasing_fleet.action_report_leasing_gate_pass").report_action(passes)

    def action_view_gate_passes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("leasing_fleet.action_leasing_gate_pass")
        action["domain"] = [("request_id", "=", self.id)]
        if len(self.gate_pass_ids) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=self.gate_pass_ids.id)
        return action

    def action_view_picking(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Delivery"),
            "res_model": "stock.picking",
            "view_mode": "form",
            "res_id": self.picking_id.id,
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _write_system(self, vals):
        """Write what only the system sets (status, approvals, the delivery), for an action
        method that has checked the state and the user's rights."""
        return self.sudo().write(vals)

    def _post(self, body):
        # The request's history, written by the action that checked the rights (a Risk Approver
        # or a keeper may only read the request).
        return self.sudo().message_post(body=body)

    def _check_risk_decision(self, comment):
        user = self.env.user
        if not user.has_group(RISK_APPROVER):
            raise AccessError(self.env._("Only a Risk Approver can approve or refuse a dispatch request."))
        if not (comment or "").strip():
            raise UserError(self.env._("Give a comment with your decision: it is printed on the gate pass."))
        for request in self:
            if request.state != "to_approve":
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: only a request waiting for a Risk Approver can be decided.",
                        request=request.name,
                        state=request._state_label(),
                    )
                )
            if request.requested_by_id == user:
                raise UserError(
                    self.env._("You requested %(request)s: another Risk Approver must decide it.", request=request.name)
                )

    def _check_gate_pass_rights(self):
        user = self.env.user
        if not (user.has_group(WAREHOUSE) or user.has_group("leasing_management.group_leasing_user")):
            raise AccessError(self.env._("Only the warehouse and the leasing users print gate passes."))
        self.check_access("read")

    def _check_units(self):
        """Refuse units that cannot leave for these requests: off their lease, reserved for
        another lease, in a status that is neither available nor reserved, or not in stock at
        the request's branch."""
        warehouses = self._unit_warehouses(self.lot_ids)
        for request in self:
            contract = request.contract_id
            for lot in request.lot_ids:
                if lot.leasing_contract_id and lot.leasing_contract_id != contract:
                    raise UserError(
                        self.env._(
                            "%(unit)s is reserved for the lease %(other)s: it cannot be dispatched on %(contract)s.",
                            unit=lot.name,
                            other=lot.leasing_contract_id.name,
                            contract=contract.name,
                        )
                    )
                if lot.leasing_status and lot.leasing_status not in DISPATCHABLE_UNIT_STATUSES:
                    raise UserError(
                        self.env._(
                            "%(unit)s is %(status)s: only an available unit, or one reserved for this lease, "
                            "can be dispatched.",
                            unit=lot.name,
                            status=dict(lot._fields["leasing_status"]._description_selection(self.env))[
                                lot.leasing_status
                            ],
                        )
                    )
                if warehouses.get(lot) != request.warehouse_id:
                    raise UserError(
                        self.env._(
                            "%(unit)s is not available in stock at %(branch)s: it cannot be dispatched from there.",
                            unit=lot.name,
                            branch=request.warehouse_id.display_name,
                        )
                    )

    @api.model
    def _unit_warehouses(self, lots):
        """{lot: the warehouse where it is in stock and not reserved by another move}."""
        if not lots:
            return {}
        # Where the units are is the warehouse's business, read for whoever asks for them.
        quants = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", lots.ids),
                    ("location_id.usage", "=", "internal"),
                    ("location_id.warehouse_id", "!=", False),
                    ("quantity", ">", 0),
                ],
                ["lot_id", "location_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        found = {}
        for lot, location, quantity, reserved in quants:
            if quantity - reserved > 0 or self._reserved_for_request(lot):
                found[lot.sudo(False)] = location.warehouse_id.sudo(False)
        return found

    def _reserved_for_request(self, lot):
        """Whether ``lot``'s stock is reserved by the delivery of one of these requests."""
        return any(lot in request.picking_id.move_line_ids.lot_id for request in self if request.picking_id)

    def _sync_condition_lines(self):
        """Give every request one line per condition (created once, kept afterwards)."""
        vals_list = []
        for request in self:
            present = set(request.condition_ids.mapped("code"))
            vals_list += [
                {"request_id": request.id, "code": code, "sequence": index}
                for index, code in enumerate(CONDITION_CODES)
                if code not in present
            ]
        if vals_list:
            # The condition lines follow from the request: created as the system for its author.
            self.env["leasing.dispatch.condition"].sudo().create(vals_list)

    def _evaluate_conditions(self):
        """{request: {code: (met, detail)}}: the conditions of each request, from its lease as it
        is now. ``detail`` says what is missing when a condition is not met."""
        contracts = self.contract_id
        # The ledger and the lessee's other leases are read for the requester, who sees only the
        # outcome (met or not, with the references of the leases in arrears).
        contracts_sudo = contracts.sudo().with_context(bin_size=True)
        missing_documents = contracts_sudo._missing_dispatch_documents()
        partners = contracts_sudo.partner_id.commercial_partner_id
        others = contracts_sudo.search(
            [
                ("partner_id.commercial_partner_id", "in", partners.ids),
                ("state", "=", "active"),
                ("id", "not in", contracts.ids),
            ]
        )
        overdue = {}
        for other in others:
            if other.currency_id.compare_amounts(other.amount_overdue, 0.0) > 0:
                overdue.setdefault((other.partner_id.commercial_partner_id, other.company_id), []).append(other)
        results = {}
        for request in self:
            # The conditions read the lease's payments and documents, which a Risk Approver or a
            # salesman may not read themselves.
            contract = request.contract_id.sudo().with_context(bin_size=True)
            currency = contract.currency_id
            upfront = contract.upfront_invoice_id
            review = contract.credit_review_id
            late = overdue.get((contract.partner_id.commercial_partner_id, contract.company_id), [])
            facts = DispatchFacts(
                lease_state=contract.state,
                signing_date=contract.signing_date,
                signed_document=bool(contract.signed_document),
                upfront_due=bool(upfront)
                or not currency.is_zero(contract.deposit)
                or (contract.lease_type == "direct" and not currency.is_zero(contract.down_payment)),
                upfront_invoice_state=upfront.state or None,
                upfront_payment_state=upfront.payment_state or None,
                missing_documents=missing_documents[contract],
                other_leases_overdue=tuple(lease.name for lease in late),
                review_state=review.state or None,
                review_recommendation=review.recommendation or None,
            )
            details = {
                "lease_approved": self.env._("The lease is %(state)s.", state=contract._state_label()),
                "contract_signed": self.env._("Signing date or signed contract missing."),
                "upfront_paid": self.env._("The up-front invoice (down payment and deposit) is not paid.")
                if upfront
                else self.env._("The up-front invoice is issued when the lease is activated."),
                "documents": self.env._("Missing: %(documents)s", documents=", ".join(facts.missing_documents)),
                "no_overdue": self.env._(
                    "Overdue: %(leases)s",
                    leases=", ".join(
                        self.env._("%(lease)s (%(days)s days past due)", lease=lease.name, days=lease.days_past_due)
                        for lease in late
                    ),
                ),
                "credit_review": self.env._("No completed credit review.")
                if review.state != "done"
                else self.env._("The completed credit review recommends rejection."),
            }
            results[request] = {code: (met, "" if met else details[code]) for code, met in evaluate_conditions(facts)}
        return results

    def _do_approve(self, approver, comment):
        """Approve this request (its checks done): reserve its units for the lease, create the
        delivery from its branch to the lessee with the units' serial numbers, record the
        decision."""
        self.ensure_one()
        # The units are reserved for the lease by its lines (their status and lease follow from
        # them) and, in stock, by the delivery's reservation of their serial numbers.
        picking = self._create_delivery()
        self._write_system(
            {
                "state": "approved",
                "approver_id": approver.id if approver else False,
                "decision_date": fields.Datetime.now(),
                "decision_comment": comment,
                "picking_id": picking.id,
            }
        )

    def _create_delivery(self):
        """The outgoing picking of the units, from the branch to the lessee, each unit on its own
        move with its serial number reserved."""
        self.ensure_one()
        warehouse = self.warehouse_id
        picking_type = warehouse.out_type_id
        if not picking_type:
            raise UserError(
                self.env._("%(branch)s has no delivery operation type: configure it first.", branch=warehouse.name)
            )
        destination = self.partner_id.property_stock_customer or self.env.ref("stock.stock_location_customers")
        source = picking_type.default_location_src_id or warehouse.lot_stock_id
        # The delivery follows from the approved request: the requester or approver need no
        # inventory rights; the warehouse validates it under its own.
        picking_sudo = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": self.partner_id.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "origin": f"{self.name} - {self.contract_id.name}",
                    "company_id": self.company_id.id,
                    "leasing_dispatch_request_id": self.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": lot.display_name,
                                "product_id": lot.product_id.id,
                                "product_uom": lot.product_id.uom_id.id,
                                "product_uom_qty": 1.0,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                                "company_id": self.company_id.id,
                            }
                        )
                        for lot in self.lot_ids
                    ],
                }
            )
        )
        picking_sudo.action_confirm()
        # Confirming reserves any serial numbers of the product (first in, first out): give back
        # what it took, and reserve the request's own units, each from where it is.
        picking_sudo.do_unreserve()
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.lot_ids.ids),
                    ("location_id", "child_of", source.id),
                    ("quantity", ">", 0),
                ]
            )
        )
        location_of = {quant.lot_id: quant.location_id for quant in quants}
        # Odoo merges the moves of one product: each unit gets its line on its product's move.
        move_of = {move.product_id: move for move in picking_sudo.move_ids}
        self.env["stock.move.line"].sudo().create(
            [
                {
                    "move_id": move_of[lot.product_id].id,
                    "picking_id": picking_sudo.id,
                    "product_id": lot.product_id.id,
                    "product_uom_id": lot.product_id.uom_id.id,
                    "lot_id": lot.id,
                    "quantity": 1.0,
                    "location_id": location_of.get(lot.sudo(), source).id,
                    "location_dest_id": destination.id,
                }
                for lot in self.lot_ids.sudo()
            ]
        )
        return picking_sudo.sudo(False)

    def _mark_delivered(self):
        """The delivery of these approved requests is validated: the units are out."""
        self.filtered(lambda r: r.state == "approved")._write_system({"state": "done"})
        for request in self:
            request._post(body=self.env._("Delivered: %(delivery)s validated.", delivery=request.picking_id.name))
