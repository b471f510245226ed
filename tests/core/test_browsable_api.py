import pytest

from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def test_the_browsable_api_has_a_sign_in_page(client):
    response = client.get("/api-auth/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_a_signed_in_user_browses_their_accounts_offers(client, user):
    OfferFactory(name="Browsable Offer")
    client.force_login(user)
    response = client.get("/api/offers/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Browsable Offer" in response.content
