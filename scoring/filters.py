import django_filters

from scoring.models import Intent, Lead, Score


class ScoreFilter(django_filters.FilterSet):
    intent = django_filters.ChoiceFilter(choices=Intent.choices)
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    max_score = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    industry = django_filters.CharFilter(field_name="lead__industry", lookup_expr="iexact")

    class Meta:
        model = Score
        fields = ["offer", "intent", "provider"]


class LeadFilter(django_filters.FilterSet):
    industry = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Lead
        fields = ["upload", "industry"]
