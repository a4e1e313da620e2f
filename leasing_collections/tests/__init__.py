from . import (
    test_close,
    test_collection_request,
    test_collections_access,
    test_collections_config,
    test_collections_reports,
    test_collections_translations,
    test_debt_statement,
    test_penalty_billing,
    test_rating,
    test_reminders,
    test_request_tours,
)
