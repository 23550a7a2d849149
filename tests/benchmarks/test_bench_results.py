"""Benchmark results: stored with skscat.utils.write_record, reused only when their configuration's fingerprint matches."""

import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _common
import bench_small_data
import cvpr2015_training_size

from skscat.utils._records import RecordError


def test_read_results_default_when_missing_and_error_naming_a_damaged_file(tmp_path):
    assert _common.read_results(tmp_path / "none.json", []) == []
    damaged = tmp_path / "bench.json"
    damaged.write_text('{"small": {"fit_s"')
    with pytest.raises(RecordError, match="bench.json.*delete it"):
        _common.read_results(damaged, {})
    assert damaged.read_text() == '{"small": {"fit_s"'  # never replaced by a shorter file


def _small_data_args(tmp_path, data_dir, **changes):
    args = bench_small_data.parse_args(["--data", str(data_dir), "--out", str(tmp_path / "small.json"),
                                        "--sizes", "100", "--seeds", "0", "1"])
    return types.SimpleNamespace(**{**vars(args), **changes})


def _fake_run(calls):
    def run_one(model, n, seed, data, args):
        calls.append((model, n, seed))
        return {"model": model, "n": n, "seed": seed, "width": args.width, "augment": args.augment,
                "steps": args.steps, "accuracy": 0.5, "fit_seconds": 1.0, "peak_rss_mb": 1.0,
                "fingerprint": bench_small_data.run_fingerprint(model, n, seed, args)}
    return run_one


def test_small_data_resumes_matching_runs_and_redoes_stale_ones(tmp_path, data_dir, monkeypatch):
    args = _small_data_args(tmp_path, data_dir)
    kept = {"model": "wrn", "n": 100, "seed": 0, "width": 1, "augment": False, "steps": 80, "accuracy": 0.9,
            "fingerprint": bench_small_data.run_fingerprint("wrn", 100, 0, args)}
    stale = {**kept, "seed": 1, "accuracy": 0.1, "fingerprint": "recipe of an older version"}
    other = {**kept, "steps": 100, "fingerprint": bench_small_data.run_fingerprint("wrn", 100, 0, _small_data_args(
        tmp_path, data_dir, steps=100))}
    (tmp_path / "small.json").write_text(json.dumps([kept, stale, other]))
    calls = []
    monkeypatch.setattr(bench_small_data, "run_one", _fake_run(calls))
    monkeypatch.setattr(bench_small_data, "load_data", lambda args, needed: {})
    results = bench_small_data.run(args)
    assert sorted(calls) == [("scat_wrn", 100, 0), ("scat_wrn", 100, 1), ("wrn", 100, 1)]
    stored = json.loads((tmp_path / "small.json").read_text())
    assert stored == results
    assert kept in stored and other in stored and stale not in stored
    assert len(stored) == 5
    calls.clear()
    bench_small_data.run(args)
    assert calls == []


def test_small_data_fingerprint_names_the_recipe(tmp_path, data_dir, monkeypatch):
    args = _small_data_args(tmp_path, data_dir)
    before = bench_small_data.run_fingerprint("wrn", 100, 0, args)
    monkeypatch.setitem(bench_small_data.RECIPE, "lr", 0.05)
    assert bench_small_data.run_fingerprint("wrn", 100, 0, args) != before


def test_the_committed_small_data_results_carry_their_fingerprints():
    results = json.loads((BENCH / "results" / "small_data.json").read_text())
    for r in results:
        args = types.SimpleNamespace(width=r["width"], steps=r["steps"], augment=r["augment"])
        assert r["fingerprint"] == bench_small_data.run_fingerprint(r["model"], r["n"], r["seed"], args)


def test_training_size_reuses_a_size_only_with_the_same_features(tmp_path, monkeypatch):
    store = types.SimpleNamespace(folder=Path("features/cifar10-roto-abc"), missing=list)
    setting = types.SimpleNamespace(n_atoms_per_class=200, n_rounds=2)
    plan = types.SimpleNamespace(store=store, setting=setting, runs=[(0, 0, np.arange(4), np.arange(4, 6))])
    monkeypatch.setattr(cvpr2015_training_size.cvpr, "plan_paper_runs", lambda *a, **k: [plan])
    calls = []

    def run_size(plan, train, test, per_class, device):
        calls.append(per_class)
        return {"n_train": 10 * per_class, "accuracy": 50.0}

    monkeypatch.setattr(cvpr2015_training_size, "run_size", run_size)
    output = tmp_path / "sizes.json"
    argv = ["--output", str(output), "--per-class", "250", "500"]
    cvpr2015_training_size.main(argv)
    cvpr2015_training_size.main(argv)
    assert calls == [250, 500]
    store.folder = Path("features/cifar10-roto-def")  # other features: every size is redone
    cvpr2015_training_size.main(argv[:-1])
    assert calls == [250, 500, 250]
    stored = json.loads(output.read_text())
    assert sorted(stored) == ["250", "500"] and stored["250"]["n_train"] == 2500
    assert stored["250"]["fingerprint"] != stored["500"]["fingerprint"]


def test_jpeg_round_trip_keeps_shape_and_mode_and_degrades_like_the_cifar_subset(data_dir):
    import cvpr2015_jpeg_effect as jpeg

    rng = np.random.default_rng(0)
    smooth = np.clip(128 + 40 * np.sin(np.arange(32) / 3)[None, :, None] + rng.normal(0, 8, (3, 32, 32)), 0, 255)
    colour = smooth.astype(np.uint8)
    grey = colour[:1]
    for image in (colour, grey):
        out = jpeg.jpeg_round_trip(image)
        assert out.shape == image.shape and out.dtype == np.uint8 and not np.array_equal(out, image)
    assert 20 < jpeg.psnr([colour], [jpeg.jpeg_round_trip(colour)]) < 45
    assert jpeg.psnr([colour], [colour]) > 100  # identical: the PSNR of a zero error, capped
    assert jpeg.shrink(np.full((3, 70, 50), 7, np.uint8)).tolist() == np.full((3, 32, 32), 7).tolist()


@pytest.mark.data
def test_jpeg_effect_runs_both_copies_and_resumes(tmp_path, data_dir, monkeypatch, capsys):
    import cvpr2015_jpeg_effect as jpeg

    argv = ["--data-dir", str(data_dir), "--cache-dir", str(tmp_path / "cache"), "--output", str(tmp_path / "r.json"),
            "--n-classes", "2", "--max-per-class", "32", "--n-atoms", "2", "--n-rounds", "1",
            "--representation", "translation", "--device", "cpu"]
    jpeg.main(argv)
    stored = json.loads((tmp_path / "r.json").read_text())
    assert stored["n_train"] == 60 and stored["n_test"] == 4 and 20 < stored["psnr_jpeg75_db"] < 40
    for copy in jpeg.COPIES:
        assert 0 <= stored[f"translation/{copy}"]["mean_class_accuracy"] <= 100
    capsys.readouterr()
    monkeypatch.setattr(jpeg, "score", lambda *a: pytest.fail("a finished copy was computed again"))
    jpeg.main(argv)
    assert capsys.readouterr().out.count("stored result reused") == 2


def test_atoms_sweep_reuses_a_result_only_with_the_same_features(tmp_path, monkeypatch):
    import cvpr2015_atoms

    store = types.SimpleNamespace(folder=Path("features/cifar10-roto-abc"), missing=list)
    plan = types.SimpleNamespace(store=store, setting=types.SimpleNamespace(n_rounds=2),
                                 source=types.SimpleNamespace(target=np.zeros(6)),
                                 runs=[(0, 0, np.arange(4), np.arange(4, 6))])
    monkeypatch.setattr(cvpr2015_atoms.cvpr, "plan_paper_runs", lambda *a, **k: [plan])
    calls = []

    def fit_split(store, y, train, test, *, n_atoms_per_class, n_rounds, device, verbose, transductive):
        calls.append(n_atoms_per_class if not transductive else -n_atoms_per_class)
        return {"mean_class_accuracy": float(n_atoms_per_class)}

    monkeypatch.setattr(cvpr2015_atoms.cvpr, "fit_split", fit_split)
    output = tmp_path / "atoms.json"
    argv = ["--output", str(output), "--representation", "translation", "--atoms", "20", "50"]
    cvpr2015_atoms.main(argv)
    cvpr2015_atoms.main(argv)
    assert calls == [20, 50]
    store.folder = Path("features/cifar10-roto-def")  # other features: every result is redone
    cvpr2015_atoms.main(argv)
    assert calls == [20, 50, 20, 50]
    stored = json.loads(output.read_text())
    assert sorted(stored) == ["translation/D20", "translation/D50"]
    assert stored["translation/D20"]["n_train"] == 4 and stored["translation/D50"]["mean_class_accuracy"] == 50.0
    cvpr2015_atoms.main(argv + ["--transductive"])  # its own results, beside the others
    assert calls[-2:] == [-20, -50]
    assert sorted(json.loads(output.read_text())) == [
        "translation/D20", "translation/D20/transductive", "translation/D50", "translation/D50/transductive"]


def test_the_committed_atoms_results_carry_their_fingerprints():
    import cvpr2015_atoms

    results = json.loads((BENCH / "results" / "cvpr2015" / "cifar10_atoms.json").read_text())
    assert len(results) >= 6
    for key, result in results.items():
        kind, atoms, *mode = key.split("/")
        assert result["n_reduced"] == int(atoms[1:]) * 10 * 2
        assert len(result["fingerprint"]) == 40 and mode in ([], ["transductive"])
