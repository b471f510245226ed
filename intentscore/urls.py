from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from scoring import api, views
from scoring.access import DocsPermission

router = DefaultRouter()
router.register("offers", api.OfferViewSet, basename="offer")
router.register("uploads", api.LeadUploadViewSet, basename="upload")
router.register("leads", api.LeadViewSet, basename="lead")
router.register("scores", api.ScoreViewSet, basename="score")
router.register("runs", api.ScoringRunViewSet, basename="run")
router.register("conversations", api.ConversationGradeViewSet, basename="conversation")

# The seed's paths answer with or without their trailing slash: a POST to "/score" must not
# fail because the seed's README showed "score/".
seed_urls = [
    re_path(r"^product/offer/?$", views.OfferCreateView.as_view(), name="seed-offer-create"),
    re_path(r"^leads/upload/?$", views.LeadUploadView.as_view(), name="seed-leads-upload"),
    re_path(r"^score/?$", views.ScoreView.as_view(), name="seed-score"),
    re_path(r"^results/?$", views.ResultsView.as_view(), name="seed-results"),
    re_path(r"^csv/?$", views.CsvExportView.as_view(), name="seed-csv"),
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
    *seed_urls,
]

handler404 = "scoring.api_errors.json_not_found"
handler500 = "scoring.api_errors.json_server_error"
