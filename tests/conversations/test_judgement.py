"""The offline grader's judgement (scoring/conversations/judgement.py, criteria.py's negation):
negations, each non-buyer class, buying steps however short, deferrals, rejections, partners,
contact details, the five languages, and a short yes to what the bot offered."""

import pytest

from scoring.conversations.criteria import criteria_grade
from scoring.conversations.grading import LocalGrader
from scoring.conversations.judgement import (
    COMMITMENT_MIN,
    CONTACT_MIN,
    DEFERRAL_RANGE,
    NON_BUYER_MAX,
    PARTNER_ACTIONS,
    PARTNER_RANGE,
    REJECTION_ACTION,
    REJECTION_MAX,
    visitor_situation,
)
from scoring.conversations.schemas import grading_task_from_data
from scoring.conversations.services import conversation_grade
from tests.conversation_tasks import task_data


def _graded(*visitor: str, bot: tuple[str, ...] = ()):
    """The result for a chat of these visitor messages (each after the bot's, if given)."""
    history = []
    for index, text in enumerate(visitor):
        if index < len(bot):
            history.append({"role": "assistant", "content": bot[index]})
        history.append({"role": "user", "content": text})
    task = grading_task_from_data(task_data(history))
    result, _ = conversation_grade(task=task, grader=LocalGrader())
    return result


# --- negation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "criterion"),
    [
        ("We don't need a demo of the scheduler.", "demo"),
        ("No need for a trial, we know the tool.", "demo"),
        ("We are not looking at the enterprise edition.", "enterprise"),
        ("We already have SSO handled elsewhere.", "enterprise"),
        ("Wir brauchen keine Testversion.", "demo"),
        ("Nous n'avons pas besoin d'une démo.", "demo"),
        ("Não precisamos de demonstração.", "demo"),
        ("Sin prueba gratuita, gracias.", "demo"),
    ],
)
def test_a_criterion_under_a_negation_does_not_count(message, criterion):
    assert criterion not in criteria_grade([message]).met_keys


def test_a_negation_reaches_only_its_own_clause():
    grade = criteria_grade(["We don't need onboarding help, but could you show me a demo?"])

    assert "demo" in grade.met_keys


def test_signing_with_another_vendor_is_a_no_not_a_purchase():
    result = _graded(
        "Thanks for the call last month.",
        "We signed with another vendor on Monday, so please close our file.",
    )

    assert result.lead_category == "cold" and result.lead_score <= REJECTION_MAX
    assert result.recommended_actions == [REJECTION_ACTION]


# --- non-buyers: cold, with the reason named --------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "reason"),
    [
        (("I'm a grad student researching subscription pricing for my thesis. What do plans cost?",
          "Do you offer a demo for students?"), "a student or researcher"),
        (("Saw an opening for a support engineer on your careers page. Is it remote?",
          "Where do I send my CV?"), "a job seeker"),
        (("I'm a journalist writing a feature on warehouse automation.",
          "Could I get a comment on pricing trends by Wednesday?"), "press"),
        (("We noticed your site loads slowly on mobile.",
          "Our agency has helped 50 SaaS companies; want a free audit?"), "a vendor pitching"),
        (("We also build a similar scheduling tool and are doing competitive research.",
          "What do you charge per seat?"), "a competitor"),
        (("Our invoice is wrong again and I want a refund for last month.",
          "accounts@example.org"), "support or billing"),
        (("Looking for one camera for my living room, it's just me.",
          "I'll buy it from the store."), "personal use"),
        (("How is your pricing structured, per user or per project?",
          "I'm a 2L writing my seminar paper on what software costs small firms."),
         "a student or researcher"),
        (("I'm an independent consultant. What are your packages and prices?",
          "None of my clients has asked, I just keep prices on file in case it ever comes up."),
         "a student or researcher"),
        (("Make money fast!!! $500 a day https://spam.example/offer",), "spam"),
        (("sdfkj qwrtzp xcvbnm lkjhgf",), "spam"),
    ],
    ids=["student", "job", "press", "vendor", "competitor", "support", "personal", "law-student",
         "information-only", "spam", "gibberish"],
)  # fmt: skip
def test_a_non_buyer_is_cold_with_the_reason_named(messages, reason):
    result = _graded(*messages)

    assert result.lead_category == "cold" and result.lead_score <= NON_BUYER_MAX
    assert reason in result.reasoning
    assert any(signal.startswith("Not a buyer: ") for signal in result.intent_signals)
    assert "sales contact" not in " ".join(result.recommended_actions)


def test_a_reseller_enquiry_is_warm_for_the_partnerships_team():
    result = _graded(
        "We're an IT consultancy with 30 clients. Do you have a reseller programme?",
        "What margin do partners get?",
    )

    assert result.lead_category == "warm"
    assert PARTNER_RANGE[0] <= result.lead_score <= PARTNER_RANGE[1]
    assert result.recommended_actions == list(PARTNER_ACTIONS)


# --- buying steps: hot however short ----------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "We're ready to buy 120 seats this month, send me a quote.",
        "Please issue an order form, our purchase order is ready.",
        "Budget's there and my boss already said yes. How do we start?",
        "I need your security questionnaire answers for procurement.",
        "Can someone from sales call me today about 40 licences?",
        "We need 35 user licences before the 1st of next month.",
        "We've issued an RFP for our scheduling system; responses are due next Friday.",
        "Our shipment sails on the 14th and I need to bind cover this week.",
        "We need 6 more scanners for the new site, can you bundle that at the same rate?",
        "Just send me the rate sheet and we'll move our whole annual volume to you.",
    ],
)
def test_a_single_message_buying_step_is_hot(message):
    result = _graded(message)

    assert result.lead_category == "hot" and result.lead_score >= COMMITMENT_MIN
    assert any(signal.startswith("Took a buying step") for signal in result.intent_signals)
    assert result.recommended_actions[0].startswith("Have sales contact the visitor today")


def test_a_short_yes_to_a_quote_the_bot_offered_is_a_buying_step():
    result = _graded(
        "switching", "8", "yes", "bo@example.org",
        bot=("New setup or switching?", "How many sites?",
             "Shall I prepare a quote for 8 sites and book a call with our team?",
             "Where should I send it?"),
    )  # fmt: skip

    assert result.lead_category == "hot"


def test_a_short_yes_to_a_brochure_is_not_a_buying_step():
    situation = visitor_situation(["yes"], [("Would you like our brochure?", "yes")])

    assert situation.commitment is None


# --- later, and contact details --------------------------------------------------------------


def test_wanting_it_later_caps_a_keen_visitor_at_warm():
    result = _graded(
        "We have 200 staff and budget approved for next year, not this one.",
        "Please reach out in January, no rush before then. cto@example.org",
    )

    assert result.lead_category == "warm"
    assert DEFERRAL_RANGE[0] <= result.lead_score <= DEFERRAL_RANGE[1]
    assert result.recommended_actions[0].startswith("Schedule a follow-up")


def test_a_buying_step_with_a_date_outweighs_deferring_the_demo():
    result = _graded("No rush on the demo. I need a written quote for 30 seats by Friday.")

    assert result.lead_category == "hot"


def test_a_tender_dated_in_another_message_outweighs_next_years_edition():
    result = _graded(
        "We've issued an RFP for next year's event and would like you to respond.",
        "Responses are due next Friday at 5pm. Who should I send the pack to?",
    )

    assert result.lead_category == "hot"


def test_asking_whether_a_trial_needs_a_credit_card_is_no_billing_issue():
    situation = visitor_situation(["does the trial need a credit card"])
    assert situation.non_buyer is None


def test_leaving_an_email_makes_a_quiet_visitor_warm():
    result = _graded("maybe", "ok", "lee@example.org")

    assert result.lead_category == "warm" and result.lead_score >= CONTACT_MIN


def test_a_greeting_alone_stays_cold():
    assert _graded("hello").lead_category == "cold"


# --- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "Hola, necesitamos una cotización para 50 licencias este mes.",
        "Guten Tag, bitte schicken Sie uns ein Angebot für 50 Lizenzen bis Ende des Monats.",
        "Bonjour, pouvez-vous nous envoyer un devis pour 50 licences ce mois-ci ?",
        "Olá, queremos fechar o contrato esta semana, podem mandar a proposta?",
    ],
    ids=["es", "de", "fr", "pt"],
)
def test_a_buyer_in_another_language_is_hot(message):
    assert _graded(message).lead_category == "hot"


@pytest.mark.parametrize(
    ("message", "criterion"),
    [
        ("¿Cuánto cuesta el plan para empresas?", "pricing"),
        ("Was kostet das pro Nutzer?", "pricing"),
        ("Quel est le prix par utilisateur ?", "pricing"),
        ("Quanto custa o plano anual?", "pricing"),
        ("¿Podemos ver una demostración?", "demo"),
        ("Gibt es eine Testversion?", "demo"),
        ("Avez-vous un essai gratuit ?", "demo"),
        ("Vocês têm teste grátis?", "demo"),
        ("Tenemos presupuesto para el trimestre.", "budget"),
        ("Somos una empresa de 80 empleados.", "company"),
        ("Wir sind ein Team mit 40 Mitarbeitern.", "company"),
        ("Nous sommes une PME de 30 salariés.", "company"),
        ("Somos uma empresa com 25 funcionários.", "company"),
    ],
)
def test_the_main_criteria_count_in_five_languages(message, criterion):
    assert criterion in criteria_grade([message]).met_keys


def test_wanting_it_later_is_understood_in_other_languages():
    for message in (
        "Por ahora solo estamos mirando, más adelante decidimos.",
        "Wir informieren uns erst, die Entscheidung fällt nächstes Jahr.",
        "On se renseigne pour l'instant, rien ne presse.",
        "Por enquanto só estamos pesquisando, sem pressa.",
    ):
        assert visitor_situation([message]).deferral is not None, message


# --- ordinary buyer language is not mistaken for something else --------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "We have 5,000 students across our campuses and need a portal for them.",
        "Does the volume discount apply to all users on the account?",
        "Our agents need a WYSIWYG editor for replies.",
        "Can customers leave a comment on a ticket?",
        "We saw your pricing page and would like a quote.",
        "We're switching from a competitor, send me a quote.",
        "What's your refund policy if it doesn't work out?",
        "We sell on Amazon and Shopify, 3,000 orders a month.",
        "I work from my home office most days, the team is in Berlin.",
        "Manda para mim a proposta, por favor.",
        "Our site is https://acme.example, budget is $20k.",
        "Our old tool keeps crashing, that's why we're looking.",
        "Our current provider stopped working for us, we need a replacement.",
        "We are a university hospital with 3,000 staff.",
        "I'm working on a feature comparison for our buying committee.",
    ],
)
def test_a_buyer_is_not_taken_for_a_non_buyer(message):
    assert visitor_situation([message]).non_buyer is None


@pytest.mark.parametrize(
    "message",
    [
        "We spend too much time on manual lead routing.",
        "We're switching from another provider next month.",
        "Hopefully it's not too expensive for 40 seats.",
        "We'd go with annual billing instead of monthly.",
    ],
)
def test_a_buyer_is_not_taken_for_a_no(message):
    assert visitor_situation([message]).rejection is None


@pytest.mark.parametrize(
    "message",
    [
        "For now we need 10 licences.",
        "We don't have a CRM yet, so we need one.",
        "We'll decide next week once we see the quote.",
        "Please contact me in English.",
        "Can you follow up in writing with the terms?",
    ],
)
def test_a_buyer_is_not_taken_for_a_deferrer(message):
    assert visitor_situation([message]).deferral is None


@pytest.mark.parametrize(
    "message",
    [
        "I'd like to sign up for the free plan.",
        "Our sales call every lead within an hour.",
        "Is it approved by the FDA?",
        "We have a contract with our current vendor until March.",
        "We need it due to compliance rules.",
        "How do I sign in?",
        "We run a tender every few years for this.",
        "I need more time to think.",
        "We need two more weeks to decide.",
        "I need a few more details before I can take this to my team.",
        "We want a few more people to see the demo.",
        "Our current vendor gives us support at the same price, so why switch?",
        "Do you bundle that with onboarding? Just curious, no plans yet.",
        "Last year we issued an RFP and nothing came of it.",
        "Our proposals are due every Friday.",
    ],
)
def test_ordinary_words_are_not_a_buying_step(message):
    assert visitor_situation([message]).commitment is None


def test_no_problem_is_not_a_negation():
    assert "pricing" in criteria_grade(["No problem, what's the pricing for 20 users?"]).met_keys


def test_a_curly_apostrophe_negates_too():
    assert "demo" not in _graded_keys("We don’t need a demo.")


def _graded_keys(message):
    return {signal for signal in _graded(message).intent_signals}


def test_another_script_is_not_gibberish():
    situation = visitor_situation(["Сколько стоит лицензия на 50 пользователей в месяц?"])

    assert situation.non_buyer is None


def test_acronyms_are_not_gibberish():
    assert visitor_situation(["CRM ERP SFDC HQ NYC"]).non_buyer is None


def test_a_negated_no_is_not_a_no():
    assert visitor_situation(["We are not going with another vendor."]).rejection is None
