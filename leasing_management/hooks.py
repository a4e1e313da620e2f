def post_init_hook(env):
    """Companies that already have a chart of accounts get the leasing accounts and journals;
    companies that load one later get them from the chart template hook."""
    env["res.company"].search([("chart_template", "!=", False)], order="parent_path")._leasing_setup_accounting()
