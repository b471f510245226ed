import pytest

from scoring.conversations.criteria import (
    DEFAULT_ACTIONS,
    MAX_KEY_INTERESTS,
    category_for,
    clamp_score,
    criteria_grade,
    engagement_for,
    key_interests,
    reasoning,
    recommended_actions,
)
from scoring.conversations.grading import LocalGrader
from scoring.conversations.models import EngagementLevel, LeadCategory
from scoring.conversations.schemas import grading_task_from_data
from tests.conversation_tasks import COLD_MESSAGES, HOT_MESSAGES, SEED_TASK, task_data


@pytest.mark.parametrize(
    ("message", "criterion", "points"),
    [
        ("How much is the pro plan?", "pricing", 15),
        ("What are your prices?", "pricing", 15),
        ("Could I get a free trial?", "demo", 15),
        ("Can you show me a demo?", "demo", 15),
        ("Do you support SSO?", "enterprise", 10),
        ("Is there an enterprise tier?", "enterprise", 10),
        ("We want to go live next month.", "timeline", 10),
        ("What does the implementation timeline look like?", "timeline", 10),
        ("Our budget is limited.", "budget", 10),
        ("We can spend $500 a month.", "budget", 10),
    ],
)
def test_each_purchase_intent_criterion_earns_its_points(message, criterion, points):
    grade = criteria_grade([message])
    assert criterion in grade.met_keys
    assert dict((c.key, c.points) for c in grade.met)[criterion] == points


@pytest.mark.parametrize(
    ("message", "criterion", "points"),
    [
        ("Our company sells shoes online.", "company", 10),
        ("We're a 50-person agency.", "company", 10),
        ("Does it integrate with HubSpot?", "integration", 8),
        ("Do you have webhooks?", "integration", 8),
        ("We need to answer support chats at night.", "use_case", 7),
        ("What is the latency of your endpoints?", "technical", 5),
    ],
)
def test_each_qualification_criterion_earns_its_points(message, criterion, points):
    grade = criteria_grade([message])
    assert criterion in grade.met_keys
    assert dict((c.key, c.points) for c in grade.met)[criterion] == points


def test_the_seeds_example_asks_about_pricing_in_one_message():
    grade = criteria_grade(grading_task_from_data(SEED_TASK).visitor_messages)
    assert (grade.purchase_intent, grade.engagement, grade.qualification) == (15, 5, 0)
    assert grade.score == 20
    assert grade.category == LeadCategory.COLD
    assert grade.engagement_level == EngagementLevel.LOW


def test_the_bots_words_are_not_evidence():
    task = grading_task_from_data(
        task_data(
            [
                {"role": "user", "content": "hello"},
                {"role": "assistant", "content": "Our pricing plans start at $10; book a demo!"},
            ]
        )
    )
    grade = criteria_grade(task.visitor_messages)
    assert grade.met == ()
    assert grade.score == 5


def test_a_criterion_counts_once_however_often_it_is_met():
    grade = criteria_grade(["pricing?", "what is the price", "and the cost?"])
    assert grade.purchase_intent == 15


def test_a_hot_conversation_is_hot_and_each_part_is_capped():
    grade = criteria_grade(HOT_MESSAGES)
    # Every criterion is met: 60 and 30 points before the caps of 50 and 25.
    assert grade.met_keys == {
        "pricing", "demo", "enterprise", "timeline", "budget",
        "company", "integration", "use_case", "technical",
    }  # fmt: skip
    assert (grade.purchase_intent, grade.engagement, grade.qualification) == (50, 25, 25)
    assert grade.score == 100
    assert grade.category == LeadCategory.HOT


def test_a_cold_one_liner_is_cold():
    grade = criteria_grade(COLD_MESSAGES)
    assert grade.score == 5
    assert grade.category == LeadCategory.COLD


@pytest.mark.parametrize(
    ("word", "criterion"),
    [
        ("prices", "pricing"),
        ("Priced", "pricing"),
        ("integrations", "integration"),
        ("integrating", "integration"),
        ("budgeted", "budget"),
    ],
)
def test_word_endings_match(word, criterion):
    assert criterion in criteria_grade([f"about {word}"]).met_keys


@pytest.mark.parametrize(
    "message",
    [
        "We plan to rest after lunch.",  # "plan" is not "plans"; "rest" is not a REST API
        "The apiary has bees.",  # "api" inside a word
        "I'm a demographer.",  # "demo" inside a word
    ],
)
def test_words_inside_other_words_do_not_match(message):
    assert criteria_grade([message]).met == ()


@pytest.mark.parametrize(
    ("messages", "points", "level"),
    [(0, 0, EngagementLevel.NONE), (1, 5, EngagementLevel.LOW), (2, 5, EngagementLevel.LOW),
     (3, 15, EngagementLevel.MEDIUM), (4, 15, EngagementLevel.MEDIUM),
     (5, 25, EngagementLevel.HIGH), (40, 25, EngagementLevel.HIGH)],
)  # fmt: skip
def test_engagement_follows_the_visitors_message_count(messages, points, level):
    assert engagement_for(messages) == (points, level)


@pytest.mark.parametrize(
    ("score", "category"),
    [(0, "cold"), (39, "cold"), (40, "warm"), (69, "warm"), (70, "hot"), (100, "hot")],
)
def test_category_boundaries(score, category):
    assert category_for(score) == category


@pytest.mark.parametrize(("score", "clamped"), [(-5, 0), (0, 0), (55, 55), (100, 100), (150, 100)])
def test_scores_are_clamped_to_0_100(score, clamped):
    assert clamp_score(score) == clamped


def test_key_interests_are_product_topics_in_the_order_raised():
    interests = key_interests(["Does it integrate with Slack?", "And what's the pricing? Demo?"])
    assert interests == ["integrate", "slack", "pricing", "demo"]
    assert len(key_interests(HOT_MESSAGES)) <= MAX_KEY_INTERESTS


def test_a_hot_visitor_who_asked_for_a_demo_gets_one_booked():
    grade = criteria_grade(HOT_MESSAGES)
    actions = recommended_actions(grade)
    assert actions[0] == "Book a demo within 24 hours"
    assert actions[-1] == DEFAULT_ACTIONS[LeadCategory.HOT]


def test_a_cold_visitor_is_nurtured():
    assert recommended_actions(criteria_grade(COLD_MESSAGES)) == [
        DEFAULT_ACTIONS[LeadCategory.COLD]
    ]


def test_the_reasoning_names_the_parts_and_the_evidence():
    text = reasoning(criteria_grade(["What's your pricing?"]))
    assert text == (
        "Score 20 (cold): purchase intent 15/50 from asked about pricing or plans "
        "('pricing'); engagement 5/25 from 1 visitor message; qualification 0/25 from nothing."
    )


def test_the_local_provider_grades_by_the_criteria():
    assessment = LocalGrader().grade(task=grading_task_from_data(task_data(HOT_MESSAGES)))
    assert assessment.score == 100
    assert "Requested a demo or trial" in assessment.intent_signals
    assert assessment.model_used == LocalGrader.model
    assert assessment.recommended_actions[0] == "Book a demo within 24 hours"
