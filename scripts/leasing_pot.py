"""The translation templates (i18n/<addon>.pot) against what the code exports now.

Used by `make pot` (scripts/leasing.sh pot: --write rewrites the stale ones) and by
tests/test_pot_files.py (check). The export is Odoo's own (odoo.tools.translate.trans_export,
the source terms with no language, as `odoo-bin --i18n-export` writes a .pot), from a database
where the addons are installed. That database holds the demo data too (the tests run as OCA's CI
does): the terms of demo records are left out, as a .pot exported without demo has none. Two
templates are the same when they have the same msgids with the same occurrences; the header,
the dates and the order do not count.

    python scripts/leasing_pot.py --config .local/odoo.conf --database leasing_test [--write] ADDON...
"""

import argparse
import ast
import csv
import io
import sys
from pathlib import Path

import polib
from lxml import etree

# Occurrences of record terms end with the record's external id:
# model:<model>,<field>:<module>.<xmlid> and model_terms:<model>,<field>:<module>.<xmlid>
RECORD_PREFIXES = ("model:", "model_terms:")


def addon_path(addon):
    from odoo.modules.module import get_module_path  # noqa: PLC0415

    return Path(get_module_path(addon))


def pot_path(addon):
    return addon_path(addon) / "i18n" / f"{addon}.pot"


def _declared_xmlids(env, addon, key):
    """The external ids (module.name) of the records the manifest's `key` files ("data" or
    "demo") declare, with those Odoo gives their _inherits parents (a product.product "x" makes
    "x_product_template")."""
    path = addon_path(addon)
    manifest = ast.literal_eval((path / "__manifest__.py").read_text(encoding="utf-8"))
    records = set()  # (xmlid, model)
    for name in manifest.get(key, []):
        file = path / name
        if file.suffix == ".xml":
            for node in etree.parse(str(file)).iter():
                if isinstance(node.tag, str) and node.get("id"):
                    records.add((node.get("id"), node.get("model") if node.tag == "record" else None))
        elif file.suffix == ".csv":
            with file.open(encoding="utf-8") as stream:
                model = file.stem
                records.update((row["id"], model) for row in csv.DictReader(stream) if row.get("id"))
    ids = set()
    for xmlid, model in records:
        xmlid = xmlid if "." in xmlid else f"{addon}.{xmlid}"
        ids.add(xmlid)
        if model in env:
            ids.update(f"{xmlid}_{parent.replace('.', '_')}" for parent in env[model]._inherits)
    return ids


def demo_xmlids(cr, addon):
    """The external ids of the records only the demo files make (a demo file may also add to a
    record of the data files, e.g. a user to a group: that record stays)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})
    return _declared_xmlids(env, addon, "demo") - _declared_xmlids(env, addon, "data")


def _is_demo(occurrence, demo_ids):
    name = occurrence[0]
    return name.startswith(RECORD_PREFIXES) and name.rsplit(":", 1)[-1] in demo_ids


def export(cr, addon):
    """The addon's template as Odoo exports it now, without the demo records' terms (a POFile)."""
    from odoo.tools.translate import trans_export  # noqa: PLC0415

    buffer = io.BytesIO()
    trans_export(None, [addon], buffer, "po", cr)
    # Read back what Odoo wrote, so that both sides are parsed alike.
    pot = polib.pofile(buffer.getvalue().decode("utf-8"))
    demo_ids = demo_xmlids(cr, addon)
    for entry in list(pot):
        kept = [occ for occ in entry.occurrences if not _is_demo(occ, demo_ids)]
        if not kept and entry.occurrences:
            pot.remove(entry)
        else:
            entry.occurrences = kept
    return pot


def terms(pot):
    """{msgid: set of occurrences}: what must match between two templates."""
    result = {}
    for entry in pot:
        if entry.obsolete or not entry.msgid:
            continue
        result.setdefault(entry.msgid, set()).update(
            f"{name}:{line}" if line else name for name, line in entry.occurrences
        )
    return result


def differences(committed, exported, limit=20):
    """What differs between the committed template and the export, as readable lines."""
    old, new = terms(committed), terms(exported)
    lines = [
        f"  missing from the .pot: {msgid!r} ({', '.join(sorted(new[msgid]))})"
        for msgid in sorted(new.keys() - old.keys())
    ]
    lines += [f"  no longer in the code: {msgid!r}" for msgid in sorted(old.keys() - new.keys())]
    for msgid in sorted(old.keys() & new.keys()):
        if old[msgid] != new[msgid]:
            added, removed = sorted(new[msgid] - old[msgid]), sorted(old[msgid] - new[msgid])
            lines.append(f"  {msgid!r}: occurrences added {added}, removed {removed}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"  ... and {len(lines) - limit} more"]
    return lines


def check(cr, addon):
    """[] when the committed i18n/<addon>.pot matches the code, else the differences."""
    path = pot_path(addon)
    if not path.exists():
        return [f"  {path} does not exist"]
    return differences(polib.pofile(str(path)), export(cr, addon))


def write(cr, addon):
    """Rewrites i18n/<addon>.pot when it is stale; returns whether it did."""
    path = pot_path(addon)
    pot = export(cr, addon)
    if path.exists() and not differences(polib.pofile(str(path)), pot):
        return False
    path.parent.mkdir(exist_ok=True)
    path.write_text(str(pot), encoding="utf-8")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--write", action="store_true", help="rewrite the stale templates")
    parser.add_argument("addons", nargs="+")
    args = parser.parse_args()

    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    stale = False
    with registry.cursor() as cr:
        for addon in args.addons:
            if args.write:
                changed = write(cr, addon)
                print(f"{pot_path(addon)}: {'regenerated' if changed else 'up to date'}")
            else:
                problems = check(cr, addon)
                stale = stale or bool(problems)
                print(f"{pot_path(addon)}: {'stale, run make pot' if problems else 'up to date'}")
                for line in problems:
                    print(line)
        cr.rollback()
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
