import contextvars
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import Bucket, bucket_problems

# Companies whose set of buckets is checked once, at the end of the call that changes several
# buckets together (the bucket editor), instead of after each bucket, which would refuse the
# steps in between (moving the end of one bucket and the start of the next): set by Python code
# only, for the length of that call. A batching aid, never a permission: the set is checked
# all the same, and nothing is saved when it is wrong.
_PENDING_CHECKS = contextvars.ContextVar("leasing_aging_pending_checks", default=None)

# The buckets each new company starts with, (from, to) in days past due (None: no upper limit);
# their names are _default_bucket_names'.
DEFAULT_BUCKETS = ((0, 0), (1, 30), (31, 60), (61, 90), (91, 180), (181, None))


class LeasingAgingBucket(models.Model):
    _name = "leasing.aging.bucket"
    _description = "Aging Bucket"
    _order = "company_id, min_days, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    min_days = fields.Integer(string="From (days)", required=True, help="Fewest days past due of the bucket.")
    max_days = fields.Integer(
        string="To (days)", help="Most days past due of the bucket; the last one, without an upper limit, has none."
    )
    open_ended = fields.Boolean(
        string="No Upper Limit", help="The last bucket holds every lease from its first day on, however late."
    )
    contract_count = fields.Integer(compute="_compute_contract_count", string="Leases")

    def _compute_contract_count(self):
        counts = dict(
            self.env["leasing.contract"]._read_group(
                [("aging_bucket_id", "in", self.ids)], ["aging_bucket_id"], ["__count"]
            )
        )
        for bucket in self:
            bucket.contract_count = counts.get(bucket, 0)

    @api.model
    def action_open_editor(self):
        """Edit the buckets of the current company together."""
        return self.env["leasing.aging.bucket.wizard"].action_open()

    # ------------------------------------------------------------------
    # CRUD: the set of buckets of each company stays valid
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        buckets = super().create(vals_list)
        self._check_sets(buckets.company_id)
        return buckets

    def write(self, vals):
        companies = self.company_id
        result = super().write(vals)
        self._check_sets(companies | self.company_id)
        return result

    def unlink(self):
        companies = self.company_id
        result = super().unlink()
        self._check_sets(companies)
        return result

    # ------------------------------------------------------------------
    # The set of buckets of a company
    # ------------------------------------------------------------------
    @api.model
    def _check_sets(self, companies):
        """Refuse, for each of ``companies``, a set of active buckets that does not start at 0,
        leaves a gap, overlaps or does not end open-ended (within ``_apply_set``, once, at its
        end)."""
        pending = _PENDING_CHECKS.get()
        if pending is not None:
            pending.update(companies.ids)
            return
        if not companies:
            return
        # The rule holds on each company's whole set, whichever of its buckets the user may see.
        buckets_sudo = self.sudo().search([("company_id", "in", companies.ids)])
        by_company = buckets_sudo.grouped("company_id")
        for company in companies:
            company_buckets = by_company.get(company, self.browse())
            problems = bucket_problems(self._engine_buckets(company_buckets))
            messages = self._problem_messages(problems, {bucket.id: bucket.name for bucket in company_buckets})
            if messages:
                raise ValidationError(
                    self.env._(
                        "The aging buckets of %(company)s are not valid: %(problems)s",
                        company=company.name,
                        problems=" ".join(messages),
                    )
                )

    @contextmanager
    def _sets_checked_at_end(self):
        """Check the sets of buckets changed within the ``with`` block once, at its end (inside
        another such block, at the end of the outer one)."""
        if _PENDING_CHECKS.get() is not None:
            yield
            return
        token = _PENDING_CHECKS.set(set())
        try:
            yield
            pending = _PENDING_CHECKS.get()
        finally:
            _PENDING_CHECKS.reset(token)
        self._check_sets(self.env["res.company"].browse(pending))

    @api.model
    def _apply_set(self, company, rows):
        """Make ``rows`` the active aging buckets of ``company``, checked once, at the end.

        ``rows`` are dicts with ``name``, ``min_days``, ``max_days``, ``open_ended`` and
        ``bucket`` (the record the row edits, or an empty recordset for a new bucket). The
        company's buckets left out are archived: the leases and their history keep naming them.
        Return the active buckets."""
        with self._sets_checked_at_end():
            current = self.search([("company_id", "=", company.id)])
            kept = self.browse()
            new_vals = []
            for row in rows:
                vals = {key: row[key] for key in ("name", "min_days", "max_days", "open_ended")}
                if row["bucket"]:
                    row["bucket"].write(vals)
                    kept |= row["bucket"]
                else:
                    new_vals.append(dict(vals, company_id=company.id))
            (current - kept).write({"active": False})
            created = self.create(new_vals)
            # An empty set is checked too.
            self._check_sets(company)
        return kept | created

    @api.model
    def _engine_buckets(self, buckets):
        """``buckets`` as the engine's ``Bucket`` tuples, keyed by id."""
        return [
            Bucket(bucket.id, bucket.min_days, None if bucket.open_ended else bucket.max_days) for bucket in buckets
        ]

    @api.model
    def _problem_messages(self, problems, names):
        """The engine's ``problems`` with a set of buckets, for the user; ``names`` gives the name
        of each bucket key."""
        messages = []
        for problem, details in problems:
            bucket = names.get(details.get("bucket"), "")
            other = names.get(details.get("other"), "")
            match problem:
                case "empty":
                    message = self.env._("There must be at least one aging bucket, starting at 0 days.")
                case "negative":
                    message = self.env._("%(bucket)s: days past due cannot be negative.", bucket=bucket)
                case "inverted":
                    message = self.env._("%(bucket)s ends before it starts.", bucket=bucket)
                case "start":
                    message = self.env._(
                        "The first bucket, %(bucket)s, must start at 0 days (the leases paid up), not %(days)s.",
                        bucket=bucket,
                        days=details["min_days"],
                    )
                case "overlap":
                    message = self.env._(
                        "%(bucket)s and %(other)s overlap: a bucket must start the day after the previous one ends.",
                        bucket=bucket,
                        other=other,
                    )
                case "gap":
                    message = self.env._(
                        "No bucket holds %(first)s to %(last)s days past due, between %(bucket)s and %(other)s.",
                        first=details["first"],
                        last=details["last"],
                        bucket=bucket,
                        other=other,
                    )
                case "open_ended":
                    message = self.env._("%(bucket)s has no upper limit, so it must be the last bucket.", bucket=bucket)
                case _:  # "last_bounded"
                    message = self.env._(
                        "The last bucket, %(bucket)s, must have no upper limit, or the leases later than it would "
                        "fall in no bucket.",
                        bucket=bucket,
                    )
            messages.append(message)
        return messages

    @api.model
    def _default_bucket_names(self):
        """The names of the default buckets in the current language (DEFAULT_BUCKETS order)."""
        return [
            self.env._("Current"),
            self.env._("1-30 days"),
            self.env._("31-60 days"),
            self.env._("61-90 days"),
            self.env._("91-180 days"),
            self.env._("Over 180 days"),
        ]

    @api.model
    def _create_defaults_for_all(self):
        """The default buckets for every company that has none (at install)."""
        return self._create_defaults(self.env["res.company"].sudo().search([]))

    @api.model
    def _create_defaults(self, companies):
        """Give each of ``companies`` that has no bucket yet (archived ones count) the default
        set, named in every installed language. Return the buckets created."""
        have = {
            company
            for [company] in self.with_context(active_test=False)
            .sudo()
            ._read_group([("company_id", "in", companies.ids)], ["company_id"])
        }
        missing = companies.filtered(lambda company: company not in have)
        if not missing:
            return self.browse()
        # Configuration the system creates with each company, whoever creates the company.
        Bucket_sudo = self.sudo().with_context(lang="en_US")
        names = Bucket_sudo._default_bucket_names()
        with self._sets_checked_at_end():
            buckets_sudo = Bucket_sudo.create(
                [
                    {
                        "name": name,
                        "company_id": company.id,
                        "min_days": min_days,
                        "max_days": max_days or 0,
                        "open_ended": max_days is None,
                    }
                    for company in missing
                    for name, (min_days, max_days) in zip(names, DEFAULT_BUCKETS)
                ]
            )
            for lang, _label in self.env["res.lang"].get_installed():
                if lang == "en_US":
                    continue
                translated = Bucket_sudo.with_context(lang=lang)._default_bucket_names()
                for index, bucket_sudo in enumerate(buckets_sudo.with_context(lang=lang)):
                    bucket_sudo.name = translated[index % len(DEFAULT_BUCKETS)]
        return buckets_sudo.sudo(False)
