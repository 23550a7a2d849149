"""One-call GPU check: every CUDA claim of skscat, run and summarised in one short run.

Usage::

    python benchmarks/prepare_gpu_check.py        # here, once: fills .gpu-carry/, prints the device call
    python3 benchmarks/gpu_check.py OUTDIR        # on the GPU machine (the call prepare prints)
    python benchmarks/gpu_check.py OUTDIR --device cpu --tiny   # CPU rehearsal of every part, tiny sizes

Each part runs in a subprocess of its own (its own process group) under its own time budget, so a part
that fails, crashes or hangs inside CUDA is stopped and recorded and the next one starts; the parts
together stay inside ``--budget`` seconds (8 minutes by default, environment probe included). The
last part (the CIFAR paper protocol) takes whatever time the others left. A part whose code has not
landed in this checkout fails with status ``missing`` and names the entry point it needs.

Writes ``OUTDIR/gpu_check.json`` (every figure), ``OUTDIR/gpu_check.md`` (the same as tables, with every
failure's message) and ``OUTDIR/gpu_check.log`` (each part's output, tail). Exit status: 0 when every
part passed, or when no CUDA device is present (everything skipped, and the summary says so); 1 otherwise.

Data and wheels come from the carried folder (``--carry``, default ``.gpu-carry/`` in the checkout,
made by ``prepare_gpu_check.py``): its wheels are installed into a temporary folder when the package is
missing here, and its ``shared/`` stands in for ``../shared`` (the GPU machine has none).
"""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gpu_parts import (
    LOG_TAIL_CHARS,
    MISSING_EXIT,
    PARTS,
    REPO,
    PartContext,
    _last_line,
    execute_part,
    find_part,
    write_json_atomic,
)

DEFAULT_CARRY = REPO / ".gpu-carry"
DEFAULT_BUDGET_S = 465.0  # 8 minutes minus the interpreter start and the summary
PROBE_TIMEOUT_S = 90.0
MIN_PART_S = 15.0  # below this a part cannot even import torch and initialise CUDA
RESERVE_S = 5.0  # kept back from the global budget for writing the summary
RESULT_ENV, BUDGET_ENV = "GPU_CHECK_RESULT", "GPU_CHECK_BUDGET_S"


# --------------------------------------------------------------------------- running a part


@dataclass
class Outcome:
    """What one part did: status is ok, failed, timeout, missing or skipped."""

    name: str
    status: str
    summary: str = ""
    seconds: float = 0.0
    budget_s: float = 0.0
    figures: dict = field(default_factory=dict)
    message: str = ""
    log_tail: str = ""


def run_command(argv, timeout_s, log_path, env=None, cwd=None):
    """Run ``argv`` in its own process group, output to ``log_path``; None as status on timeout."""
    start = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        try:
            status = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            status = None
        kill_group(process)  # also the children a finished part left behind
    return status, time.monotonic() - start


def kill_group(process, grace_s=3.0):
    """SIGTERM the process group, then SIGKILL whatever is left of it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass


def read_tail(path, chars=LOG_TAIL_CHARS):
    try:
        return Path(path).read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def read_result(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def outcome_of(part, status, seconds, timeout_s, result_path, log_path):
    """Turn a finished (or stopped) part's exit status, result file and log into an Outcome."""
    result, tail = read_result(result_path), read_tail(log_path)
    outcome = Outcome(
        part.name,
        "ok",
        part.summary,
        round(seconds, 1),
        round(timeout_s, 1),
        result.get("figures", {}),
    )
    if status is None:
        outcome.status = "timeout"
        outcome.message = f"stopped at its time budget of {timeout_s:.0f} s (figures recorded before are kept)"
    elif status == MISSING_EXIT:
        outcome.status, outcome.message = (
            "missing",
            result.get("error", _last_line(tail)),
        )
    elif status < 0:
        outcome.status, outcome.message = (
            "failed",
            f"killed by signal {-status}: {_last_line(tail)}",
        )
    elif status != 0:
        outcome.status, outcome.message = (
            "failed",
            result.get("error") or f"exit {status}: {_last_line(tail)}",
        )
    if outcome.status not in ("ok", "missing"):  # a missing part's message says it all
        outcome.log_tail = tail
    return outcome


def part_argv(part, options):
    """The command line of a part: its own ``command``, or this script in part mode."""
    if part.command:
        return list(part.command)
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--run-part",
        part.name,
        "--device",
        options["device"],
        "--data-home",
        str(options["data_home"]),
    ]
    return argv + (["--tiny"] if options.get("tiny") else [])


class Launcher:
    """Runs parts as subprocesses in ``workdir``; the result file and budget travel in the environment."""

    def __init__(self, workdir, env, options):
        self.workdir, self.env, self.options = Path(workdir), dict(env), options

    def __call__(self, part, timeout_s):
        result_path, log_path = (
            self.workdir / f"{part.name}.json",
            self.workdir / f"{part.name}.log",
        )
        result_path.unlink(missing_ok=True)
        env = dict(
            self.env, **{RESULT_ENV: str(result_path), BUDGET_ENV: f"{timeout_s:.1f}"}
        )
        status, seconds = run_command(
            part_argv(part, self.options), timeout_s, log_path, env=env, cwd=REPO
        )
        return outcome_of(part, status, seconds, timeout_s, result_path, log_path)


def plan_timeout(part, remaining_s, reserve_s=RESERVE_S):
    """Seconds ``part`` may run: its budget (all that is left when elastic), never past the global budget."""
    available = remaining_s - reserve_s
    return available if part.elastic else min(part.budget_s, available)


def run_parts(
    parts, total_s, launch, *, min_part_s=MIN_PART_S, clock=time.monotonic, report=print
):
    """Run every part in turn under ``total_s`` seconds in all; a failure never stops the next part."""
    deadline = clock() + total_s
    outcomes = []
    for part in parts:
        timeout_s = plan_timeout(part, deadline - clock())
        if timeout_s < min_part_s:
            outcome = Outcome(
                part.name,
                "skipped",
                part.summary,
                budget_s=part.budget_s,
                message=f"global budget spent: {max(timeout_s, 0):.0f} s left, "
                f"a part needs at least {min_part_s:.0f} s",
            )
        else:
            report(f"[{part.name}] start, budget {timeout_s:.0f} s: {part.summary}")
            outcome = launch(part, timeout_s)
        report(
            f"[{part.name}] {outcome.status} in {outcome.seconds:.1f} s"
            + (f": {outcome.message}" if outcome.message else "")
        )
        outcomes.append(outcome)
    return outcomes


# --------------------------------------------------------------------------- environment


def wheels_to_install(wheels, is_installed):
    """The wheels whose distribution ``is_installed(name)`` says is absent (name as in the file name)."""
    return [
        w
        for w in wheels
        if not is_installed(Path(w).name.split("-")[0].replace("_", "-"))
    ]


def _is_installed(name):
    from importlib import metadata

    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def part_environment(carry, site_dir):
    """Environment of the parts: the checkout and the carried wheels (installed when missing) importable."""
    notes, paths = [], [str(REPO)]
    wheels = wheels_to_install(
        sorted(Path(carry, "wheels").glob("*.whl")), _is_installed
    )
    if wheels:
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--no-deps",
            "--no-compile",
            "--no-cache-dir",
            "--target",
            str(site_dir),
            *map(str, wheels),
        ]
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        notes.append(
            f"installed {', '.join(Path(w).name for w in wheels)}: exit {done.returncode}"
            + (f" ({_last_line(done.stderr)})" if done.returncode else "")
        )
        paths.append(str(site_dir))
    notes += carried_note(carry)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("CUDA_VISIBLE_DEVICES", "0")  # one device
    env["PYTHONPATH"] = os.pathsep.join(
        paths + [p for p in [os.environ.get("PYTHONPATH")] if p]
    )
    return env, notes


def carried_note(carry):
    """Which commit filled the carried folder, and when (prepare_gpu_check's manifest)."""
    manifest = read_result(Path(carry, "manifest.json"))
    if not manifest:
        return [f"no carried folder at {carry}: data from ../shared, no wheels"]
    return [
        f"carried folder prepared {manifest.get('prepared_utc')} at commit {manifest.get('commit')}"
    ]


def data_home(carry):
    """The carried data if prepared, else ``../shared/data`` beside the checkout."""
    carried = Path(carry, "shared", "data")
    return carried if carried.is_dir() else REPO.parent / "shared" / "data"


def link_shared(carry):
    """Give the tests their ``../shared`` from the carried folder when the machine has none."""
    target, link = Path(carry, "shared").resolve(), REPO.parent / "shared"
    if link.exists() or not target.is_dir():
        return None
    try:
        link.symlink_to(target, target_is_directory=True)
    except OSError as exc:
        return f"could not link {link} -> {target}: {exc}"
    return f"linked {link} -> {target} for the tests"


def probe_environment(parts=PARTS):
    """Versions, the CUDA device (one tiny kernel run on it) and which parts' code has landed."""
    import torch

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "torch_cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "packages": {
            n: _version(n)
            for n in ("numpy", "scipy", "scikit-learn", "kymatio", "pytest")
        },
        "cuda": bool(torch.cuda.is_available()),
        "not_landed": {},
    }
    if info["cuda"]:
        properties = torch.cuda.get_device_properties(0)
        info.update(
            device=torch.cuda.get_device_name(0),
            capability=f"{properties.major}.{properties.minor}",
            memory_gib=round(properties.total_memory / 2**30, 1),
            kernel_ok=float(torch.ones(1024, device="cuda").sum().item()) == 1024.0,
            nvidia_smi=_smi(),
        )
    for part in parts:
        message = _ready_message(part)
        if message:
            info["not_landed"][part.name] = message
    return info


def _ready_message(part):
    try:
        return part.ready() if part.ready else None
    except Exception as exc:  # noqa: BLE001  (a broken import is reported, not fatal to the probe)
        return f"readiness check failed: {type(exc).__name__}: {exc}"


def _version(name):
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _smi():
    if shutil.which("nvidia-smi") is None:
        return None
    query = [
        "nvidia-smi",
        "--query-gpu=name,driver_version,memory.total",
        "--format=csv,noheader",
    ]
    try:
        return subprocess.run(
            query, check=False, capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"nvidia-smi failed: {exc}"


def run_probe(env, workdir, parts_requested):
    """The environment probe in a subprocess (a hung driver must not hang the check); info or error."""
    log_path = Path(workdir, "probe.log")
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--probe",
        "--parts",
        *parts_requested,
    ]
    status, seconds = run_command(argv, PROBE_TIMEOUT_S, log_path, env=env, cwd=REPO)
    text = read_tail(log_path, 10**6)
    if status != 0:
        reason = "timed out" if status is None else f"exit {status}"
        return (
            None,
            f"environment probe {reason} after {seconds:.0f} s: {_last_line(text)}",
        )
    return json.loads(text.strip().splitlines()[-1]), None


# --------------------------------------------------------------------------- summary

STATUS_ORDER = ("ok", "failed", "timeout", "missing", "skipped")


def counts_line(outcomes):
    counts = {
        status: sum(o.status == status for o in outcomes) for status in STATUS_ORDER
    }
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n)


def _cell(value):
    text = (
        json.dumps(value, default=str)
        if isinstance(value, (dict, list))
        else str(value)
    )
    return text.replace("|", "\\|").replace("\n", " ")


def _figure_lines(key, value):
    """``- key: value``, or a table under ``- key:`` for a list of flat records."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns = list(dict.fromkeys(k for record in value for k in record))
        table = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        table += [
            "| " + " | ".join(_cell(r.get(c, "")) for c in columns) + " |"
            for r in value
        ]
        return f"- {key}:\n\n" + "\n".join(table) + "\n"
    return f"- {key}: {_cell(value)}"


def _device_line(env):
    if not env.get("device"):
        return "- device: none (no CUDA device seen by torch)"
    return (
        f"- device: {env['device']} ({env.get('memory_gib')} GiB, compute capability "
        f"{env.get('capability')}; nvidia-smi: {env.get('nvidia_smi')}; a test kernel ran: "
        f"{env.get('kernel_ok')})"
    )


def format_markdown(report):
    env = report["environment"] or {}
    lines = [
        f"# GPU check, {report['finished']}",
        "",
        _device_line(env),
        (
            f"- torch {env.get('torch')} (CUDA {env.get('torch_cuda')}, cuDNN {env.get('cudnn')}), "
            f"Python {env.get('python')}, packages {_cell(env.get('packages', {}))}"
        ),
        (
            f"- mode: {report['mode']}; budget {report['budget_s']:.0f} s, wall {report['wall_s']:.0f} s; "
            f"result: {report['counts']}"
        ),
    ]
    lines += [f"- note: {note}" for note in report["notes"]]
    lines += [
        "",
        "| part | status | s / budget | what | message |",
        "|---|---|---|---|---|",
    ]
    for o in report["parts"]:
        lines.append(
            f"| {o['name']} | {o['status']} | {o['seconds']:.0f} / {o['budget_s']:.0f} | "
            f"{_cell(o['summary'])} | {_cell(o['message'][:300])} |"
        )
    for o in report["parts"]:
        if o["figures"] or o["log_tail"]:
            lines += ["", f"## {o['name']} ({o['status']})", ""]
            lines += [_figure_lines(key, value) for key, value in o["figures"].items()]
            if o["log_tail"]:
                lines += ["", "```", o["log_tail"][-1500:].rstrip(), "```"]
    return "\n".join(lines) + "\n"


def write_report(outdir, report, part_logs):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(outdir / "gpu_check.json", report)
    (outdir / "gpu_check.md").write_text(format_markdown(report))
    with open(outdir / "gpu_check.log", "w") as log:
        log.writelines(
            f"===== {name} =====\n{read_tail(path, 200_000)}\n"
            for name, path in part_logs
        )


def skipped_outcomes(parts, reason, not_landed):
    return [
        Outcome(
            p.name,
            "skipped",
            p.summary,
            budget_s=p.budget_s,
            message=f"skipped: {reason}"
            + (
                f"; code not landed: {not_landed[p.name]}"
                if p.name in not_landed
                else ""
            ),
        )
        for p in parts
    ]


# --------------------------------------------------------------------------- main


def _parser():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "outdir",
        nargs="?",
        help="folder for gpu_check.json, gpu_check.md and gpu_check.log",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET_S,
        help="seconds for everything (default 465)",
    )
    p.add_argument(
        "--parts",
        nargs="+",
        default=[p.name for p in PARTS],
        help="a subset of the parts, in order",
    )
    p.add_argument(
        "--carry",
        default=str(DEFAULT_CARRY),
        help="the folder prepare_gpu_check.py filled",
    )
    p.add_argument(
        "--device",
        default="cuda",
        help="cuda (default), or cpu with --tiny for a rehearsal",
    )
    p.add_argument(
        "--tiny",
        action="store_true",
        help="tiny sizes (a CPU rehearsal of the parts' code)",
    )
    p.add_argument(
        "--list", action="store_true", help="list the parts and their budgets"
    )
    p.add_argument("--data-home", help=argparse.SUPPRESS)
    p.add_argument("--run-part", help=argparse.SUPPRESS)
    p.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    return p


def child_main(args):
    """Part mode: run one part here; the result path and budget come from the environment."""
    ctx = PartContext(
        os.environ[RESULT_ENV],
        device=args.device,
        data_home=args.data_home,
        budget_s=float(os.environ[BUDGET_ENV]),
        tiny=args.tiny,
        workdir=Path(os.environ[RESULT_ENV]).parent,
    )
    return execute_part(find_part(args.run_part), ctx)


NO_CUDA = "no CUDA device (torch.cuda.is_available() is False)"


def run_on_device(args, parts, env, workdir, budget_s):
    """Run the parts (CUDA, or the CPU with ``--device cpu``); return outcomes and notes."""
    notes = []
    if args.device.startswith("cuda"):
        notes += [note for note in [link_shared(args.carry)] if note]
    options = {
        "device": args.device,
        "data_home": data_home(args.carry),
        "tiny": args.tiny,
    }
    return run_parts(parts, budget_s, Launcher(workdir, env, options)), notes


def run_check(args, parts, clock=time.monotonic):
    """The whole check: environment, probe, parts (or skips), summary; returns the exit status."""
    start, started = clock(), datetime.now(timezone.utc).isoformat(timespec="seconds")
    workdir = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    args.carry = str(Path(args.carry).resolve())  # the parts run in the checkout's root
    env, notes = part_environment(args.carry, workdir / "site")
    info, error = run_probe(env, workdir, [p.name for p in parts])
    on_device = info is not None and (info["cuda"] or args.device == "cpu")
    if on_device:
        budget_left = args.budget - (clock() - start)
        outcomes, more_notes = run_on_device(args, parts, env, workdir, budget_left)
        notes += more_notes
        mode = f"{args.device}{' tiny' if args.tiny else ''}"
    else:
        print(f"{error or NO_CUDA}: skipped all {len(parts)} parts")
        outcomes = skipped_outcomes(
            parts, error or NO_CUDA, (info or {}).get("not_landed", {})
        )
        mode = "dry run"
    report = {
        "started": started,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "budget_s": args.budget,
        "wall_s": round(clock() - start, 1),
        "environment": info,
        "notes": notes,
        "counts": counts_line(outcomes),
        "parts": [asdict(o) for o in outcomes],
    }
    logs = [("probe", workdir / "probe.log")] + [
        (p.name, workdir / f"{p.name}.log") for p in parts
    ]
    write_report(Path(args.outdir), report, logs)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"{report['counts']}; summary: {Path(args.outdir) / 'gpu_check.md'}")
    if not on_device:
        return 0 if error is None else 1
    return 0 if all(o.status == "ok" for o in outcomes) else 1


def main(argv=None):
    args = _parser().parse_args(argv)
    parts = [find_part(name) for name in args.parts]
    if args.run_part:
        return child_main(args)
    if args.probe:
        print(json.dumps(probe_environment(parts)))
        return 0
    if args.list:
        for part in parts:
            print(
                f"{part.name:16s} {part.budget_s:5.0f} s{'+' if part.elastic else ' '} {part.summary}"
            )
        return 0
    if args.outdir is None:
        _parser().error("OUTDIR is required")
    return run_check(args, parts)


if __name__ == "__main__":
    sys.exit(main())
