"""The import graph between skscat's subpackages points only downward, and docs/architecture.md shows it."""

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "scripts" / "architecture_graph.py"


@pytest.fixture(scope="module")
def architecture():
    return SimpleNamespace(**runpy.run_path(str(SCRIPT)))  # the script's functions, without running main()


def test_every_subpackage_is_in_exactly_one_layer(architecture):
    declared = [sub for layer in architecture.LAYERS for sub in layer]
    assert len(declared) == len(set(declared))
    assert sorted(declared) == sorted(architecture.import_graph())


def test_imports_point_only_to_lower_layers(architecture):
    assert architecture.violations(architecture.import_graph()) == []


def test_import_graph_is_acyclic(architecture):
    graph = {source: set(targets) for source, targets in architecture.import_graph().items()}
    done, active = set(), []

    def visit(node):
        assert node not in active, f"import cycle: {' -> '.join([*active[active.index(node):], node])}"
        if node not in done:
            active.append(node)
            for target in graph.get(node, ()):
                visit(target)
            active.pop()
            done.add(node)

    for node in graph:
        visit(node)


def test_the_graph_sees_relative_absolute_and_function_level_imports(architecture, tmp_path):
    package = tmp_path / "skscat"
    for sub in ("low", "mid", "top"):
        (package / sub).mkdir(parents=True)
        (package / sub / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "mid" / "_a.py").write_text("from ..low import x\n")
    (package / "top" / "_b.py").write_text("import skscat.mid._a\n\ndef f():\n    from skscat.low import y\n")
    (package / "low" / "_c.py").write_text("from . import _d\nfrom ..top import z  # upward\n")
    graph = architecture.import_graph(package)
    assert {source: sorted(targets) for source, targets in graph.items()} == {
        "low": ["top"], "mid": ["low"], "top": ["low", "mid"]}


def test_upward_and_sideways_imports_are_reported(architecture):
    graph = {"utils": {"svm": ["skscat/utils/_x.py"]}, "svm": {"scattering": ["skscat/svm/_y.py"]},
             "scattering": {}, "newcomer": {}}
    problems = architecture.violations(graph)
    assert any("skscat.utils (layer 0) imports skscat.svm (layer 1) in skscat/utils/_x.py" in p for p in problems)
    assert any("skscat.svm (layer 1) imports skscat.scattering (layer 1)" in p for p in problems)
    assert any("skscat.newcomer is in no layer" in p for p in problems)


def test_docs_architecture_shows_the_current_graph(architecture):
    page = architecture.PAGE.read_text(encoding="utf-8")
    assert architecture.render(page, architecture.import_graph()) == page, (
        "docs/architecture.md is out of date: run python docs/scripts/architecture_graph.py")
    for sub in architecture.import_graph():
        assert f"**`skscat.{sub}`**" in page, f"docs/architecture.md has no paragraph on skscat.{sub}"
