"""The resumable-run helper behind docs/scripts/sandbox_sweep.py and sandbox_bench.py."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "scripts" / "sandbox_common.py"


@pytest.fixture(scope="module")
def common():
    spec = importlib.util.spec_from_file_location("sandbox_common", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_is_stored_then_resumed(common, tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"test_accuracy": 0.5}

    settings = {"module__attribute_kernel": (3, 5), "lr": 0.1}
    first, resumed_first = common.run_or_resume(tmp_path / "run.json", settings, compute)
    again, resumed_again = common.run_or_resume(tmp_path / "run.json", settings, compute)
    assert (resumed_first, resumed_again) == (False, True) and len(calls) == 1
    assert again == first == json.loads((tmp_path / "run.json").read_text())


def test_changed_settings_are_recomputed(common, tmp_path):
    common.run_or_resume(tmp_path / "run.json", {"lr": 0.1}, lambda: {"test_accuracy": 0.5})
    record, resumed = common.run_or_resume(tmp_path / "run.json", {"lr": 0.2}, lambda: {"test_accuracy": 0.7})
    assert not resumed and record["test_accuracy"] == 0.7


def test_interrupted_run_leaves_no_result(common, tmp_path):
    def crash():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        common.run_or_resume(tmp_path / "run.json", {"lr": 0.1}, crash)
    assert list(tmp_path.iterdir()) == []


def test_tables(common):
    assert common.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert common.csv_text(["a", "b"], [[1, 2]]) == "a,b\n1,2\n"
