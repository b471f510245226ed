"""The REST API of lead scoring under /api/: offers, uploads, leads, scores (and their CSV
export) and scoring runs. Graded conversations: scoring/conversations/api.py."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from scoring.accounts.access import ScoringRateThrottle, UploadRateThrottle, request_account
from scoring.accounts.api import AccountScopedViewSet
from scoring.core.openapi import BAD_REQUEST, error_response
from scoring.leads.api.files import (
    EXPORT_BATCH_SIZE,
    CsvExportNegotiation,
    csv_attachment,
    upload_from_request,
)
from scoring.leads.api.filters import LeadFilter, ScoreFilter
from scoring.leads.api.idempotency import idempotent
from scoring.leads.api.openapi import NO_OFFER, PROVIDER_DOWN, RUN_NOT_RESUMABLE
from scoring.leads.api.runs import run_accepted_response, run_summary, run_wait_bounded
from scoring.leads.api.serializers import (
    SCORE_ITEM_VALUES,
    LeadSerializer,
    LeadUploadRequestSerializer,
    LeadUploadSerializer,
    OfferScoreRequestSerializer,
    OfferSerializer,
    ScoreExportQuerySerializer,
    ScoreSerializer,
    ScoringRunCreateSerializer,
    ScoringRunSerializer,
    ScoringSummarySerializer,
    score_items,
)
from scoring.leads.dispatch import scoring_run_resume, scoring_run_start
from scoring.leads.lead_csv import export_chunks
from scoring.leads.models import ScoringRun
from scoring.leads.score_export import CRM_LAYOUTS, SCORES
from scoring.leads.selectors import (
    leads_for_account,
    offer_for_scoring,
    offers_for_account,
    runs_for_account,
    scores_for_account,
    upload_for_account,
    uploads_for_account,
)
from scoring.leads.services.leads import lead_delete, lead_upload_delete
from scoring.leads.services.offers import offer_create, offer_delete, offer_update
from scoring.leads.services.runs import scoring_run_cancel


class OfferViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AccountScopedViewSet,
):
    selector = staticmethod(offers_for_account)
    serializer_class = OfferSerializer
    search_fields = ["name"]
    ordering_fields = ["created_at", "name", "id"]
    ordering = ["-created_at", "-id"]

    def perform_create(self, serializer):
        serializer.instance = offer_create(
            account=request_account(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = offer_update(offer=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        offer_delete(offer=instance, user=self.request.user)

    @extend_schema(
        request=OfferScoreRequestSerializer,
        responses={
            200: ScoringSummarySerializer,
            202: ScoringRunSerializer,
            502: error_response(PROVIDER_DOWN),
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[ScoringRateThrottle])
    @idempotent()
    def score(self, request, pk=None):
        """Score every lead against this offer (skipping those already scored unless rescore)
        as a run, and wait for it as POST /score/ does: its summary, or 202 and the run."""
        body = OfferScoreRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = scoring_run_start(
            offer=self.get_object(), user=request.user, rescore=body.validated_data["rescore"]
        )
        run = run_wait_bounded(request, run)
        if run.status not in ScoringRun.FINISHED:
            return run_accepted_response(request, run)
        return Response(ScoringSummarySerializer(run_summary(run=run)).data)


class LeadUploadViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    AccountScopedViewSet,
):
    selector = staticmethod(uploads_for_account)
    serializer_class = LeadUploadSerializer
    parser_classes = [MultiPartParser, FormParser]
    ordering_fields = ["created_at", "row_count", "id"]
    ordering = ["-created_at", "-id"]

    def get_throttles(self):
        return [UploadRateThrottle()] if self.action == "create" else super().get_throttles()

    @extend_schema(
        request={"multipart/form-data": LeadUploadRequestSerializer},
        responses={201: LeadUploadSerializer},
    )
    @idempotent(atomic=True)
    def create(self, request, *args, **kwargs):
        """Upload a CSV of leads as a new batch."""
        upload = upload_from_request(request)
        return Response(LeadUploadSerializer(upload).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        lead_upload_delete(upload=instance, user=self.request.user)


class LeadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    AccountScopedViewSet,
):
    selector = staticmethod(leads_for_account)
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    search_fields = ["name", "company"]
    ordering_fields = ["id", "name", "company", "created_at"]
    ordering = ["id"]

    def perform_destroy(self, instance):
        lead_delete(lead=instance, user=self.request.user)


class ValuesRows:
    """A queryset's rows as values_list(*fields) tuples (fields[0] the id) for a paginator:
    counted without the joins those fields bring (a count of the scores joined to their
    leads takes ten times as long); a page is its ids first, read from the ordering's index
    alone, then those rows, so a deep page joins nothing it skips."""

    def __init__(self, queryset, fields: tuple[str, ...]):
        self.queryset, self.fields = queryset, fields

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[tuple]:
        ids = list(self.queryset.values_list("pk", flat=True)[page])
        rows = self.queryset.filter(pk__in=ids).order_by().values_list(*self.fields)
        by_id = {row[0]: row for row in rows}
        return [by_id[pk] for pk in ids]

    def __iter__(self):
        return iter(self.queryset.values_list(*self.fields))


class ScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccountScopedViewSet):
    selector = staticmethod(scores_for_account)
    serializer_class = ScoreSerializer
    filterset_class = ScoreFilter
    search_fields = ["lead__name", "lead__company"]
    ordering_fields = ["score", "scored_at", "rule_score", "ai_score", "lead__name", "id"]
    ordering = ["-score", "id"]

    def list(self, request, *args, **kwargs):
        """ScoreSerializer's items, built from the page's values rather than through a
        serializer per score (most of a page's time otherwise)."""
        scores = ValuesRows(self.filter_queryset(self.get_queryset()), SCORE_ITEM_VALUES)
        page = self.paginate_queryset(scores)
        if page is None:
            return Response(score_items(scores))
        return self.get_paginated_response(score_items(page))

    @extend_schema(
        operation_id="api_scores_export",
        filters=True,
        parameters=[ScoreExportQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: error_response(BAD_REQUEST)},
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        content_negotiation_class=CsvExportNegotiation,
    )
    def export(self, request):
        """Every score the list's filters, search and ordering select, as a CSV attachment,
        streamed: any number of rows. Without `format`, scores.csv with each part of the
        score; with `format=hubspot` or `format=salesforce`, that CRM's import file
        (scoring/leads/score_export.py)."""
        query = ScoreExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        layout = CRM_LAYOUTS.get(query.validated_data.get("format"), SCORES)
        scores = self.filter_queryset(self.get_queryset())
        rows = scores.values_list(*layout.fields).iterator(chunk_size=EXPORT_BATCH_SIZE)
        lines = export_chunks(map(layout.row, rows), layout.header)
        return csv_attachment(lines, file_name=layout.file_name)


class ScoringRunViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    AccountScopedViewSet,
):
    """Scoring runs: start one (202, then follow its progress at its URL), or cancel it."""

    selector = staticmethod(runs_for_account)
    serializer_class = ScoringRunSerializer
    filterset_fields = ["status", "offer"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_throttles(self):
        return [ScoringRateThrottle()] if self.action == "create" else super().get_throttles()

    @extend_schema(
        request=ScoringRunCreateSerializer,
        responses={202: ScoringRunSerializer, 404: error_response(NO_OFFER)},
    )
    @idempotent()
    def create(self, request, *args, **kwargs):
        body = ScoringRunCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        account = request_account(request)
        offer = offer_for_scoring(account=account, offer_id=body.validated_data["offer"])
        lead_filter = body.validated_data.get("lead_filter") or {}
        if "upload" in lead_filter:  # another account's upload: 404, as if it did not exist
            upload_for_account(account=account, upload_id=lead_filter["upload"])
        run = scoring_run_start(
            offer=offer,
            user=request.user,
            rescore=body.validated_data["rescore"],
            lead_filter=lead_filter,
        )
        return run_accepted_response(request, run)

    @extend_schema(request=None, responses={200: ScoringRunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        run = scoring_run_cancel(run=self.get_object(), user=request.user)
        return Response(ScoringRunSerializer(run).data)

    @extend_schema(
        request=None,
        responses={202: ScoringRunSerializer, 400: error_response(RUN_NOT_RESUMABLE)},
    )
    @action(detail=True, methods=["post"], throttle_classes=[ScoringRateThrottle])
    def resume(self, request, pk=None):
        """Queue again what a failed, stalled or interrupted run has left; its finished
        chunks stay done. 202, then follow it at its URL."""
        run = scoring_run_resume(run=self.get_object(), user=request.user)
        return run_accepted_response(request, run)
