"""The engine is a pure numeric package: importing it loads nothing from Django or the apps."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_engine_loads_no_django_and_no_other_osseo_app():
    code = (
        "import sys, osseo.fatigue, osseo.fatigue.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'django' "
        "or (m.startswith('osseo.') and not m.startswith('osseo.fatigue'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
