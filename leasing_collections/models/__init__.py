from . import (
    leasing_aging_bucket,
    leasing_aging_history,
    leasing_close_run,
    leasing_close_run_chunk,
    leasing_close_run_error,
    leasing_contract,
    leasing_plan,
    leasing_reminder,
    leasing_reminder_level,
    leasing_schedule_line,
    res_company,
    res_config_settings,
)
