/** @odoo-module **/
// A waiver of penalty interest asked from the field and approved at the office.
// leasing_collections/tests/test_request_tours.py makes the lease, its case and the users, and
// checks in Python what the browser did:
// 1. leasing_collections_request_submit, a collector: Collections > Collection Cases, their
//    case, Waive Interest, the amount and the reason, Submit;
// 2. leasing_collections_request_approve, a Collection Manager: Collections > To Approve, the
//    request, Approve.
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// The records the test creates for the tour.
const LESSEE = "Tour Requests Haulage";
const AMOUNT = "3.00";
const REASON = "First delay in six years; the lessee paid the arrears today.";
const STATUS = ".o_field_widget[name=state] .o_arrow_button_current";

function openCollections() {
    return stepUtils.goToAppSteps(
        "leasing_collections.menu_leasing_collections_root",
        "Open the Collections app"
    );
}

registry.category("web_tour.tours").add("leasing_collections_request_submit", {
    steps: () => [
        ...openCollections(),
        {
            content: "Open the collection cases",
            trigger:
                '.o_menu_sections [data-menu-xmlid="leasing_collections.menu_leasing_collections_cases"]',
            run: "click",
        },
        {
            content: "Open the case of the lessee",
            trigger: `.o_kanban_record:contains("${LESSEE}")`,
            run: "click",
        },
        {
            content: "The case of the lessee is open",
            trigger: `.o_form_view .o_field_widget[name=partner_id]:contains("${LESSEE}")`,
        },
        {
            content: "Ask for an interest waiver",
            trigger:
                ".o_form_view button[name=action_new_request]:contains(Waive Interest)",
            run: "click",
        },
        {
            content: "The request is a waiver: the lease's penalty due is shown",
            trigger: ".o_form_view .o_field_widget[name=penalty_due]:contains(22.00)",
        },
        {
            content: "The amount waived",
            trigger: ".o_form_view .o_field_widget[name=amount] input",
            run: `edit ${AMOUNT}`,
        },
        {
            content: "Why",
            trigger: ".o_form_view .o_field_widget[name=reason] textarea",
            run: `edit ${REASON}`,
        },
        ...stepUtils.saveForm(),
        {
            content: "The request has its reference",
            trigger: ".o_breadcrumb .o_last_breadcrumb_item:contains(CREQ/)",
        },
        {
            content: "Submit it",
            trigger: ".o_form_view button[name=action_submit]",
            run: "click",
        },
        {
            content: "The request is submitted",
            trigger: `${STATUS}[data-value=submitted]`,
        },
        {
            content: "A collector cannot approve it",
            trigger:
                ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_approve]))",
        },
    ],
});

registry.category("web_tour.tours").add("leasing_collections_request_approve", {
    steps: () => [
        ...openCollections(),
        {
            content: "Open the requests to approve",
            trigger:
                '.o_menu_sections [data-menu-xmlid="leasing_collections.menu_leasing_collections_requests_to_approve"]',
            run: "click",
        },
        {
            content: "Open the waiver of the lessee",
            trigger: `.o_data_row:contains("${LESSEE}"):contains(Interest Waiver) .o_data_cell[name=name]`,
            run: "click",
        },
        {
            content: "The waiver asked for",
            trigger: `.o_form_view .o_field_widget[name=amount]:contains(${AMOUNT})`,
        },
        {
            content: "Approve it",
            trigger: ".o_form_view button[name=action_approve]",
            run: "click",
        },
        {
            content: "The waiver is done",
            trigger: `${STATUS}[data-value=done]`,
        },
        {
            content: "The penalty waived is listed",
            trigger: ".o_notebook a.nav-link[name=waivers]",
            run: "click",
        },
        {
            content: "The waived penalty, on the instalment",
            trigger: `div[name=waiver_ids] .o_data_row .o_data_cell[name=amount]:contains(${AMOUNT})`,
        },
    ],
});
