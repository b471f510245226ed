from django.contrib import admin
from django.utils import timezone

from scoring.accounts.models import Account, ApiKey, AuditEvent, Membership
from scoring.core.admin import ReadOnlyAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_api_token USER`, which shows the secret once;
    here they can be reviewed and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    fields = ("name", *readonly_fields)
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {revoked} API key(s).")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    # The trail is written by the services only, and kept as written.
    list_display = ("created_at", "account", "user", "action", "object_type", "object_id")
    list_filter = ("action", "account", "object_type")
    search_fields = ("user__username", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("account", "user")
