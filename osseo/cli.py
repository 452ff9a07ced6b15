"""The `osseo` console script: Django's management commands, plus the engines' own commands.

`osseo wear ...` runs the wear engine without Django (researchers can use it on its own);
`osseo serve ...` runs the production web server (gunicorn, osseo/serve.py); everything else is
handed to Django's management utility (`osseo migrate`, `osseo demo`, ...).
"""

from __future__ import annotations

import os
import sys

# Commands that change the schema run as the database's owner (osseo/audit/roles.py).
OWNER_COMMANDS = frozenset({"migrate", "createcachetable"})


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "wear":
        from osseo.fatigue.cli import main as wear_main

        return wear_main(args[2:])
    if len(args) > 1 and args[1] == "serve":
        from osseo.serve import main as serve_main

        return serve_main(args[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osseo.settings")
    if len(args) > 1 and args[1] in OWNER_COMMANDS:
        os.environ["OSSEO_DB_AS_OWNER"] = "on"  # as OSSEO_MIGRATION_DB_USER, when one is set
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
