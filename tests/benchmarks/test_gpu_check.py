"""The GPU check's machinery on the CPU: dry run, part runner, budgets, summary, preparation."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _gpu_parts
import gpu_check
import prepare_gpu_check
from _gpu_parts import MISSING_EXIT, NotLanded, Part, PartContext, execute_part


def _script(body):
    """A fake part: a Python one-liner program; RESULT is the result file the runner gave it."""
    prelude = "import json, os, subprocess, sys, time; RESULT = os.environ['GPU_CHECK_RESULT']\n"
    return (sys.executable, "-c", prelude + textwrap.dedent(body))


def _write(figures, error=None):
    payload = (
        {"figures": figures} if error is None else {"figures": figures, "error": error}
    )
    return f"open(RESULT, 'w').write(json.dumps({payload!r}))\n"


def _alive(pid):
    """True while ``pid`` runs (a zombie waiting for its parent counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def _launcher(tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    options = {"device": "cpu", "data_home": tmp_path, "tiny": True}
    return gpu_check.Launcher(workdir, dict(os.environ), options)


def test_dry_run_without_cuda_skips_every_part_and_exits_0(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    command = [
        sys.executable,
        str(BENCH / "gpu_check.py"),
        str(out),
        "--carry",
        str(tmp_path / "none"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert f"skipped all {len(_gpu_parts.PARTS)} parts" in done.stdout
    report = json.loads((out / "gpu_check.json").read_text())
    assert report["mode"] == "dry run"
    assert [p["name"] for p in report["parts"]] == [p.name for p in _gpu_parts.PARTS]
    assert {p["status"] for p in report["parts"]} == {"skipped"}
    markdown = (out / "gpu_check.md").read_text()
    assert "no CUDA device" in markdown
    assert report["environment"]["torch"] in markdown


def test_runner_keeps_going_after_failures_and_stops_a_hung_part(tmp_path):
    pids = tmp_path / "pids.json"
    hang = f"""
        child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
        open({str(pids)!r}, 'w').write(json.dumps([os.getpid(), child.pid]))
        {_write({"measured": 1.5})}
        time.sleep(600)
    """
    parts = [
        Part("ok", 20, "succeeds", command=_script(_write({"speed": 2.0}))),
        Part(
            "crash", 20, "raises", command=_script("raise RuntimeError('boom in CUDA')")
        ),
        Part(
            "missing",
            20,
            "not landed",
            command=_script(_write({}, "foo has not landed") + "sys.exit(3)"),
        ),
        Part("hung", 5, "never returns", command=_script(hang)),
        Part(
            "after", 20, "runs after the hang", command=_script(_write({"done": True}))
        ),
    ]
    outcomes = gpu_check.run_parts(
        parts, 200, _launcher(tmp_path), min_part_s=0.5, report=lambda _: None
    )
    by_name = {o.name: o for o in outcomes}
    assert [o.status for o in outcomes] == ["ok", "failed", "missing", "timeout", "ok"]
    assert by_name["ok"].figures == {"speed": 2.0}
    assert "RuntimeError: boom in CUDA" in by_name["crash"].message
    assert "boom in CUDA" in by_name["crash"].log_tail
    assert by_name["missing"].message == "foo has not landed"
    assert by_name["hung"].figures == {
        "measured": 1.5
    }  # recorded before the hang, kept
    assert "time budget of 5 s" in by_name["hung"].message
    assert by_name["after"].figures == {"done": True}
    assert not any(
        _alive(pid) for pid in json.loads(pids.read_text())
    )  # the whole process group


def test_a_part_killed_by_a_signal_is_a_failure(tmp_path):
    part = Part("segfault", 20, "dies", command=_script("os.kill(os.getpid(), 9)"))
    (outcome,) = gpu_check.run_parts(
        [part], 100, _launcher(tmp_path), min_part_s=0.5, report=lambda _: None
    )
    assert outcome.status == "failed"
    assert outcome.message.startswith("killed by signal 9")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _fake_launch(clock, used, timeouts):
    """A launch that records the timeout given and advances the clock by ``used[name]`` (or the timeout)."""

    def launch(part, timeout_s):
        timeouts[part.name] = timeout_s
        clock.now += min(used.get(part.name, timeout_s), timeout_s)
        return gpu_check.Outcome(
            part.name, "ok", seconds=min(used.get(part.name, timeout_s), timeout_s)
        )

    return launch


def test_budgets_are_capped_by_the_global_budget_and_late_parts_skipped():
    clock, timeouts = FakeClock(), {}
    parts = [
        Part("a", 10, ""),
        Part("b", 10, ""),
        Part("c", 8, ""),
        Part("d", 8, "", elastic=True),
    ]
    outcomes = gpu_check.run_parts(
        parts,
        30,
        _fake_launch(clock, {}, timeouts),
        min_part_s=2,
        clock=clock,
        report=lambda _: None,
    )
    reserve = gpu_check.RESERVE_S
    assert timeouts == {"a": 10, "b": 10, "c": 30 - 20 - reserve}
    assert [o.status for o in outcomes] == ["ok", "ok", "ok", "skipped"]
    assert "global budget spent" in outcomes[-1].message


def test_the_elastic_part_gets_all_the_time_the_others_left():
    clock, timeouts = FakeClock(), {}
    parts = [Part("a", 50, ""), Part("b", 50, ""), Part("last", 20, "", elastic=True)]
    used = {"a": 5, "b": 15}
    gpu_check.run_parts(
        parts,
        200,
        _fake_launch(clock, used, timeouts),
        clock=clock,
        report=lambda _: None,
    )
    assert timeouts == {"a": 50, "b": 50, "last": 200 - 20 - gpu_check.RESERVE_S}


def _context(tmp_path):
    return PartContext(tmp_path / "r.json", device="cpu", data_home=tmp_path, budget_s=9, tiny=True,
                       workdir=tmp_path)  # fmt: skip


def test_execute_part_reports_missing_code_failures_and_figures(tmp_path):
    def not_landed(ctx):
        raise NotLanded("skscat.thing is missing")

    def fails(ctx):
        ctx.record(seconds=1.23456789, nested={"x": 2.0 / 3})
        raise ValueError("bad shape")

    assert (
        execute_part(Part("m", 1, "", function=not_landed), _context(tmp_path))
        == MISSING_EXIT
    )
    assert (
        json.loads((tmp_path / "r.json").read_text())["error"]
        == "skscat.thing is missing"
    )
    ready = Part("r", 1, "", function=fails, ready=lambda: "entry point absent")
    assert (
        execute_part(ready, _context(tmp_path)) == MISSING_EXIT
    )  # ready() is asked first
    assert execute_part(Part("f", 1, "", function=fails), _context(tmp_path)) == 1
    result = json.loads((tmp_path / "r.json").read_text())
    assert result == {
        "figures": {"seconds": 1.235, "nested": {"x": 0.6667}},
        "error": "ValueError: bad shape",
    }
    assert (
        execute_part(
            Part("ok", 1, "", function=lambda ctx: ctx.record(n=3)), _context(tmp_path)
        )
        == 0
    )


def test_every_real_part_is_wired_and_unknown_names_are_refused():
    for part in _gpu_parts.PARTS:
        assert callable(part.function) and part.budget_s > 0 and part.summary
    assert sum(p.elastic for p in _gpu_parts.PARTS) == 1
    # With a probe of up to 15 s, every part gets its whole budget (the elastic one at least its own).
    fixed = sum(p.budget_s for p in _gpu_parts.PARTS)
    assert fixed + gpu_check.RESERVE_S + 15 <= gpu_check.DEFAULT_BUDGET_S <= 8 * 60
    with pytest.raises(SystemExit, match="unknown part 'nope'"):
        _gpu_parts.find_part("nope")


def test_wheels_to_install_only_the_missing_distributions():
    wheels = [
        "w/kymatio-0.3.0-py3-none-any.whl",
        "w/scikit_learn-1.8.0-cp312-cp312-manylinux.whl",
    ]
    missing = gpu_check.wheels_to_install(wheels, lambda name: name == "scikit-learn")
    assert missing == ["w/kymatio-0.3.0-py3-none-any.whl"]


def test_junit_counts_and_problems(tmp_path):
    xml = tmp_path / "j.xml"
    xml.write_text(
        '<testsuites><testsuite tests="4" failures="1" errors="1" skipped="1">'
        '<testcase classname="tests.a" name="t1"><failure message="assert 1 == 2"/></testcase>'
        '<testcase classname="tests.a" name="t2"><error message="CUDA error: out of memory"/></testcase>'
        '<testcase classname="tests.b" name="t3"><skipped/></testcase><testcase classname="tests.b" name="t4"/>'
        "</testsuite></testsuites>"
    )
    counts = _gpu_parts.junit_counts(xml)
    assert {k: counts[k] for k in ("tests", "passed", "failures", "errors", "skipped")} == {
        "tests": 4, "passed": 1, "failures": 1, "errors": 1, "skipped": 1}  # fmt: skip
    assert counts["problems"] == [
        "tests.a::t1: assert 1 == 2",
        "tests.a::t2: CUDA error: out of memory",
    ]


def test_protocol_sizes_stop_when_the_next_would_not_fit():
    assert _gpu_parts.predicted_seconds([], 1000) == 0.0
    assert _gpu_parts.predicted_seconds(
        [(1000, 10.0), (2000, 30.0)], 4000
    ) == pytest.approx(60.0)


def test_summary_names_the_device_every_figure_and_every_failure(tmp_path):
    failed = gpu_check.Outcome("ols_cifar", "failed", "OLS", 12.0, 45.0, {"fit_s": 3.2},
                               "RuntimeError: CUDA out of memory", "Traceback ...")  # fmt: skip
    report = {
        "finished": "2026-12-01T00:00:00+00:00", "mode": "cuda", "budget_s": 465, "wall_s": 300,
        "environment": {"device": "NVIDIA H200", "memory_gib": 139.8, "capability": "9.0", "torch": "2.11.0",
                        "torch_cuda": "13.0", "cudnn": 91000, "python": "3.12.3", "packages": {}},
        "notes": ["installed kymatio-0.3.0-py3-none-any.whl: exit 0"], "counts": "1 failed",
        "parts": [gpu_check.asdict(failed)],
    }  # fmt: skip
    gpu_check.write_report(
        tmp_path / "out", report, [("ols_cifar", tmp_path / "absent.log")]
    )
    markdown = (tmp_path / "out" / "gpu_check.md").read_text()
    for text in ("NVIDIA H200", "torch 2.11.0 (CUDA 13.0", "| ols_cifar | failed |", "CUDA out of memory",
                 "fit_s: 3.2", "installed kymatio"):  # fmt: skip
        assert text in markdown
    assert json.loads((tmp_path / "out" / "gpu_check.json").read_text())["parts"][0][
        "figures"
    ] == {"fit_s": 3.2}


def _fake_checkout(tmp_path):
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "code.py").write_bytes(b"x" * 2048)
    (repo / ".gitignore").write_text("/.gpu-carry/\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shared = tmp_path / "shared"
    (shared / "data" / "cifar-10-batches-py").mkdir(parents=True)
    (shared / "data" / "cifar-10-batches-py" / "data_batch_1").write_bytes(
        b"\0" * 300_000
    )
    (shared / "reference").mkdir()
    (shared / "reference" / "ref.npz").write_bytes(b"\0" * 1000)
    return repo, shared


def test_prepare_copies_the_data_counts_what_travels_and_prints_the_call(tmp_path):
    repo, shared = _fake_checkout(tmp_path)
    carry = repo / ".gpu-carry"
    plan = prepare_gpu_check.prepare(carry, shared, [], repo=repo)
    assert (
        carry / "shared/data/cifar-10-batches-py/data_batch_1"
    ).stat().st_size == 300_000
    assert (carry / "shared/reference/ref.npz").stat().st_size == 1000
    manifest = json.loads((carry / "manifest.json").read_text())
    assert manifest["files"] == [
        "shared/data/cifar-10-batches-py/data_batch_1",
        "shared/reference/ref.npz",
    ]
    carried = 301_000 + (carry / "manifest.json").stat().st_size
    assert plan["carried_mib"] == round(carried / 2**20, 1)
    assert plan["travelling_mib"] == round(
        (carried + 2048 + len("/.gpu-carry/\n")) / 2**20, 1
    )
    assert plan["carry"] == [".gpu-carry"]
    assert 'python3 benchmarks/gpu_check.py "$OUT"' in plan["command"]
    assert plan["timeout_s"] <= 600
    assert prepare_gpu_check.is_ignored(carry, repo)
    again = prepare_gpu_check.prepare(
        carry, shared, [], reference=False, repo=repo
    )  # copies nothing new
    assert again["carried_mib"] == plan["carried_mib"]


def test_prepare_refuses_too_much_and_a_folder_outside_the_checkout(tmp_path):
    repo, shared = _fake_checkout(tmp_path)
    with pytest.raises(SystemExit, match="over the 0 MiB limit"):
        prepare_gpu_check.prepare(
            repo / ".gpu-carry", shared, [], limit_mib=0.1, repo=repo
        )
    with pytest.raises(SystemExit, match="outside the checkout"):
        prepare_gpu_check.prepare(tmp_path / "elsewhere", shared, [], repo=repo)
    assert not (tmp_path / "elsewhere").exists()
    with pytest.raises(FileNotFoundError, match="pass --shared"):
        prepare_gpu_check.prepare(
            repo / ".gpu-carry", tmp_path / "nothing", [], repo=repo
        )


@pytest.mark.slow
def test_cpu_rehearsal_runs_a_real_part_end_to_end(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, str(BENCH / "gpu_check.py"), str(out), "--device", "cpu", "--tiny",
               "--parts", "torchsvc_cuda", "--carry", str(tmp_path / "none")]  # fmt: skip
    env = dict(
        os.environ, CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1"
    )
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (part,) = json.loads((out / "gpu_check.json").read_text())["parts"]
    assert part["status"] == "ok"
    assert (
        part["figures"]["shape"] == "1500x100x10"
        and part["figures"]["torchsvc_fit_s"] > 0
    )


def _wheel(folder, name="gpucheckdemo", version="1.0"):
    """A minimal pure-Python wheel holding ``name/__init__.py`` with ``VALUE = 42``."""
    import zipfile

    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "VALUE = 42\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{f},,\n" for f in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def test_carried_wheels_are_installed_when_missing_and_importable_by_the_parts(
    tmp_path,
):
    (tmp_path / "carry" / "wheels").mkdir(parents=True)
    _wheel(tmp_path / "carry" / "wheels")
    env, notes = gpu_check.part_environment(tmp_path / "carry", tmp_path / "site")
    assert notes[0] == "installed gpucheckdemo-1.0-py3-none-any.whl: exit 0"
    assert "no carried folder" in notes[1]  # no manifest.json: prepare did not fill it
    code = "import gpucheckdemo, skscat; print(gpucheckdemo.VALUE, skscat.__file__)"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          check=True)  # fmt: skip
    value, skscat_file = done.stdout.split()
    assert value == "42"
    assert Path(skscat_file).is_relative_to(
        gpu_check.REPO
    )  # the checkout's skscat, wherever the part runs


def test_the_carried_shared_folder_stands_in_for_a_missing_one(tmp_path, monkeypatch):
    repo, carry = (
        tmp_path / "machine" / "repo",
        tmp_path / "machine" / "repo" / ".gpu-carry",
    )
    (carry / "shared" / "data").mkdir(parents=True)
    monkeypatch.setattr(gpu_check, "REPO", repo)
    assert gpu_check.data_home(carry) == carry / "shared" / "data"
    assert gpu_check.link_shared(carry).startswith("linked")
    assert (repo.parent / "shared" / "data").resolve() == (
        carry / "shared" / "data"
    ).resolve()
    assert gpu_check.link_shared(carry) is None  # there now: left alone
    assert gpu_check.data_home(tmp_path / "empty") == repo.parent / "shared" / "data"
