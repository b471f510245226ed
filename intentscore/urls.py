from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from scoring.accounts.access import DocsPermission
from scoring.conversations.api import ConversationGradeViewSet
from scoring.leads.api import compat, viewsets

router = DefaultRouter()
router.register("offers", viewsets.OfferViewSet, basename="offer")
router.register("uploads", viewsets.LeadUploadViewSet, basename="upload")
router.register("leads", viewsets.LeadViewSet, basename="lead")
router.register("scores", viewsets.ScoreViewSet, basename="score")
router.register("runs", viewsets.ScoringRunViewSet, basename="run")
router.register("conversations", ConversationGradeViewSet, basename="conversation")

# The compatibility paths (the seed's five endpoints) answer with or without their trailing
# slash: a POST to "/score" must not fail because the seed's README showed "score/".
compat_urls = [
    re_path(r"^product/offer/?$", compat.OfferCreateView.as_view(), name="compat-offer-create"),
    re_path(r"^leads/upload/?$", compat.LeadUploadView.as_view(), name="compat-leads-upload"),
    re_path(r"^score/?$", compat.ScoreView.as_view(), name="compat-score"),
    re_path(r"^results/?$", compat.ResultsView.as_view(), name="compat-results"),
    re_path(r"^csv/?$", compat.CsvExportView.as_view(), name="compat-csv"),
    # A file, named as one: no trailing slash.
    path("leads/template.csv", compat.LeadTemplateView.as_view(), name="compat-leads-template"),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/api/docs/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    # Sign-in for the browsable API (session authentication).
    path("api-auth/", include("rest_framework.urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[DocsPermission]),
        name="schema",
    ),
    # The split view serves the page's script from its own URL (?script=), not inline, so
    # the Content-Security-Policy runs no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[DocsPermission]),
        name="api-docs",
    ),
    *compat_urls,
]

handler404 = "scoring.core.api_errors.json_not_found"
handler500 = "scoring.core.api_errors.json_server_error"
