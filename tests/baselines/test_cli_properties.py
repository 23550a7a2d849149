"""Property-based tests of the command's argument parser: any option values give a valid configuration or a
usage error (exit status 2) naming an option given; never a traceback. Parse only: nothing is trained."""

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skscat.baselines import DATASETS
from skscat.baselines.__main__ import parse_args
from skscat.baselines._options import CONSTRAINTS
from skscat.utils._sklearn import validate_parameter_constraints

#: Integer options: flag -> (dest, constraint name).
INT_OPTIONS = {
    "-J": ("J", "J"),
    "-L": ("L", "L"),
    "--n-train": ("n_train", "n_train"),
    "--train-per-class": ("train_per_class", "train_per_class"),
    "--image-size": ("image_size", "image_size"),
    "--batch-size": ("batch_size", "batch_size"),
    "--n-splits": ("n_splits", "n_splits"),
    "--n-atoms": ("n_atoms", "n_atoms_per_class"),
    "--n-rounds": ("n_rounds", "n_rounds"),
    "--chunk-size": ("chunk_size", "chunk_size"),
    "--n-classes": ("n_classes", "n_classes"),
    "--max-per-class": ("max_per_class", "max_per_class"),
    "--max-train-per-class": ("max_train_per_class", "max_train_per_class"),
    "--max-test-per-class": ("max_test_per_class", "max_test_per_class"),
}
TEXT_OPTIONS = ["--device", "--convention", "--protocol", "--output", "--cache-dir", "--data-dir"]
LIST_OPTIONS = ["--seeds", "--dataset", "--method", "--representation"]
SWITCHES = ["--no-cache", "--quiet", "--plan-only"]
SPECIAL_INTS = [0, -1, 1, 2, 3, 5, 12, 13, 30, 64, 65, 4096, 4097, 2**32 - 1, 2**32, 10**30, -(10**30)]
WORDS = ["cpu", "auto", "cuda", "cuda:7", "meta", "fast", "cvpr2015", "kymatio", "scatnet", "all", "digits",
         "cifar10", "caltech101", "stl10", "translation", "roto-translation", "pixels-svm", "scat-svm", "nope"]


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "empty").mkdir()
    (root / "a-file").write_text("x")
    data = root / "data"
    (data / "cifar-10-batches-py").mkdir(parents=True)
    for index in range(3):
        folder = data / "101_ObjectCategories" / f"class{index}"
        folder.mkdir(parents=True)
        for i in range(12):
            (folder / f"image_{i:04d}.jpg").write_bytes(b"")
    return [str(root / "empty"), str(root / "a-file"), str(root / "a-file" / "below"), str(root / "missing"),
            str(data), ""]


def _values(paths):
    numbers = st.integers(-(10**40), 10**40) | st.sampled_from(SPECIAL_INTS)
    plausible = st.integers(1, 40).map(str)  # weighted up, so that many examples parse
    return st.one_of(
        plausible,
        plausible,
        plausible,
        numbers.map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(WORDS + paths),
        st.text(max_size=12),
    )


@st.composite
def argvs(draw, paths):
    values = _values(paths)
    argv = []
    for flag in draw(st.lists(st.sampled_from([*INT_OPTIONS, *TEXT_OPTIONS, *LIST_OPTIONS, *SWITCHES]),
                              max_size=4, unique=True)):
        argv.append(flag)
        if flag in LIST_OPTIONS:
            argv += draw(st.lists(values, min_size=1, max_size=3))
        elif flag not in SWITCHES:
            argv.append(draw(values))
    return argv


def _names(argv):
    """What a message may name for each option given: the flag or its parameter name."""
    names = set()
    for item in argv:
        if item.startswith("-") and item.lstrip("-") and item.lstrip("-")[0].isalpha():
            names |= {item, item.lstrip("-").replace("-", "_"), INT_OPTIONS.get(item, ("", ""))[1] or item}
    return names | {"--protocol cvpr2015", "--method", "--dataset", "-J"}


def _assert_valid(args):
    for dest, name in INT_OPTIONS.values():
        if getattr(args, dest) is not None:  # None: the default, resolved after parsing
            validate_parameter_constraints({name: CONSTRAINTS[name]}, {name: getattr(args, dest)}, caller_name="t")
    assert args.seeds and len(set(args.seeds)) == len(args.seeds)
    for seed in args.seeds:
        validate_parameter_constraints({"seed": CONSTRAINTS["seed"]}, {"seed": seed}, caller_name="test")
    assert set(args.dataset or []) <= set(DATASETS) and args.protocol in ("fast", "cvpr2015")
    for folder in (args.output, args.cache_dir):
        assert folder and not Path(folder).is_file()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_options_parse_or_fail_with_a_usage_error(paths, data):
    argv = data.draw(argvs(paths))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = parse_args(argv)
        except SystemExit as exit_:
            assert exit_.code == 2, (argv, err.getvalue())
            message = err.getvalue()
            assert "skscat-baselines: error:" in message and "Traceback" not in message
            assert any(name in message for name in _names(argv)), (argv, message)
            event("usage error")
            return
    event("parsed")
    _assert_valid(args)


def _digits_config_is_valid(J, L, n_train, batch_size, seeds):
    return (
        (J is None or 1 <= J <= 3)  # 2**J <= 8, the side of the digits
        and 1 <= L <= 64
        and (n_train is None or (n_train >= 10 and n_train % 10 == 0))
        and (batch_size is None or batch_size >= 1)
        and len(set(seeds)) == len(seeds)
        and all(0 <= seed < 2**32 for seed in seeds)
    )


maybe_int = st.none() | st.integers(-3, 70) | st.sampled_from(SPECIAL_INTS)


@settings(max_examples=300, deadline=None)
@given(J=maybe_int, L=st.integers(-3, 70) | st.sampled_from(SPECIAL_INTS), n_train=maybe_int, batch_size=maybe_int,
       seeds=st.lists(st.integers(-2, 5) | st.sampled_from(SPECIAL_INTS), min_size=1, max_size=3))
def test_the_parser_accepts_exactly_the_valid_digits_runs(J, L, n_train, batch_size, seeds):
    argv = ["-L", str(L), "--seeds", *map(str, seeds), "--method", "pixels-svm"]
    for flag, value in (("-J", J), ("--n-train", n_train), ("--batch-size", batch_size)):
        argv += [] if value is None else [flag, str(value)]
    valid = _digits_config_is_valid(J, L, n_train, batch_size, seeds)
    event("valid" if valid else "invalid")
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            args = parse_args(argv)
        except SystemExit as exit_:
            assert exit_.code == 2 and not valid, argv
            return
    assert valid, argv
    assert (args.J, args.L, args.n_train, args.batch_size, args.seeds) == (J, L, n_train, batch_size, seeds)
