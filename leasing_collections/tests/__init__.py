from . import (
    test_close,
    test_collections_access,
    test_collections_config,
    test_collections_translations,
    test_reminders,
)
