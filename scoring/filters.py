import django_filters

from scoring.access import request_account
from scoring.models import Intent, Lead, Score
from scoring.selectors import offers_for_account, uploads_for_account


def _callers_offers(request):
    # Choices from the caller's account only: another account's id must not validate.
    if request is None:
        return offers_for_account(account=None).none()
    return offers_for_account(account=request_account(request))


def _callers_uploads(request):
    if request is None:
        return uploads_for_account(account=None).none()
    return uploads_for_account(account=request_account(request))


class ScoreFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=_callers_offers)
    intent = django_filters.ChoiceFilter(choices=Intent.choices)
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    max_score = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    industry = django_filters.CharFilter(field_name="lead__industry", lookup_expr="iexact")

    class Meta:
        model = Score
        fields = ["offer", "intent", "provider"]


class LeadFilter(django_filters.FilterSet):
    upload = django_filters.ModelChoiceFilter(queryset=_callers_uploads)
    industry = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Lead
        fields = ["upload", "industry"]
