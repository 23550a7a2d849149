"""``--protocol cvpr2015``: preprocessing, chunked feature cache, resume, plan, errors, tiny runs."""

import csv
import json
import os
import pickle
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from skscat.baselines import _cvpr2015, _plan
from skscat.baselines.__main__ import main
from skscat.baselines._features import ChunkedFeatures
from skscat.baselines._paper import (
    SETTINGS,
    PlaneGroup,
    paper_planes,
    representation,
    resolve_convention,
)
from skscat.datasets import imresize
from skscat.scattering import rgb_to_yuv

# A few Caltech classes at small sizes: Y 32x32 (J=3), U/V 8x8 (J=1), 3 atoms x 2 rounds.
TINY = {
    "image_size": 32,
    "J": 3,
    "n_atoms_per_class": 3,
    "n_rounds": 2,
    "train_per_class": 6,
    "n_splits": 2,
    "n_classes": 3,
    "max_per_class": 10,
    "chunk_size": 8,
    "device": "cpu",
}


def _quiet(*args):
    pass


class FirstColumns:
    """Stand-in with the OLS selector's interface (the plumbing tests do not depend on OLS)."""

    def __init__(self, *, n_atoms_per_class, n_rounds, device, verbose=False):
        self.n_atoms_per_class, self.n_rounds = n_atoms_per_class, n_rounds

    def fit(self, X, y):
        self.n_out_ = self.n_atoms_per_class * self.n_rounds * len(np.unique(y))
        return self

    def fit_transform(self, X, y):
        return self.fit(X, y).transform(X)

    def transform(self, X):
        return X[:, : self.n_out_]


def _use_selector(monkeypatch, cls):
    """Make ``cls`` the protocol's OLS selector."""
    monkeypatch.setattr(_plan, "OrthogonalLeastSquaresSelector", cls)


@pytest.fixture
def stand_in(monkeypatch):
    _use_selector(monkeypatch, FirstColumns)


def test_planes_follow_scatnetlight():
    """BT.709 Y'UV of 0..255 pixels, each group resized by imresize; greyscale: Y = image, U = V = 0."""
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(3, 30, 50), dtype=np.uint8)
    groups = SETTINGS["caltech101"].scaled(32, 3).groups
    y, uv = paper_planes([rgb, rgb[:1]], groups)
    assert y.shape == (2, 1, 32, 32) and uv.shape == (2, 2, 8, 8) and y.dtype == np.float32
    yuv = rgb_to_yuv(torch.from_numpy(rgb.astype(np.float64))).numpy()
    np.testing.assert_allclose(y[0, 0], imresize(yuv[0], 32), rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(uv[0], imresize(yuv[1:], 8), rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(y[1, 0], imresize(rgb[0].astype(float), 32), rtol=1e-6, atol=1e-4)
    assert not uv[1].any()


def test_scaled_settings_keep_the_paper_ratios():
    caltech = SETTINGS["caltech101"]
    assert [(g.size, g.J, g.order2_J) for g in caltech.scaled().groups] == [(256, 6, None), (64, 4, 6)]
    assert [(g.size, g.J, g.order2_J) for g in caltech.scaled(64, 4).groups] == [(64, 4, None), (16, 2, 4)]
    assert [(g.size, g.J) for g in SETTINGS["cifar10"].scaled(32, 2).groups] == [(32, 2)]
    assert (SETTINGS["cifar10"].n_atoms_per_class, SETTINGS["cifar100"].n_atoms_per_class) == (200, 20)
    assert (caltech.n_atoms_per_class, caltech.n_rounds) == (30, 5)
    with pytest.raises(ValueError, match="the Y planes 32 x 32 pixels with J=6"):
        caltech.scaled(32, 6)
    with pytest.raises(ValueError, match="the U/V planes 8 x 8 pixels with J=0"):
        caltech.scaled(32, 2)


def test_chunks_resume_after_failure_and_follow_umask(tmp_path):
    calls = []

    def compute(rows):
        calls.append(rows.start)
        if calls == [0, 4, 8]:
            raise RuntimeError("injected failure")
        return np.arange(rows.start, rows.stop, dtype=np.float32)[:, None] * np.ones(3, np.float32)

    previous = os.umask(0o027)
    try:
        store = ChunkedFeatures.open(tmp_path, "test", {"what": "rows"}, 20, 3, 4)
        with pytest.raises(RuntimeError, match="injected failure"):
            store.compute(compute)
        assert store.missing() == [2, 3, 4]
        assert store.compute(compute) == 3 and calls == [0, 4, 8, 8, 12, 16]
        mode = stat.S_IMODE(os.stat(store.folder / "chunk-00000.npy").st_mode)
    finally:
        os.umask(previous)
    assert mode == 0o640 and not list(store.folder.glob("*.tmp"))
    assert store.compute(compute) == 0 and store.rows([19, 0, 5])[:, 0].tolist() == [19, 0, 5]
    other = ChunkedFeatures.open(tmp_path, "test", {"what": "other rows"}, 20, 3, 4)
    assert other.folder != store.folder and other.missing() == [0, 1, 2, 3, 4]


@pytest.mark.data
def test_resume_reuses_chunks_and_records(tmp_path, data_dir, stand_in, monkeypatch):
    computed = []
    compute = _cvpr2015._compute_chunk

    def failing(plan, rows):
        computed.append((plan.kind, rows.start))
        if len(computed) == 3:
            raise RuntimeError("injected failure")
        return compute(plan, rows)

    monkeypatch.setattr(_cvpr2015, "_compute_chunk", failing)
    options = dict(TINY, datasets=["caltech101"], representations=["translation"], data_dir=data_dir)
    paths = {"output_dir": tmp_path / "out", "cache_dir": tmp_path / "cache"}
    with pytest.raises(RuntimeError, match="injected failure"):
        _cvpr2015.run_cvpr2015(**options, **paths, verbose=False, log=_quiet)
    assert len(computed) == 3  # 30 images in chunks of 8: two chunks stored, the third failed
    lines = []
    rows = _cvpr2015.run_cvpr2015(**options, **paths, verbose=False, log=lines.append)
    assert [start for _, start in computed[3:]] == [16, 24]  # only the missing chunks
    assert "(2 of 4 chunks to compute)" in "\n".join(lines)
    assert [(r["seed"], r["split"]) for r in rows] == [(0, 0), (0, 1)]
    (summary,) = _cvpr2015.summarize_paper(rows)
    mca = [r["mean_class_accuracy"] for r in rows]
    assert (
        summary["splits"] == 2
        and summary["mean_class_accuracy"] == f"{np.mean(mca):.2f} +- {np.std(mca):.2f}"
    )
    again = []
    assert _cvpr2015.run_cvpr2015(**options, **paths, verbose=False, log=again.append) == rows
    assert len(computed) == 5 and sum(line.startswith("[skip]") for line in again) == 2
    records = sorted((tmp_path / "out" / "runs").glob("cvpr2015-caltech101-translation-*.json"))
    assert len(records) == 2 and json.loads(records[0].read_text())["spec"]["n_atoms_per_class"] == 3


_KILLABLE = textwrap.dedent("""
    import sys, time
    import numpy as np
    from skscat.baselines import _cvpr2015, _plan
    from skscat.baselines.__main__ import main

    class FirstColumns:
        def __init__(self, *, n_atoms_per_class, n_rounds, device, verbose=False):
            self.n = n_atoms_per_class * n_rounds
        def fit(self, X, y):
            self.n_out_ = self.n * len(np.unique(y))
            return self
        def fit_transform(self, X, y):
            return self.fit(X, y).transform(X)
        def transform(self, X):
            return X[:, : self.n_out_]

    _plan.OrthogonalLeastSquaresSelector = FirstColumns
    compute = _cvpr2015._compute_chunk

    def slow(plan, rows):
        if rows.start >= 16:
            time.sleep(120)  # killed here, after two chunks are stored
        return compute(plan, rows)

    _cvpr2015._compute_chunk = slow
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.data
def test_killed_process_resumes_from_its_chunks(tmp_path, data_dir, stand_in, monkeypatch, capsys):
    script = tmp_path / "killable.py"
    script.write_text(_KILLABLE)
    argv = ["--protocol", "cvpr2015", "--dataset", "caltech101", "--data-dir", str(data_dir), "--quiet"]
    argv += ["--representation", "translation", "--image-size", "32", "-J", "3", "--n-atoms", "3"]
    argv += ["--n-rounds", "2", "--train-per-class", "6", "--n-splits", "1", "--n-classes", "3"]
    argv += ["--max-per-class", "10", "--chunk-size", "8", "--device", "cpu"]
    argv += ["--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    root = Path(__file__).resolve().parents[2]  # this checkout's skscat, not an installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, str(script), *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    chunks = tmp_path / "cache" / "features"
    deadline = time.time() + 300
    while len(list(chunks.rglob("chunk-*.npy"))) < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.2)
    process.kill()  # SIGKILL while the third chunk is computed
    process.wait()
    assert len(list(chunks.rglob("chunk-*.npy"))) == 2 and not list(chunks.rglob("*.tmp"))
    computed = []
    compute = _cvpr2015._compute_chunk
    monkeypatch.setattr(
        _cvpr2015, "_compute_chunk", lambda plan, rows: computed.append(rows.start) or compute(plan, rows)
    )
    assert main(argv) == 0
    assert computed == [16, 24] and "(2 of 4 chunks to compute)" in capsys.readouterr().out


@pytest.mark.data
def test_plan_is_printed_before_any_work(tmp_path, data_dir, stand_in, capsys):
    argv = ["--protocol", "cvpr2015", "--dataset", "caltech101", "--data-dir", str(data_dir), "--quiet"]
    argv += ["--image-size", "32", "-J", "3", "--n-atoms", "3", "--n-rounds", "2", "--train-per-class", "6"]
    argv += ["--n-splits", "1", "--n-classes", "3", "--max-per-class", "10", "--chunk-size", "8"]
    argv += ["--device", "cpu", "--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    plan = out[: out.index("[scat]")]
    for part in (
        "[plan] caltech101 / translation",
        "[plan] caltech101 / roto-translation",
        "memory ~",
        "time ~",
    ):
        assert part in plan
    assert "Y 32x32 J=3 Q=2; U/V 8x8 J=1 Q=2" in plan and "30 images of 3 classes" in plan
    assert "U/V 8x8 J=1 Q=2, order 2 at J=3" in plan  # roto-translation: ScatNetLight's colour operator
    assert "OLS 3 atoms x 3 classes x 2 rounds = 18" in plan and "(4 of 4 chunks to compute)" in plan
    assert (tmp_path / "out" / "results_cvpr2015.csv").read_text().count("\ncaltech101,") == 2
    # --plan-only prints the plan of the same request (now all chunks cached) and runs nothing
    assert main([*argv, "--plan-only", "--output", str(tmp_path / "other")]) == 0
    out = capsys.readouterr().out
    assert out.count("[plan]") == 2 and "(0 of 4 chunks to compute)" in out and "[run ]" not in out
    assert not (tmp_path / "other").exists()


@pytest.mark.data
def test_standardisation_is_fitted_on_training_rows(tmp_path, data_dir, monkeypatch):
    fitted = []

    class Recording(FirstColumns):
        def fit_transform(self, X, y):
            fitted.append(X.copy())
            return super().fit_transform(X, y)

    _use_selector(monkeypatch, Recording)
    options = dict(TINY, n_splits=1)
    rows = _cvpr2015.run_cvpr2015(
        datasets=["caltech101"],
        representations=["translation"],
        data_dir=data_dir,
        output_dir=tmp_path / "o",
        cache_dir=tmp_path / "c",
        verbose=False,
        log=_quiet,
        **options,
    )
    X = fitted[0]
    assert X.shape == (18, rows[0]["n_features"])
    varying = X.std(axis=0) > 0
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(X.std(axis=0)[varying], 1, atol=1e-3)


def _write_cifar10(folder, n_per_batch):
    """A cifar-10-batches-py folder of random images, every class in every batch."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": [f"c{i}" for i in range(10)]}))
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(n_per_batch, 3072), dtype=np.uint8)
        labels = (np.arange(n_per_batch) % 10).tolist()
        (folder / name).write_bytes(pickle.dumps({"data": data, "labels": labels}))


def _write_cifar100(folder, n):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    names = {
        "fine_label_names": [f"f{i}" for i in range(100)],
        "coarse_label_names": [f"c{i}" for i in range(20)],
    }
    (folder / "meta").write_bytes(pickle.dumps(names))
    for name in ("train", "test"):
        fine = (np.arange(n) % 100).tolist()
        batch = {"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), "fine_labels": fine}
        (folder / name).write_bytes(pickle.dumps({**batch, "coarse_labels": [v // 5 for v in fine]}))


def test_cifar100_runs_with_its_own_atoms(tmp_path, stand_in):
    _write_cifar100(tmp_path / "cifar-100-python", 300)
    lines = []
    rows = _cvpr2015.run_cvpr2015(
        datasets=["cifar100"],
        representations=["roto-translation"],
        data_dir=tmp_path,
        output_dir=tmp_path / "o",
        cache_dir=tmp_path / "c",
        verbose=False,
        log=lines.append,
        image_size=16,
        J=2,
        n_classes=4,
        chunk_size=64,
        n_atoms_per_class=2,
        device="cpu",
    )
    assert "OLS 2 atoms x 4 classes x 2 rounds = 16" in lines[1]  # CIFAR-100's 2 rounds (D from the option)
    assert (rows[0]["n_train"], rows[0]["n_test"], rows[0]["n_reduced"], rows[0]["published"]) == (
        12,
        12,
        16,
        56.8,
    )


def test_operator_of_each_plane_group():
    groups = SETTINGS["caltech101"].scaled(32, 3).groups
    roto = [representation("roto-translation", g, convention="scatnet").get_params() for g in groups]
    trans = [representation("translation", g, convention="scatnet").get_params() for g in groups]
    assert [(p["J"], p["Q"], p["order2_averaging_J"], p["colorspace"]) for p in roto] == [
        (3, 2, None, "rgb"),
        (1, 2, 3, "rgb"),
    ]
    assert [(p["J"], p["Q"], p["order2_averaging_J"]) for p in trans] == [(3, 2, None), (1, 2, 3)]
    kymatio = representation("roto-translation", groups[1], convention="kymatio").get_params()
    assert (kymatio["convention"], kymatio["Q"], kymatio["order2_averaging_J"]) == ("kymatio", 1, None)
    with pytest.raises(ValueError, match="convention='matlab' is not known"):
        resolve_convention("translation", "matlab")


def test_cifar_official_split_and_subsets(tmp_path, stand_in):
    _write_cifar10(tmp_path / "cifar-10-batches-py", n_per_batch=30)
    options = {
        "datasets": ["cifar10"],
        "data_dir": tmp_path,
        "output_dir": tmp_path / "o",
        "cache_dir": tmp_path / "c",
        "verbose": False,
        "log": _quiet,
        "image_size": 16,
        "J": 2,
        "n_atoms_per_class": 1,
        "max_train_per_class": 4,
        "max_test_per_class": 2,
        "chunk_size": 16,
        "device": "cpu",
        "convention": "kymatio",
    }
    rows = _cvpr2015.run_cvpr2015(representations=["translation"], **options)
    assert len(rows) == 1 and (rows[0]["n_train"], rows[0]["n_test"]) == (40, 20)
    assert rows[0]["n_features"] == 3 * 81 * 4 * 4 and rows[0]["published"] == 80.3
    # A second invocation into the same folder: the tables list both runs' records.
    assert len(_cvpr2015.run_cvpr2015(representations=["roto-translation"], **options)) == 1
    with open(tmp_path / "o" / "results_cvpr2015.csv") as f:
        table = list(csv.DictReader(f))
    assert [r["representation"] for r in table] == ["roto-translation", "translation"]
    assert [r["published"] for r in table] == ["82.3", "80.3"]
    summary = (tmp_path / "o" / "results_cvpr2015.md").read_text().split("\n\n")[0]
    assert summary.startswith("| dataset | representation | splits | mean_class_accuracy |")
    assert summary.count("| cifar10 |") == 2 and " +- 0.00 |" in summary


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--protocol", "nope"], "invalid choice: 'nope'"),
        (["--dataset", "digits"], "dataset='digits' has no cvpr2015 setting"),
        (["--dataset", "cifar10", "--representation", "wavelets"], "argument --representation: invalid choice"),
        (["--dataset", "cifar10", "--method", "scat-svm"], "--method does not apply to --protocol cvpr2015"),
        (["--dataset", "cifar10", "--n-train", "100"], "--n-train does not apply"),
        ([], "--protocol cvpr2015 needs --dataset"),
    ],
)
def test_cli_errors(argv, message, tmp_path, capsys):
    argv = (
        ["--protocol", "cvpr2015", "--data-dir", str(tmp_path), *argv] if argv[:1] != ["--protocol"] else argv
    )
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--output", str(tmp_path / "o")])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.data
@pytest.mark.parametrize(
    "options, message",
    [
        ({"n_classes": 1}, r"'n_classes' parameter of plan_paper_runs must be an int in the range \[2, inf\)"),
        (
            {"n_atoms_per_class": 7},
            "n_atoms_per_class=7 is larger than the 6 training rows of the smallest class",
        ),
        (
            {"n_atoms_per_class": 5, "n_rounds": 2000},
            "n_atoms_per_class=5 x n_rounds=2000 exceeds the",
        ),
        ({"train_per_class": 11}, "fewer than the 11 requested per class"),
    ],
)
def test_too_small_for_the_protocol(options, message, tmp_path, data_dir, stand_in):
    with pytest.raises(ValueError, match=message):
        _cvpr2015.plan_paper_runs(
            ["caltech101"], ["translation"], data_dir, cache_dir=tmp_path, **{**TINY, **options}
        )
    assert not (tmp_path / "features").exists() or not list((tmp_path / "features").rglob("chunk-*"))


@pytest.mark.data
def test_refuses_a_plan_larger_than_the_free_memory(tmp_path, data_dir, stand_in, monkeypatch, capsys):
    monkeypatch.setattr(_plan.PaperPlan, "free_bytes", lambda self: 1000)
    argv = ["--protocol", "cvpr2015", "--dataset", "caltech101", "--data-dir", str(data_dir)]
    argv += ["--n-classes", "3", "--max-per-class", "10", "--train-per-class", "6", "--n-atoms", "3"]
    argv += ["--image-size", "32", "-J", "3"]
    with pytest.raises(SystemExit):
        main([*argv, "--device", "cpu", "--output", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert "caltech101 / translation needs ~0." in err and "but 0.0 GB are free" in err


@pytest.mark.data
def test_cli_reports_a_data_set_too_small(tmp_path, data_dir, stand_in, capsys):
    argv = [
        "--protocol",
        "cvpr2015",
        "--dataset",
        "caltech101",
        "--data-dir",
        str(data_dir),
        "--n-classes",
        "1",
    ]
    with pytest.raises(SystemExit):
        main([*argv, "--output", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"), "--device", "cpu"])
    assert "argument --n-classes: must be an int in the range [2, inf); got '1'" in capsys.readouterr().err


@pytest.mark.data
def test_tiny_end_to_end_with_ols(tmp_path, data_dir):
    """The whole pipeline on 3 Caltech classes, with the real OLS selector and SVM."""
    rows = _cvpr2015.run_cvpr2015(
        datasets=["caltech101"],
        representations=["translation", "roto-translation"],
        data_dir=data_dir,
        output_dir=tmp_path / "o",
        cache_dir=tmp_path / "c",
        verbose=False,
        log=_quiet,
        **TINY,
    )
    assert [(r["representation"], r["split"]) for r in rows] == [
        ("translation", 0),
        ("translation", 1),
        ("roto-translation", 0),
        ("roto-translation", 1),
    ]
    assert all(r["n_reduced"] == 18 and r["n_test"] == 12 for r in rows)
    assert np.mean([r["mean_class_accuracy"] for r in rows]) > 50  # chance: 33 %
    assert rows[2]["published"] == 79.9


def test_plane_group_defaults():
    assert PlaneGroup((0,), 8, 1).order2_J is None


def test_a_change_of_the_feature_code_computes_new_chunks(tmp_path, data_dir, monkeypatch):
    """Cached chunks belong to the code that computed them: within one development version (same version string)
    a change of the scattering or preprocessing source gives another feature folder, never the stale chunks."""

    def folder():
        (plan,) = _cvpr2015.plan_paper_runs(["caltech101"], ["translation"], data_dir, cache_dir=tmp_path, **TINY)
        return plan.store.folder

    first = folder()
    assert folder() == first  # same code: the same chunks are reused
    modules = []
    monkeypatch.setattr(_cvpr2015, "source_fingerprint", lambda *m: modules.append(m) or "edited")
    assert folder() != first
    assert {"skscat.scattering", "skscat.datasets", "skscat.baselines._paper"} <= set(modules[0])


def test_transductive_standardisation_is_fitted_on_train_and_test_rows(tmp_path, stand_in, monkeypatch):
    """ScatNetLight's standardize_feature (a diagnostic of fit_split): the scaler sees the training and test rows."""
    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, size=(20, 6)).astype(np.float32)
    store = ChunkedFeatures(tmp_path / "f", 20, 6, 8)
    store.compute(lambda rows: X[rows])
    y = np.repeat([0, 1], 10)
    train, test = np.r_[0:6, 10:16], np.r_[6:10, 16:20]
    seen = []
    standardise = _cvpr2015.standardised_rows
    monkeypatch.setattr(_cvpr2015, "standardised_rows",
                        lambda store, index, scaler=None: seen.append(scaler) or standardise(store, index, scaler))
    options = {"n_atoms_per_class": 1, "n_rounds": 1, "device": "cpu", "verbose": False}
    _cvpr2015.fit_split(store, y, train, test, transductive=True, **options)
    logs = np.log(np.abs(X) + 1e-6)
    np.testing.assert_allclose(seen[0].mean_, logs[np.r_[train, test]].mean(0), rtol=1e-5)
    assert seen[0].n_samples_seen_ == 20
    seen.clear()
    _cvpr2015.fit_split(store, y, train, test, **options)
    assert seen[0] is None  # the protocol: fitted on the training rows inside standardised_rows
