import pytest
from rest_framework.test import APIClient

from tests.factories import OfferFactory


@pytest.fixture(autouse=True)
def local_provider(settings):
    """Score with the offline, deterministic provider whatever the environment says."""
    settings.LLM_PROVIDER = "local"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Passwords are still hashed and checked; only PBKDF2's deliberate slowness goes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def seed_offer(db):
    return OfferFactory()
