from . import (
    test_close,
    test_collection_fieldwork,
    test_collection_tours,
    test_collections_access,
    test_collections_config,
    test_collections_reports,
    test_collections_translations,
    test_debt_statement,
    test_penalty_billing,
    test_rating,
    test_reminders,
)
