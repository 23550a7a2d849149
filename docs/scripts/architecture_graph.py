"""Draw skscat's architecture from its imports: the subpackage graph, as Mermaid, into docs/architecture.md.

Every ``import`` and ``from ... import`` of every module under ``skscat/`` (also the ones inside functions: they
are dependencies too) is read with :mod:`ast`; an edge ``a -> b`` means some module of subpackage ``a`` imports
from subpackage ``b``. ``LAYERS`` declares the order, lowest first; tests/test_architecture.py asserts that every
edge points to a strictly lower layer (so the graph is acyclic) and that the page shows the current graph.

Usage: ``python docs/scripts/architecture_graph.py`` rewrites the diagram between the markers of the page;
``--check`` only says whether it is up to date (exit status 1 if not).
"""

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "skscat"
PAGE = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- architecture-graph: begin (docs/scripts/architecture_graph.py) -->", "<!-- architecture-graph: end -->"

# Lowest first. A subpackage may import only from layers below its own.
LAYERS = (
    ("utils",),
    ("scattering", "svm", "datasets"),
    ("feature_selection", "networks", "analysis"),
    ("baselines", "parallel", "estimators"),
)
LAYER_NAMES = ("shared mechanisms", "building blocks + their estimators", "estimators built on them", "applications")


def _module_parts(path, package):
    """``skscat/a/_b.py`` -> ``["skscat", "a", "_b"]`` (an ``__init__.py`` names its package)."""
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported_modules(path, package):
    """Dotted names (as lists) of everything ``path`` imports, relative imports resolved."""
    parts = _module_parts(path, package)
    here = parts if path.name == "__init__.py" else parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".") for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            yield base + (node.module.split(".") if node.module else [])


def import_graph(package=PACKAGE):
    """``{subpackage: {imported subpackage: [importing files]}}`` between skscat's subpackages.

    Parameters
    ----------
    package : pathlib.Path, default=PACKAGE
        The package folder.

    Returns
    -------
    dict
        Every subpackage is a key, also one that imports no other.
    """
    graph = {sub.name: {} for sub in sorted(package.iterdir()) if (sub / "__init__.py").is_file()}
    for path in sorted(package.rglob("*.py")):
        parts = _module_parts(path, package)
        if len(parts) < 2:
            continue  # skscat/__init__.py: a lazy map of names, above every layer
        source = parts[1]
        for target in _imported_modules(path, package):
            if len(target) > 1 and target[0] == package.name and target[1] != source:
                files = graph[source].setdefault(target[1], [])
                name = str(path.relative_to(package.parent))
                if name not in files:
                    files.append(name)
    return graph


def layer_of(subpackage):
    """Index of ``subpackage``'s layer in ``LAYERS`` (``None`` if undeclared)."""
    return next((i for i, layer in enumerate(LAYERS) if subpackage in layer), None)


def violations(graph):
    """Edges that do not point strictly downward, or involve an undeclared subpackage, as sentences."""
    problems = [f"skscat.{sub} is in no layer of LAYERS" for sub in graph if layer_of(sub) is None]
    for source, targets in graph.items():
        for target, files in targets.items():
            low, high = layer_of(target), layer_of(source)
            if low is not None and high is not None and low >= high:
                problems.append(f"skscat.{source} (layer {high}) imports skscat.{target} (layer {low}) in "
                                f"{', '.join(files)}: imports must point to a lower layer")
    return problems


def mermaid(graph):
    """The graph as a Mermaid flowchart, top layer first, one box per subpackage, arrows downward."""
    lines = ["```mermaid", "flowchart TD"]
    for index in reversed(range(len(LAYERS))):
        lines.append(f'    subgraph L{index}["layer {index}: {LAYER_NAMES[index]}"]')
        lines += [f"        {sub}[{sub}]" for sub in LAYERS[index] if sub in graph]
        lines.append("    end")
    for source in sorted(graph, key=lambda s: (-(layer_of(s) or 0), s)):
        lines += [f"    {source} --> {target}" for target in sorted(graph[source])]
    lines.append("```")
    return "\n".join(lines)


def render(page_text, graph):
    """``page_text`` with the diagram between the markers replaced by the current one."""
    head, sep, rest = page_text.partition(BEGIN)
    _, sep_end, tail = rest.partition(END)
    if not (sep and sep_end):
        raise ValueError(f"{PAGE} lacks the markers {BEGIN!r} and {END!r} around the diagram.")
    return f"{head}{BEGIN}\n{mermaid(graph)}\n{END}{tail}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the page's diagram is out of date")
    args = parser.parse_args(argv)
    graph = import_graph()
    for problem in violations(graph):
        print(f"layering: {problem}", file=sys.stderr)
    text = PAGE.read_text(encoding="utf-8")
    updated = render(text, graph)
    if args.check:
        return int(updated != text)
    if updated != text:
        PAGE.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
