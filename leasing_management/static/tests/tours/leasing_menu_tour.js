/** @odoo-module **/
// Smoke tour (tests/test_http_smoke.py): from the web client's home, open the Leasing app and
// see its first view, the lease contracts.
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("leasing_management_menu_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Leasing app",
            trigger: '.o_app[data-menu-xmlid="leasing_management.menu_leasing_root"]',
            run: "click",
        },
        {
            content: "The Leasing menus are shown",
            trigger: '.o_main_navbar .o_menu_brand:contains("Leasing")',
        },
        {
            content: "The lease contracts are listed",
            trigger: '.o_breadcrumb:contains("Lease Contracts")',
        },
    ],
});
