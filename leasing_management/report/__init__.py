from . import leasing_report
