import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from scoring.accounts.models import Account, Membership
from scoring.accounts.services import api_key_create
from scoring.conversations.models import (
    Bot,
    ConversationGrade,
    DeliveryStatus,
    EngagementLevel,
    LeadCategory,
)
from scoring.leads.models import Intent, Lead, LeadUpload, Offer, Score, ScoringRun
from scoring.leads.titles import normalise_title

SEED_OFFER = {
    "name": "AI Analytics Platform Pro",
    "value_props": [
        "Advanced Machine Learning Analytics",
        "Real-time Data Processing",
        "Predictive Business Intelligence",
        "Custom Dashboard Creation",
    ],
    "ideal_use_cases": [
        "Enterprise Data Analysis",
        "Business Intelligence Reporting",
        "Customer Behavior Analytics",
        "Sales Performance Optimization",
    ],
}


# Offers of other domains than the seed's, for the buyer-profile tests: a help desk, which
# customer support buys, and a lesson planner, which teachers and schools buy.
HELPDESK = {
    "name": "Beacon Helpdesk",
    "value_props": [
        "Shared inbox for customer support tickets",
        "Live chat and a self-service help center",
        "CSAT and NPS surveys after every conversation",
    ],
    "ideal_use_cases": [
        "Customer support teams answering tickets",
        "Reducing churn through better customer service",
    ],
}
LESSONS = {
    "name": "Greenhouse Lesson Planner",
    "value_props": ["Lesson plans and curriculum mapping", "Classroom quizzes for students"],
    "ideal_use_cases": ["Teachers preparing courses", "Schools tracking learning"],
}
# The fields of a stored buyer profile that say who buys (not who inferred it).
PROFILE_KEYS = {
    "primary_departments", "secondary_departments", "min_seniority", "target_industries",
    "vertical", "competitors", "source",
}  # fmt: skip


def profile_core(profile: dict) -> dict:
    """The profile's fields that say who buys."""
    return {key: profile[key] for key in PROFILE_KEYS}


class AccountFactory(factory.django.DjangoModelFactory):
    """By default every factory shares the one account "Acme"; pass another for isolation."""

    class Meta:
        model = Account
        django_get_or_create = ("slug",)

    name = "Acme"
    slug = factory.LazyAttribute(lambda account: account.name.lower().replace(" ", "-"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")
    membership = factory.RelatedFactory(
        "tests.factories.MembershipFactory", factory_related_name="user"
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    account = factory.SubFactory(AccountFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    account = factory.SubFactory(AccountFactory)
    name = SEED_OFFER["name"]
    value_props = factory.LazyFunction(lambda: list(SEED_OFFER["value_props"]))
    ideal_use_cases = factory.LazyFunction(lambda: list(SEED_OFFER["ideal_use_cases"]))


class LeadUploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadUpload

    account = factory.SubFactory(AccountFactory)
    file_name = "leads.csv"
    row_count = 0


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    account = factory.SubFactory(AccountFactory)
    upload = factory.SubFactory(LeadUploadFactory, account=factory.SelfAttribute("..account"))
    name = factory.Sequence(lambda n: f"Lead {n}")
    role = "CEO"
    company = factory.Sequence(lambda n: f"Company {n}")
    industry = "SaaS"
    location = "Berlin"
    linkedin_bio = "Looking for machine learning analytics to scale our data team."
    # As an upload stores them: the role, normalised.
    seniority = factory.LazyAttribute(lambda lead: normalise_title(lead.role).seniority)
    departments = factory.LazyAttribute(lambda lead: list(normalise_title(lead.role).departments))


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    account = factory.SubFactory(AccountFactory)
    lead = factory.SubFactory(LeadFactory, account=factory.SelfAttribute("..account"))
    offer = factory.SubFactory(OfferFactory, account=factory.SelfAttribute("..account"))
    rule_score = 50
    role_points = 20
    role_keyword = "ceo"
    industry_points = 20
    industry_keyword = "saas"
    completeness_points = 10
    ai_label = Intent.HIGH
    ai_score = 50
    score = 100
    intent = Intent.HIGH
    reasoning = "Bio mentions machine learning analytics."
    provider = "local"
    model = "local-keyword-v1"
    scored_at = factory.LazyFunction(timezone.now)


class ScoringRunFactory(factory.django.DjangoModelFactory):
    """A queued run (nothing dispatched): for access tests, not for scoring."""

    class Meta:
        model = ScoringRun

    account = factory.SubFactory(AccountFactory)
    offer = factory.SubFactory(OfferFactory, account=factory.SelfAttribute("..account"))
    provider = "local"
    model = "local-keyword-v1"


class BotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bot

    account = factory.SubFactory(AccountFactory)
    bot_id = factory.Sequence(lambda n: f"bot-{n}")
    name = factory.LazyAttribute(lambda bot: f"Bot {bot.bot_id}")


class ConversationGradeFactory(factory.django.DjangoModelFactory):
    """A cold grade of a two-message conversation, delivery pending (no webhook sent)."""

    class Meta:
        model = ConversationGrade

    account = factory.SubFactory(AccountFactory)
    bot = factory.SubFactory(BotFactory, account=factory.SelfAttribute("..account"))
    task_id = factory.Sequence(lambda n: f"task-{n}")
    visitor_id = factory.Sequence(lambda n: f"visitor-{n}")
    session_id = factory.Sequence(lambda n: f"session-{n}")
    conversation_history = factory.LazyFunction(
        lambda: [
            {"role": "user", "content": "What's your pricing?"},
            {"role": "assistant", "content": "We have 3 plans..."},
        ]
    )
    visitor_profile = factory.LazyFunction(dict)
    lead_score = 20
    lead_category = LeadCategory.COLD
    intent_signals = factory.LazyFunction(lambda: ["pricing"])
    engagement_level = EngagementLevel.LOW
    key_interests = factory.LazyFunction(lambda: ["pricing"])
    recommended_actions = factory.LazyFunction(lambda: ["Send the pricing page."])
    reasoning = "Asked about pricing once."
    graded_at = factory.LazyFunction(timezone.now)
    model_used = "local-criteria-v1"
    conversation_count = 2
    delivery_status = DeliveryStatus.PENDING


CSV_HEADER = "name,role,company,industry,location,linkedin_bio\n"


def csv_upload(text: str | bytes, name: str = "leads.csv") -> SimpleUploadedFile:
    """A CSV file as a multipart upload carries it (str is encoded as UTF-8)."""
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def api_key_client(user) -> APIClient:
    """A client that authenticates as user with a real API key, as API clients do."""
    _, raw_key = api_key_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def created(count: int) -> dict:
    """The counts of an upload that added `count` people and met nobody it knew."""
    return {"created": count, "updated": 0, "skipped": 0}
