"""Reading a screen as the web client does: a view's arch, and whether an element of it shows
for a record (its ``invisible`` expression evaluated on the record's values)."""

from lxml import etree

from odoo.tools.safe_eval import safe_eval
from odoo.tools.view_validation import get_expression_field_names


def view_arch(model, view_type="form", view_id=False):
    """The arch of ``model``'s view as the web client receives it (inherited views applied,
    nodes the user's groups do not allow removed), parsed."""
    views = model.get_views([(view_id, view_type)])
    return etree.fromstring(views["views"][view_type]["arch"])


def shows(node, record):
    """Whether ``node`` of a form shows for ``record``: its ``invisible`` expression is false."""
    expression = node.get("invisible")
    if not expression:
        return True
    values = {"context": {}, "uid": record.env.uid}
    for name in get_expression_field_names(expression):
        if name not in record._fields:
            continue
        field, value = record._fields[name], record[name]
        if field.type == "many2one":
            value = value.id
        elif field.type in ("one2many", "many2many"):
            value = value.ids
        values[name] = value
    return not safe_eval(expression, values)
