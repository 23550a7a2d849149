"""Property-based tests (hypothesis) of the scattering modules and transformers.

Over image shapes, dtypes, scales (1e-30 .. 1e30, and 1e-300 .. 1e300 in float64) and parameter
values, every call gives a correct result - finite, and ``S(a x) = a S(x)`` (the scattering is
positively homogeneous) - or a ``ValueError`` / ``TypeError`` that names the parameter. Bounded:
small images, 40 examples per property, derandomized so that CI sees the same cases every run.
"""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skscat.scattering import (
    RotoTranslationScattering,
    RotoTranslationScattering2D,
    Scattering2D,
    ScatteringTransformer,
)

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
DTYPES = {"float32": (torch.float32, 30), "float64": (torch.float64, 300)}


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread):
    """Tiny transforms: one torch thread (see tests/conftest.py)."""


def _image(draw, batch, height, width, dtype):
    seed = draw(st.integers(0, 2**16))
    return torch.rand(*batch, height, width, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _scale(draw, max_exponent):
    return 10.0 ** draw(st.integers(-max_exponent, max_exponent))


def _assert_homogeneous(S, S_scaled, scale):
    event("computed")
    assert torch.isfinite(S).all() and torch.isfinite(S_scaled).all()
    atol = 1e-5 * float(S.abs().max()) + 1e-30
    torch.testing.assert_close(S_scaled / scale, S, rtol=1e-4, atol=atol)


def _assert_names_a_parameter(error, names):
    event(f"refused: {type(error).__name__}")
    message = str(error)
    assert any(f"{name}=" in message or f"'{name}'" in message for name in names), message


@SETTINGS
@given(st.data())
def test_scattering2d_is_homogeneous_or_refuses_clearly(data):
    draw = data.draw
    dtype, max_exponent = DTYPES[draw(st.sampled_from(sorted(DTYPES)))]
    side = st.sampled_from([*range(4, 21), 0, -8])
    kwargs = {"J": draw(st.sampled_from([1, 1, 2, 2, 0, 10**6])), "shape": (draw(side), draw(side)),
              "L": draw(st.sampled_from([1, 2, 3, 4, 6, 0])), "max_order": draw(st.sampled_from([1, 2, 2, 0])),
              "convention": draw(st.sampled_from(["kymatio", "scatnet"]))}
    batch = draw(st.sampled_from([(), (0,), (2,), (2, 1)]))
    try:
        module = Scattering2D(**kwargs)
    except (ValueError, TypeError) as error:
        _assert_names_a_parameter(error, ["J", "shape", "L", "max_order"])
        return
    x = _image(draw, batch, *kwargs["shape"], dtype)
    scale = _scale(draw, max_exponent)
    S = module(x)
    assert S.shape[: len(batch)] == batch
    if x.numel():
        _assert_homogeneous(S, module(x * scale), scale)


@SETTINGS
@given(st.data())
def test_roto_translation_module_is_homogeneous_or_refuses_clearly(data):
    draw = data.draw
    dtype, max_exponent = DTYPES[draw(st.sampled_from(sorted(DTYPES)))]
    size = draw(st.integers(8, 12))
    kwargs = {"J": draw(st.sampled_from([1, 2, 2, 3, 0])), "shape": (size, size),
              "L": draw(st.sampled_from([2, 3, 4, 4, 4, 1])),
              "n_angular_scales": draw(st.sampled_from([1, 2, 2, 2, 3, 0])),
              "angular_oversampling": draw(st.sampled_from([0, 1, 1, 1, 2, -1]))}
    try:
        module = RotoTranslationScattering2D(**kwargs)
    except (ValueError, TypeError) as error:
        _assert_names_a_parameter(error, list(kwargs))
        return
    x = _image(draw, (2,), size, size, dtype)
    scale = _scale(draw, max_exponent)
    _assert_homogeneous(module(x), module(x * scale), scale)


def _transformer(draw):
    common = {"J": draw(st.sampled_from([1, 1, 2, 3, 0])), "L": draw(st.sampled_from([2, 3, 4, 4, 1])),
              "pooling": draw(st.sampled_from([None, "mean"])), "batch_size": draw(st.sampled_from([1, 2, 64, 0])),
              "device": "cpu"}
    if draw(st.booleans()):
        return ScatteringTransformer(max_order=draw(st.sampled_from([1, 2])), **common)
    return RotoTranslationScattering(colorspace=draw(st.sampled_from(["yuv", "rgb", "gray"])), **common)


@SETTINGS
@given(st.data())
def test_transformers_are_homogeneous_finite_and_silent_or_refuse_clearly(data):
    draw = data.draw
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    max_exponent = 30 if dtype == np.float32 else 300
    channels, size = draw(st.sampled_from([1, 3, 3])), draw(st.integers(4, 12))
    transformer = _transformer(draw)
    X = np.random.default_rng(draw(st.integers(0, 2**16))).random((3, channels, size, size)).astype(dtype)
    scale = _scale(draw, max_exponent)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a non-finite output would warn: fail on it
        try:
            transformer.fit(X)
        except (ValueError, TypeError) as error:
            _assert_names_a_parameter(error, ["J", "L", "batch_size", "colorspace", "max_order"])
            return
        out, out_scaled = transformer.transform(X), transformer.transform(X * dtype(scale))
    assert out.dtype == dtype and out.shape[1] == len(transformer.get_feature_names_out())
    assert out.shape[1] % transformer.n_output_channels_ == 0
    _assert_homogeneous(torch.from_numpy(out), torch.from_numpy(out_scaled), scale)
