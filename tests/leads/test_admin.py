import csv
import io
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from scoring.leads.admin import EXPORT_ACTION_DESCRIPTION, REASONING_PREVIEW_CHARS, ScoreAdmin
from scoring.leads.models import Intent, Score
from scoring.leads.score_export import SCORE_EXPORT_FILE_NAME, SCORE_EXPORT_HEADER
from tests.factories import (
    AccountFactory,
    LeadFactory,
    LeadUploadFactory,
    OfferFactory,
    ScoreFactory,
    UserFactory,
    api_key_client,
)

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


# --- The Score changelist as a review desk ------------------------------------------------------

SCORE_CHANGELIST = "admin:scoring_score_changelist"
REVIEW_COLUMNS = [
    "lead_name", "company", "role", "score", "intent", "reasoning_preview", "offer_name",
]  # fmt: skip


def test_admin_score_changelist_shows_the_seven_review_columns(admin_client, scores):
    response = admin_client.get(reverse(SCORE_CHANGELIST))

    changelist = response.context["cl"]
    # The checkbox of the actions, then the seven columns: no more, for a 1280 px screen.
    assert list(changelist.list_display) == ["action_checkbox", *REVIEW_COLUMNS]
    content = response.content.decode()
    for header in ("Lead", "Company", "Role", "Score", "Intent", "Reasoning", "Offer"):
        assert f">{header}</a>" in content or f"<span>{header}</span>" in content, header
    ada = scores["ada_alpha"]
    for text in ("Ada Lovelace", "Analytical Engines", ada.lead.role, "Alpha Suite"):
        assert text in content
    # The lead's name alone in its column (its company has one of its own), and every column
    # may wrap: none is "nowrap" (which Django gives a foreign key's column).
    assert re.search(r'class="field-lead_name"><a href="[^"]+">Ada Lovelace</a>', content)
    assert "nowrap" not in content


def test_admin_score_reasoning_is_shortened_with_the_whole_of_it_in_the_title(admin_client, scores):
    score = scores["ada_alpha"]
    score.reasoning = (
        "Role: VP of Analytics, a buyer of analytics.\n"
        + 'Bio mentions dashboards & "real-time" data <pipelines>. ' * 6
        + "\nThe last words."
    )
    score.save()

    response = admin_client.get(
        reverse(SCORE_CHANGELIST), {"q": "Ada", "offer__id__exact": score.offer_id}
    )

    content = response.content.decode()
    # The whole reasoning, escaped, in the title attribute; line breaks kept.
    assert f'title="{escape(score.reasoning)}"' in content
    preview = ScoreAdmin(Score, admin.site).reasoning_preview(score)
    shown = re.fullmatch(r'<span title="[^"]*">(.*)</span>', preview, re.S)[1]
    text = unescape(shown)
    assert len(text) <= REASONING_PREVIEW_CHARS
    assert text.endswith("…")
    assert "\n" not in text
    assert text.startswith("Role: VP of Analytics, a buyer of analytics. Bio mentions")
    assert "The last words." not in text
    assert f">{shown}</span>" in content


def test_admin_score_reasoning_shorter_than_the_preview_is_shown_whole(scores):
    score = scores["ada_alpha"]

    preview = ScoreAdmin(Score, admin.site).reasoning_preview(score)

    assert preview == '<span title="Ada wants analytics.">Ada wants analytics.</span>'


def test_admin_score_reasoning_preview_escapes_html(scores):
    score = scores["ada_alpha"]
    score.reasoning = '<script>alert("x")</script>'

    preview = ScoreAdmin(Score, admin.site).reasoning_preview(score)

    assert "<script>" not in preview
    assert "&lt;script&gt;" in preview


def test_admin_score_change_page_is_read_only(admin_client, scores):
    score = scores["ada_alpha"]
    url = reverse("admin:scoring_score_change", args=[score.pk])

    page = admin_client.get(url)

    assert page.status_code == 200  # the view permission keeps the page
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert reverse("admin:scoring_score_delete", args=[score.pk]) not in page.content.decode()
    response = admin_client.post(url, {"score": 1, "reasoning": "typed by hand"})
    assert response.status_code == 403
    score.refresh_from_db()
    assert (score.score, score.reasoning) == (91, "Ada wants analytics.")


def test_admin_score_delete_is_forbidden(admin_client, scores):
    score = scores["ada_alpha"]
    url = reverse("admin:scoring_score_delete", args=[score.pk])

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Score.objects.filter(pk=score.pk).exists()


def test_admin_score_changelist_has_no_delete_action_and_no_add_link(admin_client, scores):
    response = admin_client.get(reverse(SCORE_CHANGELIST))

    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert "export_selected_scores" in actions
    assert EXPORT_ACTION_DESCRIPTION in response.content.decode()
    assert reverse("admin:scoring_score_add") not in response.content.decode()


def test_admin_lead_delete_still_deletes_its_scores(admin_client, scores):
    # Scores are not deleted by hand, but a lead deleted in the admin takes its scores along.
    lead = scores["ada_alpha"].lead
    url = reverse("admin:scoring_lead_delete", args=[lead.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert not page.context["perms_lacking"]
    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Score.objects.filter(lead_id=lead.pk).exists()


def test_admin_score_inline_is_read_only(admin_client, scores):
    lead = scores["ada_alpha"].lead

    response = admin_client.get(reverse("admin:scoring_lead_change", args=[lead.pk]))

    inline = response.context["inline_admin_formsets"][0]
    assert inline.opts.model is Score
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False
    assert inline.has_delete_permission is False


# --- "Export selected scores as CSV" ------------------------------------------------------------


def _export_action(client, scores, params=None):
    return client.post(
        reverse(SCORE_CHANGELIST) + ("?" + urlencode(params) if params else ""),
        {
            "action": "export_selected_scores",
            "_selected_action": [score.pk for score in scores],
            "index": 0,
        },
    )


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))


def test_admin_export_action_streams_the_selected_scores_as_the_api_export_does(
    admin_client, scores
):
    selected = [scores["grace_alpha"], scores["ada_alpha"]]
    scores["ada_alpha"].lead.external_id, scores["ada_alpha"].lead.email = "hs-1", "ada@x.test"
    scores["ada_alpha"].lead.save()

    response = _export_action(admin_client, selected)

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{SCORE_EXPORT_FILE_NAME}"'
    header, *rows = _csv(response)
    assert tuple(header) == SCORE_EXPORT_HEADER
    # The changelist's order (score, descending); only the selected ones.
    assert [int(row[0]) for row in rows] == [scores["ada_alpha"].pk, scores["grace_alpha"].pk]
    # The same cells as /api/scores/export/ writes for the same score.
    user = UserFactory(membership__account=scores["ada_alpha"].account)
    api_rows = _csv(api_key_client(user).get("/api/scores/export/"))[1:]
    assert rows == [row for row in api_rows if int(row[0]) in {s.pk for s in selected}]
    assert rows[0][SCORE_EXPORT_HEADER.index("external_id")] == "hs-1"
    assert rows[0][SCORE_EXPORT_HEADER.index("email")] == "ada@x.test"


def test_admin_export_action_exports_every_accounts_selected_scores(admin_client, scores):
    theirs = ScoreFactory(account=AccountFactory(name="Other"), lead__name="Theirs")

    header, *rows = _csv(_export_action(admin_client, [scores["alan_beta"], theirs]))

    assert {int(row[0]) for row in rows} == {scores["alan_beta"].pk, theirs.pk}


def test_admin_export_action_neutralises_formula_cells(admin_client, scores):
    score = scores["ada_alpha"]
    score.reasoning = '=HYPERLINK("http://evil.test")'
    score.save()

    header, row = _csv(_export_action(admin_client, [score]))

    assert row[header.index("reasoning")] == "'" + score.reasoning
