"""How the schema describes lead scoring: its error answers and the one `Intent` enum."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent

from scoring.leads.models import Intent

NO_OFFER = "No offer yet, or none with this offer_id in the caller's account."
PROVIDER_DOWN = "The LLM provider failed on every lead it was asked; nothing was written."
RUN_NOT_RESUMABLE = "The run is done or cancelled: only an unfinished or failed run resumes."


class IntentFieldSchema(OpenApiSerializerFieldExtension):
    """`intent` and `ai_label` share one `Intent` enum rather than two names for it."""

    target_class = "scoring.leads.api.serializers.IntentField"

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="Intent",
            type=ResolvedComponent.SCHEMA,
            object="Intent",
            schema={"type": "string", "enum": list(Intent.values)},
        )
        auto_schema.registry.register_on_missing(component)
        if self.target.allow_null:
            return {"allOf": [component.ref], "nullable": True}
        return component.ref
