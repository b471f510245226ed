"""The REST API of graded conversations: /api/conversations/ and POST .../grade/."""

import json

import django_filters
from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from scoring.accounts.access import ScoringRateThrottle, request_account
from scoring.accounts.api import AccountScopedViewSet, callers_choices
from scoring.conversations.delivery import grading_result_for
from scoring.conversations.models import ConversationGrade, DeliveryStatus, LeadCategory
from scoring.conversations.schemas import (
    ConversationMessage,
    GradingResult,
    GradingTask,
    InvalidTask,
    grading_task_from_data,
)
from scoring.conversations.selectors import bots_for_account, grades_for_account
from scoring.conversations.services import conversation_grade_for_api
from scoring.core.exceptions import InvalidInput
from scoring.core.openapi import error_response
from scoring.core.parsers import BoundedJSONParser

INVALID_TASK = (
    "An invalid task (the error names the field), a body that is not a JSON object, or, "
    "with GRADING_STRICT_BOTS, a bot_id that is no bot of the caller's account."
)
TASK_CONFLICT = (
    "The task_id was graded already, for another bot; or the bot_id is a bot of another account."
)


@extend_schema_field(ConversationMessage)
class ConversationMessageField(serializers.DictField):
    """A message of a stored task; the schema is the task's (pydantic) `ConversationMessage`."""


class ConversationGradeSerializer(serializers.ModelSerializer):
    """A graded conversation: its task, its result (the webhook body) and the delivery of
    that to the backend's webhook."""

    bot = serializers.CharField(source="bot.bot_id", read_only=True, help_text="The bot_id.")
    conversation_history = serializers.ListField(child=ConversationMessageField(), read_only=True)
    visitor_profile = serializers.DictField(read_only=True)
    result = serializers.SerializerMethodField(
        help_text="The grade: the body the webhook carries (or carried) for this task."
    )

    class Meta:
        model = ConversationGrade
        fields = [
            "id", "task_id", "visitor_id", "bot", "session_id", "conversation_history",
            "visitor_profile", "result", "graded_at", "grading_error", "delivery_status",
            "delivery_attempts", "last_error", "delivered_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "grading_error": {
                "help_text": "Why the remote provider's grade was replaced by the offline "
                "criteria; empty when it was not."
            },
            "delivery_status": {
                "help_text": "returned: graded through POST /api/conversations/grade/, the "
                "result went back in the response (no webhook)."
            },
            "last_error": {"help_text": "Why the last webhook delivery failed."},
        }

    @extend_schema_field(GradingResult)
    def get_result(self, grade) -> dict:
        return grading_result_for(grade).model_dump(mode="json")


class ConversationGradeFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(field_name="lead_category", choices=LeadCategory.choices)
    delivery_status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    # By the bot_id its tasks carry; another account's bot is as unknown as a missing one.
    bot = django_filters.ModelChoiceFilter(
        queryset=callers_choices(bots_for_account),
        to_field_name="bot_id",
        help_text="The bot's bot_id.",
    )
    visitor_id = django_filters.CharFilter()

    class Meta:
        model = ConversationGrade
        fields = ["category", "delivery_status", "bot", "visitor_id"]


# The seed's example task, which the docs show.
EXAMPLE_TASK_PATH = settings.BASE_DIR / "fixtures" / "conversation_task.json"
EXAMPLE_TASK = json.loads(EXAMPLE_TASK_PATH.read_text())


class ConversationGradeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, AccountScopedViewSet
):
    """Graded visitor conversations, from the queue or graded here, with the delivery of
    their result to the backend's webhook."""

    selector = staticmethod(grades_for_account)
    serializer_class = ConversationGradeSerializer
    filterset_class = ConversationGradeFilter
    search_fields = ["task_id", "visitor_id"]
    ordering_fields = ["graded_at", "lead_score"]
    ordering = ["-graded_at", "-id"]

    @extend_schema(
        operation_id="api_conversations_grade",
        request=GradingTask,
        responses={
            200: GradingResult,
            400: error_response(INVALID_TASK),
            409: error_response(TASK_CONFLICT),
        },
        examples=[OpenApiExample("The seed's example", value=EXAMPLE_TASK, request_only=True)],
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[BoundedJSONParser],
        throttle_classes=[ScoringRateThrottle],
    )
    def grade(self, request):
        """Grade a visitor conversation now and answer with the result, the body the webhook
        would carry (no webhook is sent). A bot_id not seen before is registered in the
        caller's account; another account's bot is a 409. The same task again answers its
        stored result."""
        try:
            task = grading_task_from_data(request.data)
        except InvalidTask as error:
            raise InvalidInput(str(error)) from error
        grade = conversation_grade_for_api(account=request_account(request), task=task)
        return Response(grading_result_for(grade).model_dump(mode="json"))
