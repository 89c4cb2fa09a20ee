"""Service tests use the ``api`` fixture from tests/conftest.py; helpers live in tests/support/api.py."""

from tests.support.api import Api, make_api

__all__ = ["Api", "make_api"]
