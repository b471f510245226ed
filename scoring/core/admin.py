from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write and nobody edits: listed and viewed only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
