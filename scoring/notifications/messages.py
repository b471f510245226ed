"""Writing a notification: links into this site, plain-text lists, and the Slack message (its
`text` for the notification itself, blocks for the channel)."""

from django.conf import settings

NONE_LISTED = "(none)"
# Slack refuses a section whose text is longer.
SLACK_SECTION_MAX_CHARS = 3000


def public_url(path: str) -> str:
    """The address of `path` (from reverse()) as a reader of the notification reaches it."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def bullet_list(items) -> str:
    """One "- item" line per item; "(none)" for none."""
    lines = [f"- {item}" for item in items]
    return "\n".join(lines) or f"- {NONE_LISTED}"


def slack_escape(text: str) -> str:
    """Text that Slack shows as written: &, < and > would start its own markup (a visitor's
    words and a lead's company are not ours to format)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict:
    if len(text) > SLACK_SECTION_MAX_CHARS:
        text = text[: SLACK_SECTION_MAX_CHARS - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def slack_message(*, text: str, sections: list[tuple[str, str]], link: tuple[str, str]) -> dict:
    """A Slack incoming-webhook body: `text` (what a notification or a client without
    blocks shows), then a block per (title, plain text) section and the link (label, URL).
    Every argument is plain text; it is escaped here."""
    blocks = [_section(slack_escape(text))]
    blocks += [
        _section(f"*{slack_escape(title)}*\n{slack_escape(body)}") for title, body in sections
    ]
    label, url = link
    blocks.append(_section(f"<{slack_escape(url)}|{slack_escape(label)}>"))
    return {"text": slack_escape(text), "blocks": blocks}
