"""Grading tasks for the conversation tests: the seed's example and made-up ones."""

import json

from django.conf import settings

# The seed's example task, as `make run`'s demo and the API docs use it.
SEED_TASK = json.loads((settings.BASE_DIR / "fixtures" / "conversation_task.json").read_text())
# Pricing, demo, enterprise, timeline and budget over six visitor messages, with company
# information, integration questions, a use case and technical terms.
HOT_MESSAGES = [
    "Hi, we're a 200-person logistics company evaluating chat tools.",
    "What does the enterprise plan cost per seat? We need SSO and an SLA.",
    "Can we book a demo next week?",
    "Our budget is about $40k a year.",
    "We want to go live by Q3 and integrate with Salesforce through your REST API.",
    "We need to automate lead routing for our sales team.",
]
COLD_MESSAGES = ["ok thanks"]


def task_data(visitor_messages_or_history, **fields) -> dict:
    """A task with these messages: strings are the visitor's, each answered by the bot;
    dicts are taken as they are."""
    history = []
    for item in visitor_messages_or_history:
        if isinstance(item, dict):
            history.append(item)
        else:
            history += [
                {"role": "user", "content": item},
                {"role": "assistant", "content": "Sure."},
            ]
    return {**SEED_TASK, "conversation_history": history, **fields}
