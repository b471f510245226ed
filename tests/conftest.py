import pytest
from rest_framework.test import APIClient

from tests.factories import OfferFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def seed_offer(db):
    return OfferFactory()
