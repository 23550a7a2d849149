"""Every bad option of skscat-baselines is a usage error (exit status 2) naming it, before any work (issue 16)."""

import json

import pytest

from skscat.baselines import check_request, load_split, plan_paper_runs, run_baselines
from skscat.baselines.__main__ import main, parse_args
from skscat.baselines._records import RecordError


def _usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args(argv)
    assert exit_.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        # Zeros used to become the defaults silently (``x or default``).
        (["-J", "0"], "argument -J: must be an int in the range [1, 12]; got '0'"),
        (["--n-train", "0"], "argument --n-train: must be an int in the range [1, inf); got '0'"),
        (["--train-per-class", "0"], "argument --train-per-class: must be an int"),
        (["--image-size", "0"], "argument --image-size: must be an int in the range [1, 4096]; got '0'"),
        (["-L", "0"], "argument -L: must be an int in the range [1, 64]; got '0'"),
        (["-L", "100000"], "argument -L: must be an int in the range [1, 64]"),
        (["-J", "1000000"], "argument -J: must be an int in the range [1, 12]"),
        (["-J", "4"], "J=4 is too large for the 8 x 8 images of 'digits'"),
        (["--batch-size", "0"], "argument --batch-size: must be an int in the range [1, inf); got '0'"),
        (["--batch-size", "-5"], "argument --batch-size"),
        (["--n-train", "7"], "n_train=7 cannot be split evenly over the 10 classes of 'digits'"),
        (["--n-train", "15"], "Use a multiple of 10, e.g. n_train=10"),
        (["--seeds", "-1"], "argument --seeds: must be an int in the range [0, 4294967295]; got '-1'"),
        (["--seeds", "4294967296"], "argument --seeds"),
        (["--seeds", "1", "1"], "argument --seeds: [1, 1] names one twice"),
        (["--seeds", "x"], "argument --seeds: 'x' is not an integer"),
        (["-J", "2.5"], "argument -J: '2.5' is not an integer"),
        (["--device", "gpu7"], "argument --device: device='gpu7' is not a device"),
        (["--method", "all", "pixels-svm"], "argument --method: 'all' stands alone"),
        (["--method", "pixels-svm", "pixels-svm"], "argument --method: ['pixels-svm', 'pixels-svm'] names one twice"),
        (["--method", "nope"], "method='nope' is not a registered baseline"),
        (["--image-size", "64"], "argument --image-size: applies to caltech101 only"),
        (["--train-per-class", "10"], "argument --train-per-class: applies to caltech101 only"),
        (["--n-atoms", "3"], "argument --n-atoms: applies to --protocol cvpr2015 only"),
        (["--representation", "translation"], "argument --representation: applies to --protocol cvpr2015 only"),
        (["--plan-only"], "argument --plan-only: applies to --protocol cvpr2015 only"),
        (["--protocol", "cvpr2015", "--dataset", "cifar10", "--no-cache"], "--no-cache does not apply"),
        (["--protocol", "cvpr2015", "--n-classes", "1"], "argument --n-classes: must be an int in the range [2, inf)"),
        (["--protocol", "cvpr2015", "--chunk-size", "0"], "argument --chunk-size: must be an int"),
        (["--protocol", "cvpr2015", "--n-splits", "0"], "argument --n-splits: must be an int"),
        (["--protocol", "cvpr2015", "--n-rounds", "-2"], "argument --n-rounds: must be an int"),
    ],
)
def test_bad_values_are_usage_errors(argv, message, capsys):
    assert message in _usage_error(argv, capsys)


def test_output_and_cache_folders_that_are_files(tmp_path, capsys):
    file = tmp_path / "a-file"
    file.write_text("not a folder")
    for option in ("--output", "--cache-dir"):
        assert f"argument {option}: '{file}' is a file, not a folder" in _usage_error([option, str(file)], capsys)
        below = file / "sub"
        assert f"argument {option}: '{below}' lies under the file '{file}'" in _usage_error(
            [option, str(below)], capsys
        )
    assert "argument --data-dir: " in _usage_error(["--data-dir", str(file)], capsys)
    assert "argument --data-dir: " in _usage_error(["--data-dir", str(tmp_path / "missing")], capsys)
    assert file.read_text() == "not a folder"


def test_scale_too_large_for_the_data_set(tmp_path, capsys):
    (tmp_path / "cifar-10-batches-py").mkdir()  # found by name: nothing is read before the check
    err = _usage_error(["--dataset", "cifar10", "--data-dir", str(tmp_path), "-J", "6"], capsys)
    assert "J=6 is too large for the 32 x 32 images of 'cifar10'" in err and "Use J <= 5" in err
    assert parse_args(["--dataset", "cifar10", "--data-dir", str(tmp_path), "-J", "5"]).J == 5


def _caltech_folder(root, counts):
    for index, count in enumerate(counts):
        folder = root / "101_ObjectCategories" / f"class{index}"
        folder.mkdir(parents=True)
        for i in range(count):
            (folder / f"image_{i + 1:04d}.jpg").write_bytes(b"")  # listed, never decoded by the checks


def test_caltech_sizes_are_checked_from_the_listing(tmp_path, capsys):
    _caltech_folder(tmp_path, [5, 8, 6])
    base = ["--dataset", "caltech101", "--data-dir", str(tmp_path)]
    err = _usage_error([*base, "--train-per-class", "5"], capsys)
    assert "train_per_class=5 leaves no test image in the smallest Caltech-101 class here (5 images)" in err
    assert "train_per_class=30" in _usage_error(base, capsys)  # the default, 30, is checked too
    assert "over the 3 classes of 'caltech101'" in _usage_error([*base, "--train-per-class", "4", "--n-train", "4"],
                                                                 capsys)
    assert "image_size (--image-size)" in _usage_error([*base, "--train-per-class", "4", "--image-size", "3"],
                                                       capsys)
    args = parse_args([*base, "--train-per-class", "4", "--n-train", "6", "--image-size", "16", "-J", "4"])
    assert (args.train_per_class, args.n_train, args.image_size, args.J) == (4, 6, 16, 4)


def test_zero_is_refused_by_the_functions_too(tmp_path):
    for bad in ({"J": 0}, {"n_train": 0}, {"train_per_class": 0}, {"image_size": 0}, {"L": 0}, {"batch_size": 0}):
        name = next(iter(bad))
        with pytest.raises(ValueError, match=f"'{name}' parameter of run_baselines"):
            run_baselines(methods=["pixels-svm"], output_dir=tmp_path, cache_dir=None, **bad)
    with pytest.raises(ValueError, match="'n_train' parameter of load_split"):
        load_split("digits", n_train=0)
    with pytest.raises(ValueError, match="'seed' parameter of run_baselines"):
        run_baselines(methods=["pixels-svm"], seeds=[-1], output_dir=tmp_path, cache_dir=None)
    with pytest.raises(ValueError, match=r"seeds=\[0, 0\] must be one or more distinct seeds"):
        run_baselines(methods=["pixels-svm"], seeds=[0, 0], output_dir=tmp_path, cache_dir=None)
    with pytest.raises(ValueError, match="n_train=7 cannot be split evenly"):
        check_request(["digits"], ["pixels-svm"], None, "cpu", n_train=7)
    with pytest.raises(ValueError, match="'n_splits' parameter of plan_paper_runs"):
        plan_paper_runs(["cifar10"], ["translation"], tmp_path, n_splits=0)
    assert not any(tmp_path.iterdir())


def test_output_dir_that_is_a_file_is_refused_before_any_run(tmp_path):
    file = tmp_path / "results"
    file.write_text("")
    with pytest.raises(ValueError, match="output_dir=.* is a file, not a folder"):
        run_baselines(methods=["pixels-svm"], output_dir=file, cache_dir=None, log=print)
    with pytest.raises(ValueError, match="cache_dir=.* lies under the file"):
        run_baselines(methods=["pixels-svm"], output_dir=tmp_path / "o", cache_dir=file / "c")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "JSONDecodeError"),
        ('["a", "list"]', "it holds no {'spec': ..., 'result': {...}} run record"),
        ('{"spec": {}, "result": {"dataset": "digits"}}', "its result has no ['method', 'accuracy'"),
        (b"\xff\xfe\x00binary", "UnicodeDecodeError"),
    ],
)
def test_damaged_run_record_is_a_usage_error_naming_it(tmp_path, capsys, content, message):
    argv = ["--method", "pixels-svm", "--output", str(tmp_path), "--no-cache", "--quiet"]
    assert main(argv) == 0
    (record,) = (tmp_path / "runs").glob("*.json")
    finished = record.read_bytes()
    record.write_bytes(content if isinstance(content, bytes) else content.encode())
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"The stored record '{record}' cannot be read" in err and message in err
    assert "delete it to redo that work" in err
    with pytest.raises(RecordError, match="delete it to redo that work"):
        run_baselines(methods=["pixels-svm"], output_dir=tmp_path, cache_dir=None, verbose=False)
    record.write_bytes(finished)
    assert main(argv) == 0 and "[skip]" in capsys.readouterr().out


def test_damaged_cvpr2015_record_is_refused_before_any_work(tmp_path):
    from skscat.baselines import run_paper_plans

    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "cvpr2015-cifar10-translation-0123456789ab.json").write_text(json.dumps({"spec": {}, "result": {}}))
    with pytest.raises(RecordError, match="cvpr2015-cifar10-translation-0123456789ab.json"):
        run_paper_plans([], output_dir=tmp_path, device="cpu", log=print)


def test_baselines_and_feature_stores_refuse_bad_arguments(tmp_path):
    from skscat.baselines import Baseline
    from skscat.baselines._features import ChunkedFeatures

    for name in ("", "--method", "two words", 7):
        with pytest.raises(ValueError, match="is not a command-line name"):
            Baseline(name, print)
    with pytest.raises(TypeError, match="build=5 is not callable"):
        Baseline("my-svm", 5)
    with pytest.raises(TypeError, match="requires='no' is not callable"):
        Baseline("my-svm", print, requires="no")
    with pytest.raises(ValueError, match="chunk_size=0"):
        ChunkedFeatures(tmp_path, 10, 4, 0)  # used to divide by zero in n_chunks


def test_sequences_are_any_array_like_but_not_a_string(tmp_path):
    rows = run_baselines(methods=("pixels-svm",), seeds=range(1), output_dir=tmp_path, cache_dir=None,
                         verbose=False, log=print)
    assert [row["seed"] for row in rows] == [0]
    for name in ("datasets", "methods"):
        with pytest.raises(ValueError, match=f"'{name}' parameter of run_baselines"):
            run_baselines(**{name: "digits"}, output_dir=tmp_path, cache_dir=None)
