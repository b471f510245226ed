"""Django for a bench script on a throw-away SQLite database and the offline provider: call
`setup()` before importing anything of the project's."""

import os
import tempfile


def setup(prefix: str) -> None:
    database_dir = tempfile.mkdtemp(prefix=prefix)
    os.environ["DATABASE_URL"] = f"sqlite:///{database_dir}/bench.sqlite3"
    os.environ["LLM_PROVIDER"] = "local"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intentscore.settings")

    import django

    django.setup()
