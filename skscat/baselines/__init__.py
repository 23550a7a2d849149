"""Named, extensible baselines and the ``skscat-baselines`` command.

Built in: ``scat-svm`` (translation scattering + log + standardisation +
Gaussian SVM), ``rotoscat-svm`` (the same with roto-translation scattering:
the protocol of Oyallon & Mallat, CVPR 2015) and ``pixels-svm`` (the same SVM
on standardised pixels). Other subpackages add theirs with
:func:`register_baseline`; see docs/baselines.md.

``--protocol cvpr2015`` (:func:`run_cvpr2015`) runs the paper's whole pipeline:
ScatNetLight's Y'UV planes, scattering cached in resumable chunks, OLS feature
selection, the one-vs-all SVM, on CIFAR-10/100 and Caltech-101.

Run ``python -m skscat.baselines --help``. Building blocks usable on their own:
:class:`~skscat.svm.MeanNormGaussianSVC` (the paper's one-vs-all Gaussian SVM),
:class:`CachedTransformer` (features cached on disk with joblib.Memory),
:func:`log_features`, :func:`run_baselines`.
"""

from . import _builtin, _hybrid  # noqa: F401  (register the built-in and hybrid-network baselines)
from ._builtin import flatten_images, scattering_svm_pipeline
from ._cache import CachedTransformer, log_features
from ._cvpr2015 import PAPER_COLUMNS, plan_paper_runs, run_cvpr2015, run_paper_plans
from ._data import DATASETS, Split, find_datasets, load_split
from ._registry import (
    PLUGIN_MODULES,
    Baseline,
    BaselineConfig,
    get_baseline,
    list_baselines,
    register_baseline,
)
from ._runner import (
    COLUMNS,
    RunSpec,
    check_request,
    format_markdown,
    run_baselines,
    summarize,
)
from ._svm import MeanNormGaussianSVC, gaussian_kernel

__all__ = [
    "COLUMNS",
    "DATASETS",
    "PAPER_COLUMNS",
    "PLUGIN_MODULES",
    "Baseline",
    "BaselineConfig",
    "CachedTransformer",
    "MeanNormGaussianSVC",
    "RunSpec",
    "Split",
    "check_request",
    "find_datasets",
    "flatten_images",
    "format_markdown",
    "gaussian_kernel",
    "get_baseline",
    "list_baselines",
    "load_split",
    "log_features",
    "plan_paper_runs",
    "register_baseline",
    "run_baselines",
    "run_cvpr2015",
    "run_paper_plans",
    "scattering_svm_pipeline",
    "summarize",
]
