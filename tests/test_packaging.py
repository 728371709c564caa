"""environment.yml (conda) and pyproject.toml (pip) install the same packages."""

import re
from pathlib import Path

try:
    import tomllib  # Python 3.11+
except ModuleNotFoundError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONDA_ONLY = {"python", "pip", "graphviz"}  # graphviz: the `dot` program, not on PyPI


def name(requirement: str) -> str:
    """The normalized package name of 'numpy>=1.24,<2.6' (PEP 503: lower case, '-')."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def environment_lists(text: str) -> tuple[list[str], list[str]]:
    """The conda and the pip requirements under `dependencies:` of an environment.yml.

    A small reader for the one shape environment files have (a list of strings, one
    `- pip:` entry holding a nested list), so that no YAML library is needed.
    """
    conda, pip, current = [], [], None
    for line in text.splitlines():
        line = re.sub(r"\s+#.*", "", line).rstrip()  # drop comments
        if not line or line.lstrip().startswith("#"):
            continue
        indent, item = len(line) - len(line.lstrip()), line.strip()
        if indent == 0:
            current = conda if item == "dependencies:" else None
        elif current is not None and item == "- pip:":
            current, pip_indent = pip, indent
        elif current is pip and indent <= pip_indent:
            current = conda
        if current is not None and item.startswith("- ") and item != "- pip:":
            current.append(item[2:].strip().strip("'\""))
    return conda, pip


def test_environment_yml_names_the_packages_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime_and_dev = project["dependencies"] + project["optional-dependencies"]["dev"]
    extras = [r for extra in project["optional-dependencies"].values() for r in extra]
    conda, pip = environment_lists((ROOT / "environment.yml").read_text())

    in_conda = {name(r) for r in conda} - CONDA_ONLY
    in_pyproject = {name(r) for r in runtime_and_dev}
    assert in_conda == in_pyproject, (
        f"only in pyproject.toml: {sorted(in_pyproject - in_conda)}, "
        f"only in environment.yml: {sorted(in_conda - in_pyproject)}"
    )
    pip_names = {name(r) for r in pip if not r.startswith("-e")}
    assert pip_names <= {name(r) for r in extras}, "pip-only packages must be in an extra"
    assert "-e ." in pip


def test_environment_reader():
    text = "name: x\n# c\ndependencies:\n  - Foo_Bar>=1  # note\n  - pip\n  - pip:\n" \
           "      - torch==2\n      - -e .\n  - baz\nother:\n  - not-a-package\n"
    assert environment_lists(text) == (["Foo_Bar>=1", "pip", "baz"], ["torch==2", "-e ."])
    assert name("Foo_Bar>=1") == "foo-bar"
