/** @odoo-module **/
// A collector's day in the field, as they tap it on the phone (leasing_collections/tests/
// test_collection_tours.py makes the records and checks in Python what the browser did): the
// tour starts on Collections > Collection Cases (the kanban, the app's first menu: on a phone,
// the page the collector keeps on their home screen), finds their case, open it, Log Contact: a visit, the
// lessee promised to pay an amount by a date; save: the case is now in Promise to Pay and the
// visit is listed in its Contacts.
// The test passes what it expects in the start URL's query: `lessee` (the case's lessee),
// `date` (the promised date as the form shows it, e.g. 12/08/2026) and `amount` (e.g. 1500.00).
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

/** The values the test passed in the start URL's query, or null when one is missing. */
function expectedValues() {
    const query = new URLSearchParams(window.location.search);
    const values = {
        lessee: query.get("lessee"),
        date: query.get("date"),
        amount: query.get("amount"),
    };
    return values.lessee && values.date && values.amount ? values : null;
}

const DIALOG = ".modal .o_form_view";

registry.category("web_tour.tours").add("leasing_collections_fieldwork_tour", {
    steps: () => {
        const values = expectedValues();
        if (!values) {
            return [
                {
                    content: "The tour needs the case and the promise to record",
                    trigger: "body",
                    run() {
                        throw new Error(
                            "Start the tour at /odoo?lessee=<name>&date=<promised date>&amount=<amount> (see tests/test_collection_tours.py)."
                        );
                    },
                },
            ];
        }
        const {lessee, date, amount} = values;
        return [
            {
                content: "The collection cases, by stage",
                trigger: ".o_kanban_view .o_kanban_group",
            },
            {
                isActive: ["mobile"],
                content: "On a phone, show the search bar",
                trigger: ".o_control_panel button:has(i.fa-search)",
                run: "click",
            },
            {
                content: "Look for the lessee's case",
                trigger: ".o_searchview_input",
                run: `edit ${lessee}`,
            },
            {
                content: "Search the cases by lessee",
                trigger: ".o_searchview_autocomplete .o_menu_item:contains(Lessee)",
                run: "click",
            },
            {
                content: "Open the case",
                trigger: `.o_kanban_record:contains("${lessee}")`,
                run: "click",
            },
            {
                content: "The case is open",
                trigger: `.o_form_view .o_field_widget[name=partner_id]:contains("${lessee}")`,
            },
            // On a phone, the header's buttons are under the gear of the control panel.
            ...stepUtils.statusbarButtonsSteps("Log Contact", "Log a contact"),
            {
                content: "A visit",
                trigger: `${DIALOG} .o_field_widget[name=channel] .o_selection_badge:contains(Visit)`,
                run: "click",
            },
            {
                content: "The lessee promised to pay",
                trigger: `${DIALOG} .o_field_widget[name=result] .o_selection_badge:contains(Promised to Pay)`,
                run: "click",
            },
            {
                content: "By this date",
                trigger: `${DIALOG} .o_field_widget[name=promise_date] input`,
                run: `edit ${date}`,
            },
            {
                content: "This amount",
                trigger: `${DIALOG} .o_field_widget[name=promise_amount] input`,
                run: `edit ${amount}`,
            },
            {
                content: "What was said",
                trigger: `${DIALOG} .o_field_widget[name=notes] textarea`,
                run: "edit Met the owner at the depot: pays after the client's transfer.",
            },
            {
                content: "Save the log",
                trigger: ".modal .modal-footer button.btn-primary:contains(Save)",
                run: "click",
            },
            {
                content: "The log is saved",
                trigger: "body:not(:has(.modal))",
            },
            {
                isActive: ["desktop"],
                content: "The case now waits for the promised payment",
                trigger:
                    ".o_field_widget[name=stage_id] .o_arrow_button_current:contains(Promise to Pay)",
            },
            {
                isActive: ["mobile"],
                content: "On a phone, the stage shows in one button",
                trigger:
                    ".o_field_widget[name=stage_id] .dropdown-toggle:not(.o_arrow_button):contains(Promise to Pay)",
            },
            {
                content: "Open the case's contacts",
                trigger: ".o_notebook a.nav-link[name=contacts]",
                run: "click",
            },
            {
                content: "The visit is listed",
                trigger:
                    "div[name=log_ids] .o_data_row:contains(Visit):contains(Promised to Pay)",
            },
        ];
    },
});
