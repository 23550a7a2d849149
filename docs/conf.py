"""Sphinx configuration of the skscat documentation.

Build: ``pip install -e ".[docs]"`` then ``sphinx-build -W --keep-going -b html docs docs/_build/html``
(``.ci/run`` does exactly that). Warnings are errors: a broken ``:class:``/``:func:`` reference to
skscat, a gallery example that raises, or a docstring numpydoc rejects fails the build.
"""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout, even without an editable install

import skscat

# The gallery runs on the CPU in CI; one thread each keeps it polite on a shared machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

project = "skscat"
author = "skscat developers"
copyright = "skscat developers, BSD-3-Clause"
version = release = skscat.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "figures/*/**",  # run folders of the generated tables (figures/*.md are built, see below)
    "scripts/**",
    "screenshots/**",
    "gallery/**/*.ipynb",
    "gallery/**/*.py",
    "gallery/**/*.zip",
]

# -- references: every skscat reference must resolve ------------------------------------------
# No intersphinx (CI builds offline): references to third-party objects cannot be resolved and are
# ignored by name; any other unresolved reference (a renamed or missing skscat object) is an error.
nitpicky = True
_THIRD_PARTY = r"(numpy|np|scipy|sklearn|torch|pandas|joblib|matplotlib|PIL|kymatio|skops|dask|zarr|tqdm)"
nitpick_ignore_regex = [
    (r"py:.*", _THIRD_PARTY + r"(\..*)?"),
    (r"py:.*", r"(os|io|sys|pathlib|collections|typing|hashlib)(\..*)?"),
]

# -- autodoc / autosummary / numpydoc ---------------------------------------------------------
autosummary_generate = True
# The class template documents inherited members too, so fit / transform of skscat's private base
# classes appear; those scikit-learn or torch provide are skipped (see _skip_foreign_member).
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# The same checks as tests/test_public_api.py (see its docstring for the reasons of each exclusion).
numpydoc_validation_checks = {"all", "ES01", "SA01", "EX01", "GL01", "GL02", "RT02", "SA04"}
# The result dataclasses document their fields under Attributes, which numpydoc's PR01 does not read
# (tests/test_public_api.py checks each field is there); the constants carry no docstring of their own.
numpydoc_validation_exclude = {
    r"^skscat\.(analysis\.(LocalSupportVectors|WeightFourier)|baselines\.(Split|RunSpec|BaselineConfig))$",
}

# -- MyST: the user guide pages are Markdown ----------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 4
suppress_warnings = [
    "myst.header",  # some pages start at "##" below a "#" title used as the page name
    "misc.highlighting_failure",  # architecture.md's generated ```mermaid block shows as plain text
]

# -- sphinx-gallery ------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",
    "doc_module": ("skscat",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"skscat": None},
    "abort_on_example_error": False,  # all failures reported; -W turns them into a failed build
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "capture_repr": (),  # no "Out: Text(...)" under a cell that ends with a matplotlib call
}
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")

# -- HTML ----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skscat {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
}
html_show_sourcelink = False


def _skip_foreign_member(app, what, name, obj, skip, options):
    """Document skscat's own members only: not torch's nn.Module API nor scikit-learn's mixins."""
    if what not in ("class", "exception") or skip:
        return skip
    target = obj.fget if isinstance(obj, property) else obj
    module = getattr(target, "__module__", None) or ""
    if name == "extra_repr" or not module.startswith("skscat"):
        return True
    return None


def _orphan_generated_tables(app, docname, source):
    """``figures/*.md`` are tables the scripts regenerate, linked from the pages: no toctree entry."""
    if docname.startswith("figures/"):
        source[0] = "---\norphan: true\n---\n" + source[0]


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_member)
    app.connect("source-read", _orphan_generated_tables)
