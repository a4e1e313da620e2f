import weakref

from odoo import api, models
from odoo.exceptions import AccessError

# {model class: frozenset of field names}: a registry builds a class per model, whose fields
# do not change afterwards.
_SYSTEM_FIELDS = weakref.WeakKeyDictionary()


def system_fields(records):
    """Names of the read-only fields the leasing addons declare on the model of ``records``."""
    names = _SYSTEM_FIELDS.get(type(records))
    if names is None:
        names = _SYSTEM_FIELDS[type(records)] = frozenset(
            name
            for name, field in records._fields.items()
            if field.readonly and not field.automatic and (field._module or "").startswith("leasing_")
        )
    return names


def check_system_fields(records, vals_list):
    """Refuse the fields only the system sets in ``vals_list`` (a list of dicts), unless the
    caller is the system itself (superuser)."""
    if records.env.su:
        return
    system = system_fields(records)
    refused = {name for vals in vals_list for name in vals if name in system}
    if refused:
        env = records.env
        labels = sorted(records._fields[name]._description_string(env) for name in refused)
        raise AccessError(
            env._(
                "%(fields)s of %(model)s are set by the system (its buttons, wizards and the ledger), not by hand.",
                fields=", ".join(labels),
                model=records._description,
            )
        )


def without_system_defaults(records):
    """``records`` without the caller's ``default_<field>`` context keys of system fields."""
    if records.env.su:
        return records
    system = system_fields(records)
    context = records.env.context
    if not any(key.startswith("default_") and key[8:] in system for key in context):
        return records
    return records.with_context(
        {key: value for key, value in context.items() if not (key.startswith("default_") and key[8:] in system)}
    )


class LeasingSystemFieldsMixin(models.AbstractModel):
    """Fields only the system sets.

    A field a leasing addon declares read-only (a status, who approved what, a link to the
    ledger, a figure computed from the schedule, a related field that would write through to
    another record) is set by the action methods, after they have checked the state and the
    user's rights, as superuser. Nobody else may set it: ``readonly=True`` only hides a field in
    the web client, while anyone with RPC chooses every value of ``create``/``write`` and the
    whole call context. So the models call ``_check_system_fields`` first thing in their
    ``create`` and ``write``, and ``_without_system_defaults`` drops the ``default_*`` keys of
    those fields from a caller's context before a ``create``. (Odoo's own models that we extend,
    account.move and its lines, call the module's functions of the same names.)

    Superuser is the system here: the RPC layer never runs a call as superuser; only our own
    code does, through a ``*_sudo`` record after its checks."""

    _name = "leasing.system.fields.mixin"
    _description = "Fields Only the System Sets"

    @api.model
    def _check_system_fields(self, vals_list):
        check_system_fields(self, vals_list)

    @api.model
    def _without_system_defaults(self):
        return without_system_defaults(self)
