import django_filters

from scoring.accounts.api import callers_choices
from scoring.leads.buyer_profile import DEPARTMENT_KEYS
from scoring.leads.models import Intent, Lead, Score, Seniority
from scoring.leads.selectors import offers_for_account, uploads_for_account

DEPARTMENT_CHOICES = [(key, key) for key in DEPARTMENT_KEYS]


def _with_department(queryset, name, value):
    # departments is a JSON list of keys; matching the quoted key works on both databases.
    return queryset.filter(**{f"{name}__icontains": f'"{value}"'}) if value else queryset


class ScoreFilter(django_filters.FilterSet):
    offer = django_filters.ModelChoiceFilter(queryset=callers_choices(offers_for_account))
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
    upload = django_filters.ModelChoiceFilter(queryset=callers_choices(uploads_for_account))
    industry = django_filters.CharFilter(lookup_expr="iexact")
    seniority = django_filters.ChoiceFilter(choices=Seniority.choices)
    department = django_filters.ChoiceFilter(
        field_name="departments", choices=DEPARTMENT_CHOICES, method=_with_department
    )

    class Meta:
        model = Lead
        fields = ["upload", "industry", "seniority", "department"]
