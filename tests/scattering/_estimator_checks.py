"""The estimator checks every scattering transformer is expected to fail, with the reason (shared by the test modules)."""

# scikit-learn's generic checks feed rows of 1 to 10 features. A scattering
# transform needs images of at least 2**J x 2**J pixels, and flat rows reveal an
# image shape only when their length is a square (1 channel) or three times a
# square (3 channels), so these checks stop at the transformer's error. The
# same properties are checked on real images in test_image_estimator_checks.py.
_NO_SHAPE = "rows of 2, 5 or 10 features have no image shape; fit raises asking for `shape`"
_TOO_SMALL = "rows of 1 or 3 features are 1x1-pixel images, smaller than 2**J; fit raises naming J"
EXPECTED_FAILED_CHECKS = {
    "check_estimators_overwrite_params": _NO_SHAPE,
    "check_estimators_fit_returns_self": _NO_SHAPE,
    "check_readonly_memmap_input": _NO_SHAPE,
    "check_estimators_dtypes": _NO_SHAPE,
    "check_dtype_object": _NO_SHAPE,
    "check_fit_idempotent": _NO_SHAPE,
    "check_fit_check_is_fitted": _NO_SHAPE,
    "check_n_features_in": _NO_SHAPE,
    "check_fit2d_1sample": _NO_SHAPE,
    "check_fit_score_takes_y": _TOO_SMALL,
    "check_dont_overwrite_parameters": _TOO_SMALL,
    "check_pipeline_consistency": _TOO_SMALL,
    "check_estimators_nan_inf": _TOO_SMALL,
    "check_estimators_pickle": _TOO_SMALL,
    "check_f_contiguous_array_estimator": _TOO_SMALL,
    "check_transformer_data_not_an_array": _TOO_SMALL,
    "check_transformer_general": _TOO_SMALL,
    "check_transformer_preserve_dtypes": _TOO_SMALL,
    "check_methods_sample_order_invariance": _TOO_SMALL,
    "check_methods_subset_invariance": _TOO_SMALL,
    "check_fit2d_1feature": _TOO_SMALL,
    "check_dict_unchanged": _TOO_SMALL,
    "check_fit2d_predict1d": _TOO_SMALL,
}
