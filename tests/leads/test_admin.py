import pytest
from django.urls import reverse

from scoring.leads.models import Intent
from tests.factories import LeadFactory, LeadUploadFactory, OfferFactory, ScoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scores():
    """Four scores over two offers and three leads, with distinct scores and intents."""
    alpha = OfferFactory(name="Alpha Suite")
    beta = OfferFactory(name="Beta Cloud")
    upload = LeadUploadFactory(file_name="spring-campaign.csv", row_count=3)
    ada = LeadFactory(upload=upload, name="Ada Lovelace", company="Analytical Engines")
    grace = LeadFactory(
        upload=upload, name="Grace Hopper", company="Navy Labs", industry="Healthcare"
    )
    alan = LeadFactory(upload=upload, name="Alan Turing", company="Bletchley", role="Analyst")
    return {
        "ada_alpha": ScoreFactory(
            lead=ada, offer=alpha, score=91, intent=Intent.HIGH, reasoning="Ada wants analytics."
        ),
        "grace_alpha": ScoreFactory(lead=grace, offer=alpha, score=55, intent=Intent.MEDIUM),
        "alan_beta": ScoreFactory(lead=alan, offer=beta, score=22, intent=Intent.LOW),
        "ada_beta": ScoreFactory(lead=ada, offer=beta, score=76, intent=Intent.HIGH),
    }


def changelist_results(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("url_name", "shown"),
    [
        ("admin:scoring_offer_changelist", ["Alpha Suite", "Beta Cloud"]),
        ("admin:scoring_leadupload_changelist", ["spring-campaign.csv"]),
        ("admin:scoring_lead_changelist", ["Ada Lovelace", "Grace Hopper", "Navy Labs"]),
        ("admin:scoring_score_changelist", ["Ada Lovelace", "Alan Turing", "Beta Cloud"]),
    ],
)
def test_admin_changelists_load_and_show_the_data(admin_client, scores, url_name, shown):
    response = admin_client.get(reverse(url_name))

    assert response.status_code == 200
    content = response.content.decode()
    for text in shown:
        assert text in content


def test_admin_score_changelist_is_ordered_by_score_descending(admin_client, scores):
    results = changelist_results(admin_client.get(reverse("admin:scoring_score_changelist")))

    assert [score.score for score in results] == [91, 76, 55, 22]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"intent__exact": "High"}, {"ada_alpha", "ada_beta"}),
        ({"intent__exact": "Low"}, {"alan_beta"}),
        ({"offer__id__exact": "alpha"}, {"ada_alpha", "grace_alpha"}),
        ({"offer__id__exact": "beta"}, {"alan_beta", "ada_beta"}),
        ({"lead__industry": "SaaS"}, {"ada_alpha", "alan_beta", "ada_beta"}),
        ({"lead__industry": "Healthcare"}, {"grace_alpha"}),
        ({"provider": "local"}, {"ada_alpha", "grace_alpha", "alan_beta", "ada_beta"}),
        ({"intent__exact": "High", "offer__id__exact": "beta"}, {"ada_beta"}),
        ({"q": "Grace"}, {"grace_alpha"}),
        ({"q": "Bletchley"}, {"alan_beta"}),
        ({"q": "ada lovelace"}, {"ada_alpha", "ada_beta"}),
        ({"q": "Nobody"}, set()),
    ],
)
def test_admin_score_changelist_filters_and_search_show_only_matching_scores(
    admin_client, scores, query, expected
):
    offers = {"alpha": scores["ada_alpha"].offer_id, "beta": scores["alan_beta"].offer_id}
    params = {key: offers.get(value, value) for key, value in query.items()}

    results = changelist_results(
        admin_client.get(reverse("admin:scoring_score_changelist"), params)
    )

    assert {score.pk for score in results} == {scores[key].pk for key in expected}


def test_admin_score_changelist_search_shows_the_matching_lead_only(admin_client, scores):
    response = admin_client.get(reverse("admin:scoring_score_changelist"), {"q": "Grace"})

    content = response.content.decode()
    assert "Grace Hopper" in content
    assert "Alan Turing" not in content
    assert "Ada Lovelace" not in content


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("4", [22, 55, 76, 91]),  # score ascending
        ("-4", [91, 76, 55, 22]),
        ("2", ["Analytical Engines", "Analytical Engines", "Bletchley", "Navy Labs"]),
        ("-2", ["Navy Labs", "Bletchley", "Analytical Engines", "Analytical Engines"]),
    ],
    ids=["score", "-score", "company", "-company"],
)
def test_admin_score_changelist_orders_by_column(admin_client, scores, ordering, expected):
    results = changelist_results(
        admin_client.get(reverse("admin:scoring_score_changelist"), {"o": ordering})
    )

    column = "score" if ordering.endswith("4") else "company"
    values = [score.score if column == "score" else score.lead.company for score in results]
    assert values == expected


def test_admin_lead_changelist_filters_by_industry(admin_client, scores):
    results = changelist_results(
        admin_client.get(reverse("admin:scoring_lead_changelist"), {"industry": "Healthcare"})
    )

    assert [lead.name for lead in results] == ["Grace Hopper"]


def test_admin_lead_change_page_shows_its_scores_inline(admin_client, scores):
    lead = scores["ada_alpha"].lead

    response = admin_client.get(reverse("admin:scoring_lead_change", args=[lead.pk]))

    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert {score.pk for score in inline.formset.queryset} == {
        scores["ada_alpha"].pk,
        scores["ada_beta"].pk,
    }
    content = response.content.decode()
    for text in ("Alpha Suite", "Beta Cloud", "91", "76", "Ada wants analytics."):
        assert text in content
    assert "Grace Hopper" not in content


def test_admin_score_change_page_loads_with_its_parts(admin_client, scores):
    score = scores["ada_alpha"]

    response = admin_client.get(reverse("admin:scoring_score_change", args=[score.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ada wants analytics." in content
    assert score.model in content


def test_admin_score_add_is_forbidden(admin_client):
    response = admin_client.get(reverse("admin:scoring_score_add"))

    assert response.status_code == 403


def test_admin_score_changelist_offers_no_add_link(admin_client, scores):
    response = admin_client.get(reverse("admin:scoring_score_changelist"))

    assert response.status_code == 200
    assert reverse("admin:scoring_score_add") not in response.content.decode()


def test_admin_requires_a_staff_login(client, scores):
    response = client.get(reverse("admin:scoring_score_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
