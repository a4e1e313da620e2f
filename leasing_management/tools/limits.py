"""Validation helpers of the engine's inputs (pure Python, no Odoo)."""

import operator


def check_amount(value, label, allow_negative=False):
    """Refuse a non-number, NaN, an infinity and a negative amount (unless allowed); return
    ``value``."""
    try:
        ok = -float("inf") < value < float("inf")
    except TypeError:
        raise ValueError("The %s must be a number, not %r." % (label, value)) from None
    if not ok:  # also NaN
        raise ValueError("The %s must be a finite number, not %r." % (label, value))
    if not allow_negative and value < 0:
        raise ValueError("The %s cannot be negative." % label)
    return value


def check_whole(value, what, minimum):
    """``value`` as an int of at least ``minimum``, else ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError("The %s must be a whole number, not %r." % (what, value))
    try:
        count = operator.index(value)
    except TypeError:
        raise ValueError("The %s must be a whole number, not %r." % (what, value)) from None
    if count < minimum:
        raise ValueError("The %s must be at least %d." % (what, minimum))
    return count
