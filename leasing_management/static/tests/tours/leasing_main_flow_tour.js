/** @odoo-module **/
// The main flow of a lease, as its users click it. leasing_management/tests/test_tour.py makes
// the records and checks in Python what the browser did:
// 1. leasing_management_main_flow_submit, a Leasing User: a new lease contract (lessee, plan,
//    start date, one leased item), its rent schedule, its credit review, Submit for Review;
// 2. leasing_management_main_flow_approve, a Leasing Manager who may invoice: Approve, Activate,
//    the up-front invoice of the down payment.
// The figures the test worked out by hand come in the start URL's query: `lines` (instalments in
// the schedule) and `instalment` (the regular instalment as the form shows it, e.g. 1,967.66).
// To run the first tour by hand, open /odoo?debug=tests&lines=12&instalment=1,967.66 and call
// odoo.startTour("leasing_management_main_flow_submit").
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// The records the test creates for the tour.
const LESSEE = "Quillmore Freight Tour";
const PLAN = "Tour Annuity 12 x 9 %";
const ITEM = "Tour Forklift QX-9";
const START_DATE = "03/01/2026";

/** The figures the test passed in the start URL's query, or null when one is missing. */
function expectedFigures() {
    const query = new URLSearchParams(window.location.search);
    const lines = Number(query.get("lines"));
    const instalment = query.get("instalment");
    return lines && instalment ? {lines, instalment} : null;
}

const STATUS = ".o_field_widget[name=state] .o_arrow_button_current";

/** A selector of the list `list` showing exactly `count` rows. */
function withRows(list, count) {
    const last = count - 1;
    return `${list}:has(.o_data_row:eq(${last})):not(:has(.o_data_row:eq(${count})))`;
}

function openLeaseContracts() {
    return [
        ...stepUtils.goToAppSteps(
            "leasing_management.menu_leasing_root",
            "Open the Leasing app"
        ),
        {
            content: "Open the Leases menu",
            trigger:
                '.o_menu_sections button[data-menu-xmlid="leasing_management.menu_leasing_operations"]',
            run: "click",
        },
        {
            content: "Open the lease contracts",
            trigger:
                '.dropdown-item[data-menu-xmlid="leasing_management.menu_leasing_contract"]',
            run: "click",
        },
        {
            content: "The lease contracts are listed",
            trigger: '.o_last_breadcrumb_item:contains("Lease Contracts")',
        },
    ];
}

registry.category("web_tour.tours").add("leasing_management_main_flow_submit", {
    steps: () => {
        const figures = expectedFigures();
        if (!figures) {
            // Nothing to check the screens against: fail at once, and say why.
            return [
                {
                    content: "The tour needs its expected figures",
                    trigger: "body",
                    run() {
                        throw new Error(
                            "Start the tour at /odoo?lines=<instalments>&instalment=<instalment shown> (see tests/test_tour.py)."
                        );
                    },
                },
            ];
        }
        const {lines, instalment} = figures;
        return [
            ...openLeaseContracts(),
            {
                content: "Create a lease contract",
                trigger: ".o_control_panel_main_buttons .o_list_button_add",
                run: "click",
            },
            {
                content: "Choose the lessee",
                trigger: ".o_field_widget[name=partner_id] input",
                run: `edit ${LESSEE}`,
            },
            {
                content: "Pick the lessee in the list",
                trigger: `.o_field_widget[name=partner_id] .o-autocomplete--dropdown-item:contains("${LESSEE}")`,
                run: "click",
            },
            {
                content: "Choose the financing plan",
                trigger: ".o_field_widget[name=plan_id] input",
                run: `edit ${PLAN}`,
            },
            {
                content: "Pick the plan in the list",
                trigger: `.o_field_widget[name=plan_id] .o-autocomplete--dropdown-item:contains("${PLAN}")`,
                run: "click",
            },
            {
                content: `The plan brings its terms: ${lines} instalments`,
                trigger: `.o_field_widget[name=term] input:value(${lines})`,
            },
            {
                content: "Set the start date",
                trigger: ".o_field_widget[name=start_date] input",
                run: `edit ${START_DATE} && press Escape`,
            },
            {
                content: "Add a leased item",
                trigger: "div[name=line_ids] .o_field_x2many_list_row_add a",
                run: "click",
            },
            {
                content: "Choose the item",
                trigger:
                    "div[name=line_ids] .o_selected_row .o_field_widget[name=product_id] input",
                run: `edit ${ITEM}`,
            },
            {
                content: "Pick the item in the list",
                trigger: `div[name=line_ids] .o_field_widget[name=product_id] .o-autocomplete--dropdown-item:contains("${ITEM}")`,
                run: "click",
            },
            {
                content: "The item comes at its list price",
                trigger:
                    "div[name=line_ids] .o_selected_row .o_field_widget[name=price_unit] input:value(25,000.00)",
            },
            {
                content: "The plan asks for a down payment of 10 % of the items",
                trigger: ".o_field_widget[name=down_payment]:contains(2,500.00)",
            },
            ...stepUtils.saveForm(),
            {
                content: "The contract has its reference",
                trigger: ".o_breadcrumb .o_last_breadcrumb_item:not(:contains(New))",
            },
            {
                content: "The instalment the test worked out by hand",
                trigger: `.o_field_widget[name=installment_amount]:contains(${instalment})`,
            },
            {
                content: "Open the rent schedule",
                trigger: ".o_notebook a.nav-link[name=schedule]",
                run: "click",
            },
            {
                content: `The schedule has ${lines} instalments`,
                trigger: withRows("div[name=schedule_line_ids]", lines),
            },
            {
                content: "The first instalment is the hand-worked one",
                trigger: `div[name=schedule_line_ids] .o_data_row:first .o_data_cell[name=amount]:contains(${instalment})`,
            },
            {
                content: "The schedule repays the 22,500.00 financed",
                trigger:
                    "div[name=schedule_line_ids] .o_data_row:last .o_data_cell[name=balance]:contains(0.00)",
            },
            {
                content: "Start the credit review",
                trigger: ".o_form_view button[name=action_new_credit_review]",
                run: "click",
            },
            {
                content: "The review is of this contract, of this lessee",
                trigger: `.o_form_view .o_field_widget[name=partner_id]:contains("${LESSEE}")`,
            },
            {
                content: "Identity checked",
                trigger: ".o_field_widget[name=identity_verified] input",
                run: "check",
            },
            {
                content: "What the identity check found",
                trigger: ".o_field_widget[name=identity_notes] textarea",
                run: "edit Passport and company register extract checked.",
            },
            {
                content: "Years in business",
                trigger: ".o_field_widget[name=years_in_business] input",
                run: "edit 6",
            },
            {
                content: "Monthly income",
                trigger: ".o_field_widget[name=monthly_income] input",
                run: "edit 12000",
            },
            {
                content: "Assets",
                trigger: ".o_field_widget[name=total_assets] input",
                run: "edit 30000",
            },
            {
                content: "Liabilities",
                trigger: ".o_field_widget[name=total_liabilities] input",
                run: "edit 5000",
            },
            {
                content: "Supporting documents received",
                trigger: ".o_field_widget[name=documents_received] input",
                run: "check",
            },
            {
                content: "Read the verdict",
                trigger: ".o_notebook a.nav-link[name=verdict]",
                run: "click",
            },
            {
                content: "The findings score 80: low risk",
                trigger: ".o_field_widget[name=risk_score]:contains(80)",
            },
            {
                content: "Complete the review",
                trigger: ".o_form_view button[name=action_done]",
                run: "click",
            },
            {
                content: "The review is completed",
                trigger: `${STATUS}[data-value=done]:contains(Completed)`,
            },
            {
                content: "Its recommendation: approve",
                trigger: ".o_field_widget[name=recommendation] span[raw-value=approve]",
            },
            {
                content: "Back to the contract",
                trigger: ".o_breadcrumb .breadcrumb-item.o_back_button a",
                run: "click",
            },
            {
                content: "The contract shows the review's risk score",
                trigger:
                    ".o_form_view button[name=action_view_credit_review]:contains(80)",
            },
            {
                content: "Submit the contract for review",
                trigger: ".o_form_view button[name=action_submit]",
                run: "click",
            },
            {
                content: "The contract is under review",
                trigger: `${STATUS}[data-value=review]:contains(Under Review)`,
            },
            {
                content: "A Leasing User cannot approve it",
                trigger:
                    ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_approve]))",
            },
        ];
    },
});

registry.category("web_tour.tours").add("leasing_management_main_flow_approve", {
    steps: () => [
        ...openLeaseContracts(),
        {
            content: "Open the contract under review",
            trigger: `.o_data_row:contains("${LESSEE}"):contains(Under Review) .o_data_cell[name=partner_id]`,
            run: "click",
        },
        {
            content: "The contract is under review",
            trigger: `${STATUS}[data-value=review]`,
        },
        {
            content: "Approve it",
            trigger: ".o_form_view button[name=action_approve]",
            run: "click",
        },
        {
            content: "The contract is approved",
            trigger: `${STATUS}[data-value=approved]:contains(Approved)`,
        },
        {
            content: "Its start date is set",
            trigger: `.o_field_widget[name=start_date] input:value(${START_DATE})`,
        },
        {
            content: "Activate it",
            trigger: ".o_form_view button[name=action_activate]",
            run: "click",
        },
        {
            content: "The contract is active",
            trigger: `${STATUS}[data-value=active]:contains(Active)`,
        },
        {
            content: "The up-front invoice is there",
            trigger:
                ".o_form_view button[name=action_view_invoices]:contains(Invoices):contains(1)",
            run: "click",
        },
        {
            content: "One invoice: the down payment",
            trigger: `${withRows(".o_list_view", 1)} .o_data_row:contains(2,500.00)`,
        },
    ],
});
