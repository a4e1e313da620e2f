from . import leasing_aging_bucket_wizard, leasing_close_run_wizard
