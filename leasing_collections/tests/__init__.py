from . import test_collections_access
