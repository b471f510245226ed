"""The compatibility endpoints: the five of the seed (the prototype this service replaced:
POST /product/offer/, POST /leads/upload/, POST /score/, GET /results/, GET /csv/), with
their paths, bodies and status codes kept as they were, so its clients keep working; and,
beside them, GET /leads/template.csv, a file to fill in for /leads/upload/. The REST API
under /api/ (viewsets.py) is the one to build on."""

from collections.abc import Iterator

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from scoring.accounts.access import ScoringRateThrottle, UploadRateThrottle, request_account
from scoring.core.exceptions import InvalidInput
from scoring.core.json_stream import json_array_response
from scoring.core.openapi import BAD_REQUEST, error_response
from scoring.core.pagination import PageLimitPagination
from scoring.core.parsers import BoundedJSONParser
from scoring.leads.api.files import CsvExportNegotiation, csv_attachment, upload_from_request
from scoring.leads.api.idempotency import idempotent
from scoring.leads.api.openapi import NO_OFFER, PROVIDER_DOWN
from scoring.leads.api.runs import run_accepted_response, run_wait_bounded
from scoring.leads.api.serializers import (
    CompatOfferSerializer,
    CompatResultPageSerializer,
    CompatResultSerializer,
    CompatResultsPageQuerySerializer,
    CompatResultsQuerySerializer,
    CompatScoredLeadSerializer,
    CompatUploadSerializer,
    LeadUploadRequestSerializer,
    OfferSerializer,
    ScoreRequestSerializer,
    ScoringRunSerializer,
)
from scoring.leads.dispatch import scoring_run_start
from scoring.leads.lead_csv import export_chunks
from scoring.leads.models import ScoringRun
from scoring.leads.selectors import (
    api_time,
    leads_with_latest_score,
    offer_for_scoring,
    scores_for_offer,
)
from scoring.leads.services.offers import offer_create

RESULTS_TOO_MANY_ERROR = (
    "The account has {count} leads, more than the {limit} that /results/ lists in one "
    "answer: ask for a page at a time with ?page=1&limit=1000, or download them all from /csv/."
)
RESULTS_BAD_REQUEST = "Invalid offer_id, page or limit; or too many leads for one answer."
RESULTS_NOT_FOUND = "No offer with this offer_id in the caller's account, or no such page."
UPLOAD_SUCCESS_MESSAGE = "Successfully uploaded {count} leads"
EXPORT_FILE_NAME = "lead_scores.csv"
# /results/ items' fields, in the seed's order (CompatResultSerializer documents them), and
# the export's columns under EXPORT_HEADER.
RESULT_FIELDS = (
    "id", "name", "role", "company", "industry", "location", "linkedin_bio", "intent", "score",
    "reasoning", "created_at",
)  # fmt: skip
CSV_COLUMNS = ("name", "role", "company", "industry", "location", "intent", "score", "reasoning")
# GET /leads/template.csv: the seed's six columns, then who the person is in the CRM.
TEMPLATE_FILE_NAME = "leads-template.csv"
TEMPLATE_HEADER = (
    "name", "role", "company", "industry", "location", "linkedin_bio",
    "email", "external_id", "linkedin_url",
)  # fmt: skip
# Made-up people at made-up companies: emails at example.com (reserved, RFC 2606) and ids no
# CRM gives (HubSpot's are numbers, Salesforce's 15 or 18 letters and digits), so that the
# template uploaded as it is and exported back to a CRM updates no real record.
TEMPLATE_ROWS = (
    (
        "Alex Example", "VP of Data", "Example Analytics Ltd", "SaaS", "Lisbon, Portugal",
        "Leads a data team of 12. Evaluating real-time analytics platforms, dashboards, ML.",
        "alex.example@example.com", "example-1001",
        "https://www.linkedin.com/in/intentscore-example-alex",
    ),
    (
        "Sam Sample", "Operations Manager", "Sample Logistics GmbH", "Logistics",
        "Hamburg, Germany", "Runs warehouse operations; interested in forecasting.",
        "sam.sample@example.com", "example-1002",
        "https://www.linkedin.com/in/intentscore-example-sam",
    ),
)  # fmt: skip


def _optional_offer(request):
    query = CompatResultsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    offer_id = query.validated_data.get("offer_id")
    if offer_id is None:
        return None
    return offer_for_scoring(account=request_account(request), offer_id=offer_id)


class OfferCreateView(APIView):
    @extend_schema(request=OfferSerializer, responses={201: CompatOfferSerializer})
    def post(self, request):
        serializer = OfferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = offer_create(account=request_account(request), **serializer.validated_data)
        return Response(CompatOfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class LeadUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UploadRateThrottle]

    @extend_schema(
        request={"multipart/form-data": LeadUploadRequestSerializer},
        responses={201: CompatUploadSerializer},
    )
    @idempotent(atomic=True)
    def post(self, request):
        upload = upload_from_request(request)
        message = UPLOAD_SUCCESS_MESSAGE.format(count=upload.row_count)
        counts = {"created": upload.created, "updated": upload.updated, "skipped": upload.skipped}
        return Response({"message": message, **counts}, status=status.HTTP_201_CREATED)


@idempotent(name="post")
class ScoreView(APIView):
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]
    throttle_classes = [ScoringRateThrottle]

    @extend_schema(
        request=ScoreRequestSerializer,
        responses={
            200: CompatScoredLeadSerializer(many=True),
            202: ScoringRunSerializer,
            404: error_response(NO_OFFER),
            502: error_response(PROVIDER_DOWN),
        },
    )
    def post(self, request):
        """Score as a run and wait for it (SCORE_SYNC_TIMEOUT); past that, or when the account
        (or the server) already has its most waits going, 202 and the run."""
        body = ScoreRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        offer = offer_for_scoring(
            account=request_account(request), offer_id=body.validated_data.get("offer_id")
        )
        run = scoring_run_start(
            offer=offer, user=request.user, rescore=body.validated_data["rescore"]
        )
        run = run_wait_bounded(request, run)
        if run.status not in ScoringRun.FINISHED:
            return run_accepted_response(request, run)
        scores = scores_for_offer(offer=offer).order_by("lead_id")
        return Response(CompatScoredLeadSerializer(scores, many=True).data)


class ResultsView(APIView):
    @extend_schema(
        operation_id="results_list",
        parameters=[CompatResultsPageQuerySerializer],
        responses={
            200: PolymorphicProxySerializer(
                component_name="CompatResults",
                serializers=[CompatResultSerializer(many=True), CompatResultPageSerializer],
                resource_type_field_name=None,
                many=False,
            ),
            400: error_response(RESULTS_BAD_REQUEST),
            404: error_response(RESULTS_NOT_FOUND),
        },
    )
    def get(self, request):
        """Every lead with its latest score: the seed's plain list, or with ?page= or ?limit=
        one page of them. An account of more than RESULTS_MAX_ROWS leads must ask for pages
        (or download /csv/)."""
        query = CompatResultsPageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        leads = leads_with_latest_score(
            account=request_account(request), offer=_optional_offer(request), columns=RESULT_FIELDS
        )
        if query.validated_data.keys() & {"page", "limit"}:
            paginator = PageLimitPagination()
            page = paginator.paginate_queryset(leads, request, view=self)
            return paginator.get_paginated_response(result_texts(page))
        count = leads.count()
        if count > settings.RESULTS_MAX_ROWS:
            raise InvalidInput(
                RESULTS_TOO_MANY_ERROR.format(count=count, limit=settings.RESULTS_MAX_ROWS)
            )
        if isinstance(request.accepted_renderer, JSONRenderer):
            # Streamed: a worker holds one block of leads, never the whole list.
            return json_array_response(result_items(leads))
        return Response(result_texts(leads))  # the browsable API's page


def result_items(rows) -> Iterator[dict]:
    """/results/ items (CompatResultSerializer's fields) from leads_with_latest_score rows of
    RESULT_FIELDS: plain dicts, for a serializer instance per lead costs more than the query.
    created_at may be a naive UTC datetime, which json_stream writes as DRF does."""
    return (dict(zip(RESULT_FIELDS, row, strict=True)) for row in rows)


def result_texts(rows) -> list[dict]:
    """result_items with created_at as text, for DRF's renderer."""
    items = list(result_items(rows))
    for item in items:
        item["created_at"] = api_time(item["created_at"])
    return items


class CsvExportView(APIView):
    content_negotiation_class = CsvExportNegotiation

    @extend_schema(
        parameters=[CompatResultsQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            400: error_response(BAD_REQUEST),
            404: error_response(NO_OFFER),
        },
    )
    def get(self, request):
        leads = leads_with_latest_score(
            account=request_account(request), offer=_optional_offer(request), columns=CSV_COLUMNS
        )
        return csv_attachment(export_chunks(leads), file_name=EXPORT_FILE_NAME)


class LeadTemplateView(APIView):
    content_negotiation_class = CsvExportNegotiation

    @extend_schema(operation_id="leads_template", responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        """A CSV to fill in and upload to /leads/upload/: the columns the import reads (the
        seed's six, then the person's email, id in the CRM and LinkedIn URL) and two made-up
        leads."""
        lines = export_chunks(TEMPLATE_ROWS, TEMPLATE_HEADER)
        return csv_attachment(lines, file_name=TEMPLATE_FILE_NAME)
