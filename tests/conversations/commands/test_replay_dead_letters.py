import pytest
from django.core.management import CommandError, call_command

from scoring.conversations.management.commands.replay_dead_letters import BAD_LIMIT_ERROR
from tests.llm_stub import unused_port


@pytest.mark.parametrize("limit", [0, -3])
def test_a_limit_below_one_is_refused_before_touching_the_broker(limit):
    broker = f"amqp://guest:guest@127.0.0.1:{unused_port()}//"  # nothing listens there

    with pytest.raises(CommandError) as raised:
        call_command("replay_dead_letters", broker=broker, limit=limit)

    assert str(raised.value) == BAD_LIMIT_ERROR
