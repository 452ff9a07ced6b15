"""The survival engine is pure numerics: numpy and the standard library, nothing else."""

import ast
import subprocess
import sys
from pathlib import Path

import osseo.survival

ENGINE = Path(osseo.survival.__file__).parent


def imported_modules(source: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_engine_imports_only_numpy_the_standard_library_and_itself():
    for source in ENGINE.glob("*.py"):
        for module in imported_modules(source):
            top = module.split(".")[0]
            allowed = top in sys.stdlib_module_names or top == "numpy"
            assert allowed or module.startswith("osseo.survival"), f"{source.name}: {module}"


def test_importing_the_engine_loads_neither_django_nor_scipy_nor_pandas():
    probe = (
        "import sys, osseo.survival; print(sorted({'django','scipy','pandas'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "[]"
