import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from scoring.access import request_account
from scoring.buyer_profile import DEPARTMENT_KEYS
from scoring.models import (
    ConversationGrade,
    DeliveryStatus,
    Intent,
    Lead,
    LeadCategory,
    Score,
    Seniority,
)
from scoring.selectors import bots_for_account, offers_for_account, uploads_for_account

DEPARTMENT_CHOICES = [(key, key) for key in DEPARTMENT_KEYS]


class QueryFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend, but a request that names none of the filters gets the queryset as
    it is without a FilterSet built and validated for nothing (a list's most common request;
    a filter given no value changes nothing either way): 2.6 ms of a 50-score page's 20."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = filterset_class.base_filters
        # A filter's form field may take its parameters under suffixed names (a range's
        # name_min, name_max), so any parameter starting with a filter's name counts.
        if not any(key.startswith(tuple(names)) for key in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _callers_offers(request):
    # Choices from the caller's account only: another account's id must not validate.
    if request is None:
        return offers_for_account(account=None).none()
    return offers_for_account(account=request_account(request))


def _callers_uploads(request):
    if request is None:
        return uploads_for_account(account=None).none()
    return uploads_for_account(account=request_account(request))


def _callers_bots(request):
    if request is None:
        return bots_for_account(account=None).none()
    return bots_for_account(account=request_account(request))


def _with_department(queryset, name, value):
    # departments is a JSON list of keys; matching the quoted key works on both databases.
    return queryset.filter(**{f"{name}__icontains": f'"{value}"'}) if value else queryset


class ScoreFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=_callers_offers)
    intent = django_filters.ChoiceFilter(choices=Intent.choices)
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    max_score = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    industry = django_filters.CharFilter(field_name="lead__industry", lookup_expr="iexact")
    seniority = django_filters.ChoiceFilter(field_name="lead__seniority", choices=Seniority.choices)
    department = django_filters.ChoiceFilter(
        field_name="lead__departments", choices=DEPARTMENT_CHOICES, method=_with_department
    )

    class Meta:
        model = Score
        fields = ["offer", "intent", "provider"]


class LeadFilter(django_filters.FilterSet):
    upload = django_filters.ModelChoiceFilter(queryset=_callers_uploads)
    industry = django_filters.CharFilter(lookup_expr="iexact")
    seniority = django_filters.ChoiceFilter(choices=Seniority.choices)
    department = django_filters.ChoiceFilter(
        field_name="departments", choices=DEPARTMENT_CHOICES, method=_with_department
    )

    class Meta:
        model = Lead
        fields = ["upload", "industry", "seniority", "department"]


class ConversationGradeFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(field_name="lead_category", choices=LeadCategory.choices)
    delivery_status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    # By the bot_id its tasks carry; another account's bot is as unknown as a missing one.
    bot = django_filters.ModelChoiceFilter(
        queryset=_callers_bots, to_field_name="bot_id", help_text="The bot's bot_id."
    )
    visitor_id = django_filters.CharFilter()

    class Meta:
        model = ConversationGrade
        fields = ["category", "delivery_status", "bot", "visitor_id"]
