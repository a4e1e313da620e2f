from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon

LANGS = ("zh_CN", "es_ES")


@tagged("post_install", "-at_install")
class TestCollectionsTranslations(CollectionsCommon):
    """The close's messages, labels and default buckets reach zh_CN and es users translated."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(["leasing_collections"], list(LANGS), overwrite=True)
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()

    @freeze_time("2026-04-10")
    def test_future_close_refused_in_each_language(self):
        wizard = self.env["leasing.close.run.wizard"].create({"date": "2026-04-11"})
        expected = {
            "zh_CN": "日结不能针对尚未到来的",
            "es_ES": "El cierre no puede ejecutarse para el",
            "en_US": "The close cannot run for",
        }
        for lang, start in expected.items():
            with self.subTest(lang=lang), self.assertRaises(UserError) as caught:
                wizard.with_context(lang=lang).action_run()
            self.assertTrue(caught.exception.args[0].startswith(start), caught.exception.args[0])

    def test_bucket_and_plan_errors_translated(self):
        expected = {
            "zh_CN": ("%s：罚息上限必须在每期租金的0到100 %%之间（0表示不设上限），不能为120.0 %%。", "重叠"),
            "es_ES": (
                "%s: el tope de intereses moratorios debe estar entre 0 y 100 %% de la cuota (0: sin tope), "
                "no 120.0 %%.",
                "se solapan",
            ),
        }
        for lang, (cap_message, overlap) in expected.items():
            with self.subTest(lang=lang):
                with self.assertRaises(ValidationError) as caught:
                    self.plan.with_context(lang=lang).write({"penalty_cap_pct": 120.0})
                self.assertEqual(caught.exception.args[0], cap_message % self.plan.with_context(lang=lang).name)
                with self.assertRaises(ValidationError) as caught:
                    self.b1_30.with_context(lang=lang).max_days = 40
                self.assertIn(overlap, caught.exception.args[0])

    def test_new_company_buckets_named_in_each_language(self):
        company = self.env["res.company"].create({"name": "Arrendadora Nueva"})
        buckets = self.env["leasing.aging.bucket"].search([("company_id", "=", company.id)])
        self.assertEqual(buckets.with_context(lang="zh_CN").mapped("name")[:2], ["正常", "1-30天"])
        self.assertEqual(buckets.with_context(lang="es_ES").mapped("name")[-1], "Más de 180 días")
        self.assertEqual(buckets.with_context(lang="en_US").mapped("name")[0], "Current")

    def test_labels_and_menus(self):
        for lang, (field, menu) in {
            "zh_CN": ("逾期天数", "逾期租赁合同"),
            "es_ES": ("Días de atraso", "Arrendamientos vencidos"),
        }.items():
            with self.subTest(lang=lang):
                env = self.env(context=dict(self.env.context, lang=lang))
                description = env["leasing.contract"].fields_get(["days_past_due"], ["string"])
                self.assertEqual(description["days_past_due"]["string"], field)
                self.assertEqual(env.ref("leasing_collections.menu_leasing_collections_overdue").name, menu)
