import re
from collections import Counter
from pathlib import Path

import polib

from odoo.exceptions import UserError, ValidationError
from odoo.modules.module import get_module_path
from odoo.tests import tagged

from .common import LeasingCommon

ADDONS = ("leasing_management", "leasing_collections", "leasing_fleet")
LANGS = ("zh_CN", "es_ES")
# What must come through unchanged from msgid to msgstr: named and positional placeholders,
# escaped percent signs and markup.
PLACEHOLDER_RE = re.compile(r"%\([A-Za-z_]+\)[sdrf]|%[sdrf]|%%|<[^<>]+>")


@tagged("post_install", "-at_install")
class TestTranslations(LeasingCommon):
    """The zh_CN and es translations load, reach the users (errors raised by the code, field
    labels, selections, menus, views) and cover every term of the three addons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        # The files themselves are under test: overwrite what an earlier load left in the database.
        cls.env["ir.module.module"]._load_module_terms(list(ADDONS), list(LANGS), overwrite=True)
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()

    def _in(self, lang, records):
        return records.with_context(lang=lang)

    # ------------------------------------------------------------------
    # Errors raised by the code
    # ------------------------------------------------------------------
    def test_user_error_translated(self):
        contract = self._create_contract(line_ids=[])
        expected = {
            "zh_CN": "请先为%s添加租赁物。",
            "es_ES": "Primero añada los bienes arrendados de %s.",
        }
        for lang, message in expected.items():
            with self.subTest(lang=lang), self.assertRaises(UserError) as caught:
                self._in(lang, contract).action_submit()
            self.assertEqual(caught.exception.args[0], message % contract.name)
        with self.assertRaises(UserError) as caught:
            contract.with_context(lang="en_US").action_submit()
        self.assertEqual(caught.exception.args[0], f"Add the leased items of {contract.name} first.")

    def test_escaped_percent_kept(self):
        """'%%' in a translated message still formats to a single '%'."""
        contract = self._create_contract()
        expected = {
            "zh_CN": "%s：年利率必须在0到100 %%之间，不能为150.0 %%。",
            "es_ES": "%s: la tasa anual debe estar entre 0 y 100 %%, no 150.0 %%.",
        }
        for lang, message in expected.items():
            with self.subTest(lang=lang), self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
                self._in(lang, contract).write({"annual_rate": 150.0})
            self.assertEqual(caught.exception.args[0], message % contract.name)

    def test_state_label_translated_inside_message(self):
        contract = self._activate(self._create_contract())
        expected = {
            "zh_CN": "%s当前状态为“有效”：只能取消草稿、审查中或已批准的合同。",
            "es_ES": "%s está en estado «Activo»: solo se pueden cancelar los contratos en borrador, "
            "en revisión o aprobados.",
        }
        for lang, message in expected.items():
            with self.subTest(lang=lang), self.assertRaises(UserError) as caught:
                self._in(lang, contract.with_user(self.manager_2)).action_cancel()
            self.assertEqual(caught.exception.args[0], message % contract.name)

    # ------------------------------------------------------------------
    # Labels in the database: fields, selections, menus, views, data
    # ------------------------------------------------------------------
    def test_field_and_selection_labels(self):
        expected = {
            "zh_CN": {
                "partner_id": "承租人",
                "apr": "年化利率 APR（%）",
                "state": {"draft": "草稿", "review": "审查中", "active": "有效"},
                "lease_type": {"direct": "直租", "leaseback": "售后回租"},
            },
            "es_ES": {
                "partner_id": "Arrendatario",
                "apr": "TAE (%)",
                "state": {"draft": "Borrador", "review": "En revisión", "active": "Activo"},
                "lease_type": {
                    "direct": "Arrendamiento directo",
                    "leaseback": "Venta con arrendamiento posterior (retroarrendamiento)",
                },
            },
        }
        for lang, labels in expected.items():
            with self.subTest(lang=lang):
                Contract = self._in(lang, self.env["leasing.contract"])
                description = Contract.fields_get(["partner_id", "apr", "state", "lease_type"], ["string", "selection"])
                self.assertEqual(description["partner_id"]["string"], labels["partner_id"])
                self.assertEqual(description["apr"]["string"], labels["apr"])
                for field_name in ("state", "lease_type"):
                    selection = dict(description[field_name]["selection"])
                    for key, label in labels[field_name].items():
                        self.assertEqual(selection[key], label)

    def test_menus_views_and_data(self):
        expected = {
            "zh_CN": ("融资租赁", "租赁合同", "催收", "租赁物件", "提交审查", "GPS定位设备"),
            "es_ES": (
                "Arrendamiento financiero",
                "Contratos de arrendamiento",
                "Cobranza",
                "Unidades arrendadas",
                "Enviar a revisión",
                "Dispositivo GPS",
            ),
        }
        for lang, (root, contracts, collections, units, submit, gps) in expected.items():
            with self.subTest(lang=lang):
                env = self.env(context=dict(self.env.context, lang=lang))
                self.assertEqual(env.ref("leasing_management.menu_leasing_root").name, root)
                self.assertEqual(env.ref("leasing_management.menu_leasing_contract").name, contracts)
                self.assertEqual(env.ref("leasing_collections.menu_leasing_collections_root").name, collections)
                self.assertEqual(env.ref("leasing_fleet.menu_leasing_fleet_root").name, units)
                self.assertEqual(env.ref("leasing_management.fee_type_gps").name, gps)
                arch = env["leasing.contract"].get_view(view_type="form")["arch"]
                self.assertIn(f'string="{submit}"', arch)

    # ------------------------------------------------------------------
    # The files
    # ------------------------------------------------------------------
    def test_po_files_complete(self):
        """Every .po file of the three addons translates every term of the addon's template,
        keeps the placeholders and markup, and declares its language."""
        for addon in ADDONS:
            i18n = Path(get_module_path(addon)) / "i18n"
            template = {entry.msgid for entry in polib.pofile(str(i18n / f"{addon}.pot"))}
            po_paths = sorted(i18n.glob("*.po"))
            self.assertEqual({path.stem for path in po_paths}, {"zh_CN", "es"}, addon)
            for path in po_paths:
                with self.subTest(file=f"{addon}/i18n/{path.name}"):
                    po = polib.pofile(str(path))
                    self.assertEqual(po.metadata.get("Language"), path.stem)
                    self.assertEqual(po.untranslated_entries(), [])
                    self.assertEqual(po.fuzzy_entries(), [])
                    self.assertEqual(template - {entry.msgid for entry in po}, set(), "terms missing from the file")
                    for entry in po:
                        self.assertEqual(
                            Counter(PLACEHOLDER_RE.findall(entry.msgstr)),
                            Counter(PLACEHOLDER_RE.findall(entry.msgid)),
                            f"placeholders of {entry.msgid!r}",
                        )
