from . import (
    account_move,
    account_move_line,
    leasing_aging_bucket,
    leasing_aging_history,
    leasing_close_run,
    leasing_close_run_chunk,
    leasing_close_run_error,
    leasing_contract,
    leasing_credit_review,
    leasing_penalty_waiver,
    leasing_plan,
    leasing_schedule_line,
    mail_activity,
    res_company,
    res_config_settings,
    res_partner,
)
from . import leasing_aging_report, leasing_collection_report, leasing_par_report, leasing_roll_rate_report
