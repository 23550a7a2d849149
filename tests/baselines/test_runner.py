"""The baselines command: tables, resume after an interruption, registry, CLI errors."""

import csv
import subprocess
import sys
import textwrap
import time

import pytest

from skscat.baselines import (
    Baseline,
    get_baseline,
    list_baselines,
    register_baseline,
    run_baselines,
    summarize,
)
from skscat.baselines.__main__ import main
from skscat.baselines._cvpr2015 import summarize_paper

BUILT_IN = ["pixels-svm", "rotoscat-svm", "scat-svm", "scat-wrn", "wrn"]


def _quiet(*args):
    pass


@pytest.fixture
def counting_baseline(register):
    """A registered baseline counting its builds, failing while ``state['fail']`` is set."""
    state = {"builds": 0, "fail": False}
    pixels = get_baseline("pixels-svm")

    def build(config):
        state["builds"] += 1
        if state["fail"] and config.random_state == 1:
            raise RuntimeError("injected failure")
        return pixels.build(config)

    register("test-counting", build, "pixels, counted", published={"digits": 99.0})
    return state


def test_digits_run_writes_tables(tmp_path):
    rows = run_baselines(
        methods=["pixels-svm"], output_dir=tmp_path, cache_dir=None, log=_quiet, verbose=False
    )
    assert len(rows) == 1 and rows[0]["accuracy"] > 90 and rows[0]["n_train"] + rows[0]["n_test"] == 1797
    with open(tmp_path / "results.csv") as f:
        table = list(csv.DictReader(f))
    assert table[0]["method"] == "pixels-svm" and float(table[0]["mean_class_accuracy"]) > 90
    markdown = (tmp_path / "results.md").read_text()
    assert markdown.startswith("| dataset | method | accuracy | mean_class_accuracy |")
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_interrupted_run_resumes(tmp_path, counting_baseline):
    counting_baseline["fail"] = True
    with pytest.raises(RuntimeError, match="injected failure"):
        run_baselines(
            methods=["test-counting"],
            seeds=[0, 1, 2],
            output_dir=tmp_path,
            cache_dir=None,
            log=_quiet,
            verbose=False,
        )
    assert counting_baseline["builds"] == 2 and len(list((tmp_path / "runs").glob("*.json"))) == 1
    assert len((tmp_path / "results.md").read_text().splitlines()) == 3  # header, rule, the finished run
    counting_baseline["fail"] = False
    lines = []
    rows = run_baselines(
        methods=["test-counting"],
        seeds=[0, 1, 2],
        output_dir=tmp_path,
        cache_dir=None,
        log=lines.append,
        verbose=False,
    )
    assert counting_baseline["builds"] == 4  # seeds 1 and 2 only
    assert [line[:6] for line in lines] == ["[skip]", "[run ]", "[run ]"]
    assert [row["seed"] for row in rows] == [0, 1, 2] and rows[0]["published"] == 99.0


_KILLABLE = textwrap.dedent("""
    import sys, time
    from skscat.baselines import Baseline, get_baseline, register_baseline
    from skscat.baselines.__main__ import main

    def build(config):
        if config.random_state > 0:
            time.sleep(120)  # killed here, after the first run's record is written
        return get_baseline("pixels-svm").build(config)

    register_baseline(Baseline("test-sleepy", build))
    sys.exit(main(sys.argv[1:]))
""")


def test_killed_process_resumes(tmp_path, capsys, register):
    script = tmp_path / "killable.py"
    script.write_text(_KILLABLE)
    out = tmp_path / "out"
    arguments = [
        "--method",
        "test-sleepy",
        "--seeds",
        "0",
        "1",
        "2",
        "--output",
        str(out),
        "--no-cache",
        "--quiet",
    ]
    first = subprocess.Popen(
        [sys.executable, str(script), *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 300
    while not list((out / "runs").glob("*.json")) and time.time() < deadline and first.poll() is None:
        time.sleep(0.2)
    first.kill()  # SIGKILL in the middle of the second run
    first.wait()
    assert len(list((out / "runs").glob("*.json"))) == 1
    # The rerun (in this process, with a baseline of the same name that does not sleep) finishes the rest.
    register("test-sleepy", get_baseline("pixels-svm").build)
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert printed.count("[skip]") == 1 and printed.count("[run ]") == 2
    assert len(list((out / "runs").glob("*.json"))) == 3
    assert len((out / "results.csv").read_text().splitlines()) == 4


def test_registry():
    assert list_baselines() == BUILT_IN  # and no test baseline left behind by another test
    assert all(get_baseline(name).unavailable() is None for name in BUILT_IN)
    with pytest.raises(ValueError, match="already registered"):
        register_baseline(Baseline("pixels-svm", lambda config: None))
    with pytest.raises(ValueError, match="method='nope' is not a registered baseline"):
        get_baseline("nope")
    with pytest.raises(TypeError, match="expects a Baseline"):
        register_baseline("pixels-svm")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--method", "nope"], "method='nope' is not a registered baseline"),
        (["--dataset", "cifar10"], "dataset='cifar10' needs its folder 'cifar-10-batches-py'"),
        (["--data-dir", "{tmp}"], "--data-dir given without --dataset"),
    ],
)
def test_cli_errors(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--output", str(tmp_path / "out")])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_list(capsys):
    assert main(["--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == BUILT_IN


@pytest.mark.data
def test_cifar10_small_sample(tmp_path, data_dir):
    rows = run_baselines(
        datasets=["cifar10"],
        methods=["pixels-svm"],
        data_dir=data_dir,
        n_train=100,
        seeds=[0, 1],
        output_dir=tmp_path,
        cache_dir=None,
        log=_quiet,
        verbose=False,
    )
    assert [(row["n_train"], row["n_test"]) for row in rows] == [(100, 2000), (100, 2000)]
    assert all(15 < row["accuracy"] < 40 for row in rows)  # chance is 10 %
    assert rows[0]["accuracy"] != rows[1]["accuracy"] or rows[0]["protocol"] != rows[1]["protocol"]


def test_default_command_runs_on_digits(tmp_path, monkeypatch, capsys):
    """README's main job: ``python -m skscat.baselines`` with no argument."""
    monkeypatch.chdir(tmp_path)
    assert main(["--quiet"]) == 0
    with open(tmp_path / "skscat-results" / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert [row["method"] for row in rows] == ["scat-svm", "rotoscat-svm"]
    assert rows and all(row["dataset"] == "digits" and float(row["accuracy"]) > 90 for row in rows)
    assert any((tmp_path / ".skscat-cache").rglob("output.pkl"))  # features cached


def test_summaries_average_each_group_over_its_runs_and_splits():
    rows = [
        {"dataset": "digits", "method": "a", "accuracy": 90.0, "mean_class_accuracy": 89.0, "published": 97.0},
        {"dataset": "digits", "method": "b", "accuracy": 50.0, "mean_class_accuracy": 40.0, "published": None},
        {"dataset": "digits", "method": "a", "accuracy": 92.0, "mean_class_accuracy": 93.0, "published": 97.0},
    ]
    assert summarize(rows) == [
        {"dataset": "digits", "method": "a", "runs": 2, "accuracy": "91.00 +- 1.00",
         "mean_class_accuracy": "91.00 +- 2.00", "published": 97.0},
        {"dataset": "digits", "method": "b", "runs": 1, "accuracy": "50.00 +- 0.00",
         "mean_class_accuracy": "40.00 +- 0.00", "published": None},
    ]
    splits = [{**rows[0], "representation": "translation", "wall_time_s": 1.25, "peak_memory_gb": 2.0,
               "device": "cpu"},
              {**rows[2], "representation": "translation", "wall_time_s": 2.5, "peak_memory_gb": 3.0,
               "device": "cpu"}]
    assert summarize_paper(splits) == [
        {"dataset": "digits", "representation": "translation", "splits": 2, "accuracy": "91.00 +- 1.00",
         "mean_class_accuracy": "91.00 +- 2.00", "published": 97.0, "wall_time_s": 3.8, "peak_memory_gb": 3.0,
         "device": "cpu"},
    ]
