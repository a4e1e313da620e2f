/** @odoo-module **/
// The gate keeper's part of a dispatch, as a Warehouse user clicks it. leasing_fleet's
// tests/test_gate_pass.py (test_gate_keeper_tour) approves the request, prints its gate pass and
// starts this tour on the request's form; it then checks in Python that the pass is used, the
// delivery done and the request done.
import {registry} from "@web/core/registry";

const STATUS = ".o_field_widget[name=state] .o_arrow_button_current";

registry.category("web_tour.tours").add("leasing_gate_keeper_tour", {
    steps: () => [
        {
            content: "The approved request: open its gate pass",
            trigger: `.o_form_view:has(${STATUS}:contains('Approved')) button[name=action_view_gate_passes]`,
            run: "click",
        },
        {
            content: "The gate pass: open its verification page, as its QR code does",
            trigger: `.o_form_view:has(${STATUS}:contains('Valid')) button[name=action_open_verification]`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says the pass is valid: confirm the exit",
            trigger:
                ".o_gate_pass_page:has(.o_gate_pass_valid) .o_gate_pass_confirm_exit",
        },
        {
            content: "Confirm the exit",
            trigger: ".o_gate_pass_confirm_exit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The pass is used now: open the delivery",
            trigger:
                ".o_gate_pass_page:has(.o_gate_pass_used) .o_gate_pass_open_delivery",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Validate the delivery",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name=button_validate]:visible",
            run: "click",
        },
        {
            content: "The delivery is done",
            trigger: `.o_form_view ${STATUS}:contains('Done')`,
        },
    ],
});
