"""Moving a test database's schema to a point in the migration history and back."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The apps split out of `scoring` (accounts 0001 and conversations 0001 follow scoring 0012):
# before that point they have no migration applied.
SPLIT_APPS = ("accounts", "conversations")
# Apps begun after the split on top of accounts: before it they have no migration applied
# either.
LATER_APPS = ("notifications",)


def migrate(targets):
    """Migrate to `targets` ((app, name) or (app, None) for none applied); the apps of the
    state there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # (app, None), no migration of the app applied, is no node of the graph: the app is
    # simply absent from the state.
    return executor.loader.project_state([node for node in targets if node[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def scoring_at(migration: str):
    """scoring at `migration` (before the split), the split apps and those on them
    unapplied, every other app (auth among them) at its latest."""
    unapplied = (*SPLIT_APPS, *LATER_APPS)
    others = [node for node in latest() if node[0] not in ("scoring", *unapplied)]
    return [*others, ("scoring", migration), *((app, None) for app in unapplied)]


def app_at(app: str, migration: str):
    """`app` at `migration` (after the split), every other app at its latest."""
    return [*(node for node in latest() if node[0] != app), (app, migration)]
