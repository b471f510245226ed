"""QueryFilterBackend: a list request naming none of the filters skips the FilterSet and gets
the queryset as it is; one naming any filter goes through it as with DjangoFilterBackend."""

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from scoring.core.filters import QueryFilterBackend
from scoring.leads.api.filters import ScoreFilter
from scoring.leads.api.viewsets import ScoreViewSet
from scoring.leads.selectors import scores_for_account
from tests.factories import ScoreFactory

pytestmark = pytest.mark.django_db


def filtered(account, query, monkeypatch, built):
    request = Request(APIRequestFactory().get("/api/scores/", query))
    request._intentscore_account = account
    view = ScoreViewSet(request=request, action="list", format_kwarg=None, kwargs={})
    original = ScoreFilter.__init__

    def counting_init(self, *args, **kwargs):
        built.append(query)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ScoreFilter, "__init__", counting_init)
    queryset = scores_for_account(account=account)
    return queryset, QueryFilterBackend().filter_queryset(request, queryset, view)


@pytest.mark.parametrize("query", [{}, {"ordering": "score", "page": 2, "search": "x"}])
def test_a_request_without_filters_builds_no_filterset(account, monkeypatch, query):
    built = []

    queryset, result = filtered(account, query, monkeypatch, built)

    assert result is queryset
    assert built == []


@pytest.mark.parametrize("query", [{"intent": "High"}, {"intent": ""}, {"min_score": "50"}])
def test_a_request_naming_a_filter_goes_through_the_filterset(account, monkeypatch, query):
    ScoreFactory(score=90)
    ScoreFactory(score=20, intent="Low")
    built = []

    _, result = filtered(account, query, monkeypatch, built)

    assert built == [query]
    expected = ScoreFilter(query, queryset=scores_for_account(account=account)).qs
    assert list(result) == list(expected)
