"""Measure progressive separation and contraction across depth (Oyallon, CVPR 2017).

Probes collect what a network computes at each depth; per-depth classifiers,
local support vectors and contraction statistics measure how separated the
classes are there; the weight analysis looks at the Shared Local Encoder's
first layer in the Fourier basis of the scattering angles.
"""

from ._depth import depth_accuracy_table, one_nn_accuracy, svm_accuracy
from ._lsv import LocalSupportVectors, local_support_vectors
from ._neighbors import nearest_neighbors
from ._plots import (
    plot_accuracy_by_depth,
    plot_distance_histograms,
    plot_lsv_curves,
    plot_pca_spectra,
)
from ._probes import (
    layer_names,
    layer_representations,
    scattering_order_representations,
    standardize_representations,
)
from ._report import analysis_report
from ._statistics import (
    class_pca_spectra,
    intra_class_distances,
    neighbor_distance_histograms,
)
from ._weights import (
    WeightFourier,
    fourier_sparsity,
    fourier_threshold_accuracy,
    threshold_fourier,
    weight_fourier,
)

__all__ = [
    "LocalSupportVectors",
    "WeightFourier",
    "analysis_report",
    "class_pca_spectra",
    "depth_accuracy_table",
    "fourier_sparsity",
    "fourier_threshold_accuracy",
    "intra_class_distances",
    "layer_names",
    "layer_representations",
    "local_support_vectors",
    "nearest_neighbors",
    "neighbor_distance_histograms",
    "one_nn_accuracy",
    "plot_accuracy_by_depth",
    "plot_distance_histograms",
    "plot_lsv_curves",
    "plot_pca_spectra",
    "scattering_order_representations",
    "standardize_representations",
    "svm_accuracy",
    "threshold_fourier",
    "weight_fourier",
]
