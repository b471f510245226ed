"""The admin's index groups the models by the app they belong to."""

import pytest
from django.urls import reverse

EXPECTED_GROUPS = {
    "Accounts": {"Account", "ApiKey", "AuditEvent"},
    "Lead scoring": {"Offer", "LeadUpload", "Lead", "Score", "ScoringRun"},
    "Conversations": {"Bot", "ConversationGrade"},
    "Notifications": {"Notification"},
}


@pytest.mark.django_db
def test_the_admin_index_lists_each_apps_models_under_its_name(admin_client):
    app_list = admin_client.get(reverse("admin:index")).context["app_list"]

    groups = {app["name"]: {model["object_name"] for model in app["models"]} for app in app_list}
    for name, models in EXPECTED_GROUPS.items():
        assert groups[name] == models
