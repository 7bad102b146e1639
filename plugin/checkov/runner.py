"""Checkov run in-process, offline, with only cn-crossborder's checks: the one place that starts it.

Checkov is imported only when a scan starts, so ``checks``, ``explain`` and ``policy validate``
answer without loading it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from cn_crossborder import network
from cn_crossborder.rules import all_rules
from cn_crossborder.sources import kinds


class ChecksUnavailable(Exception):
    """The check modules cannot load: the installation is broken."""


class CheckovFailed(RuntimeError):
    """A Checkov run ended in an error state or without a result; nothing it judged can be trusted."""


# terraform reads .tf files, terraform_json the .tf.json ones (which the terraform framework skips).
FRAMEWORKS = ("terraform", "terraform_json", "terraform_plan", "cloudformation", "yaml")
# The Checkov framework that reads each kind of input (sources.kinds).
FRAMEWORK_OF = {
    kinds.TERRAFORM: "terraform",
    kinds.TERRAFORM_JSON: "terraform_json",
    kinds.PLAN: "terraform_plan",
    kinds.CLOUDFORMATION: "cloudformation",
    kinds.INVENTORY: "yaml",
}

# Everything that would make Checkov reach the network, turned off.
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "DOWNLOAD_EXTERNAL_MODULES": "false",
    "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR"),
}

# Checkov reports an HCL file whose parse takes longer than HCL_PARSE_TIMEOUT_SEC (10 s by default) as
# unparsable; a scan waits for it instead (0 turns the limit off), so a large valid file is judged.
PARSE_ENV = {"HCL_PARSE_TIMEOUT_SEC": "0"}


def checks_dir() -> Path:
    return Path(str(resources.files("cn_crossborder.checks")))


def frameworks_for(paths: list[Path]) -> list[str]:
    """Only the frameworks the inputs under ``paths`` need: each one walks the tree, and the yaml
    framework forks a process pool per directory it visits. Terraform when nothing is found, so an
    empty scan still reports like one."""
    found = {FRAMEWORK_OF[kind] for kind in kinds.input_kinds(paths)}
    return [framework for framework in FRAMEWORKS if framework in found] or ["terraform"]


def checkov_argv(args: argparse.Namespace, paths: list[Path], fmt: str) -> list[str]:
    argv: list[str] = []
    for path in paths:
        argv += ["-f", str(path)] if path.is_file() else ["-d", str(path)]
    argv += ["--framework", *frameworks_for(paths)]
    argv += ["--external-checks-dir", str(checks_dir()), "--check", "CKV_CNX_*"]
    argv += ["--skip-download", "-o", fmt]
    for var_file in args.var_file or ():
        argv += ["--var-file", var_file]
    if fmt == "sarif":
        argv += ["--custom-tool-name", "cn-crossborder"]
    return argv


# Environment variables through which Checkov's own configuration would reach ``scan``: every
# argument's variable (tests/test_cli.py checks this list against Checkov's parser) and the platform
# ones. ``scan`` runs without them, so they can neither deselect our checks nor contact a service.
CHECKOV_CONFIG_ENV = (
    "BC_API_KEY",
    "BC_API_URL",
    "BC_CA_BUNDLE",
    "CHECKOV_NO_OUTPUT",
    "CKV_CHECK",
    "CKV_EVAL_VARS",
    "CKV_EXTERNAL_CHECKS_PUBLIC_KEY",
    "CKV_FRAMEWORK",
    "CKV_IGNORED_DIRECTORIES",
    "CKV_NO_FAIL_ON_CRASH",
    "CKV_POLICY_METADATA_FILTER",
    "CKV_POLICY_METADATA_FILTER_EXCEPTION",
    "CKV_SECRETS_SCAN_BLOCK_LIST",
    "CKV_SECRETS_SCAN_ENABLE_ALL",
    "CKV_SECRETS_SCAN_FILE_TYPE",
    "CKV_SKIP_CHECK",
    "CKV_SKIP_RESOURCES_WITHOUT_VIOLATIONS",
    "CKV_VAR_FILE",
    "DOWNLOAD_EXTERNAL_MODULES",
    "EXTERNAL_MODULES_DIR",
    "PRISMA_API_URL",
)

Keep = Callable[[Path], bool]


@contextlib.contextmanager
def isolated_environment(env: Mapping[str, str | None] = {}) -> Iterator[None]:
    """Checkov's configuration variables removed, the offline and parse ones and ``env`` set (None
    removes); the environment is restored afterwards. Checkov's worker processes inherit it."""
    saved = dict(os.environ)
    try:
        for name in CHECKOV_CONFIG_ENV:
            os.environ.pop(name, None)
        os.environ.update(OFFLINE_ENV)
        os.environ.update(PARSE_ENV)
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _scan_checkov(argv: list[str]) -> Any:
    """Checkov configured by ``argv`` alone: no ``.checkov.yaml``/``.checkov.yml`` (in the working,
    scanned or home directory), no configuration variable, no platform key from
    ``~/.bridgecrew/credentials``, and only the runners of the frameworks in ``argv``. Plain
    ``checkov`` runs keep all of these."""
    internals = importlib.import_module("cn_crossborder.checkov.internals")
    return internals.CheckovScan(argv)


class Reports(list):  # of Checkov Report objects
    """A run's reports, and what Checkov printed for them when that still stands for them."""

    printed: str | None = None


def run_checkov(
    argv: list[str], env: Mapping[str, str | None] = {}, keep: Keep | None = None, separate: bool = False
) -> Reports:
    """Run Checkov, isolated; return its reports, restricted to the findings and parse errors of the
    files ``keep`` accepts (all when None).

    Checkov keeps its runners (and what they parsed) at module level, so a second run in the same
    process would see the first run's files: with ``separate`` (several runs in one scan) each run
    happens in a process forked from this one, which has run none, and prints nothing. A single run
    keeps Checkov's own printout (``Reports.printed``) unless the restriction dropped something.
    """
    if separate and "fork" in multiprocessing.get_all_start_methods():
        reports = Reports(_in_child(argv, env))
    else:
        reports = _run_here(argv, env)
    if keep is not None:
        dropped = [_restrict(report, keep) for report in reports]
        if any(dropped):
            reports.printed = None
    return reports


def _run_here(argv: list[str], env: Mapping[str, str | None], quiet: bool = False) -> Reports:
    network.forget()
    out = io.StringIO()
    quiet_env = {"CHECKOV_NO_OUTPUT": "True"} if quiet else {}
    with isolated_environment({**env, **quiet_env}), contextlib.redirect_stdout(out):
        ckv = _scan_checkov(argv)
        if not ckv.run():
            raise CheckovFailed(
                f"Checkov ended in an error state scanning {' '.join(argv[:2])} (LOG_LEVEL=DEBUG shows why)"
            )
    reports = Reports(getattr(ckv, "scan_reports", []))
    reports.printed = None if quiet else out.getvalue()
    return reports


def _in_child(argv: list[str], env: Mapping[str, str | None]) -> list:
    """``_run_here`` in a forked process, its reports sent back through a pipe."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send(("ok", list(_run_here(argv, env, quiet=True))))
        except BaseException as exc:  # reported by the parent, which has the terminal
            send.send(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            send.close()

    process = context.Process(target=child)
    process.start()
    send.close()
    try:
        status, payload = receive.recv()
    except EOFError:
        status, payload = "error", f"the Checkov run ended without a result (exit code {process.exitcode})"
    process.join()
    if status != "ok":
        raise CheckovFailed(f"Checkov failed on {' '.join(argv[:2])}: {payload}")
    return list(payload)


def _restrict(report: Any, keep: Keep) -> bool:
    """Drop from ``report`` what belongs to files ``keep`` rejects (each file decided once); say
    whether a finding or a parse error was dropped."""
    decided: dict[str, bool] = {}

    def kept(name: str | None) -> bool:
        if not name:
            return True
        if name not in decided:
            decided[name] = keep(Path(name).resolve())
        return decided[name]

    before = sum(len(getattr(report, a)) for a in ("passed_checks", "failed_checks", "skipped_checks"))
    before += len(report.parsing_errors)
    for attr in ("passed_checks", "failed_checks", "skipped_checks"):
        setattr(report, attr, [r for r in getattr(report, attr) if kept(r.file_abs_path or r.file_path)])
    report.parsing_errors = [f for f in report.parsing_errors if kept(f)]
    report.resources = {r for r in report.resources if kept(r.rsplit(":", 1)[0])}
    report.extra_resources = {r for r in report.extra_resources if kept(r.file_abs_path)}
    after = sum(len(getattr(report, a)) for a in ("passed_checks", "failed_checks", "skipped_checks"))
    return after + len(report.parsing_errors) < before


def merge_reports(runs: Iterable[list]) -> list:
    """One report per check type from several runs; a finding two runs both made counts once."""
    internals = importlib.import_module("cn_crossborder.checkov.internals")
    return list(internals.merge_reports(runs))


def render(reports: list, argv: list[str]) -> str:
    """``reports`` printed as one document in the format ``argv`` asks for, as Checkov prints it."""
    out = io.StringIO()
    with isolated_environment(), contextlib.redirect_stdout(out):
        ckv = _scan_checkov(argv)
        ckv.scan_reports = reports
        ckv.print_results()
    return out.getvalue()


def require_checks() -> None:
    """A scan that runs none of our checks must not pass: verify the install before Checkov runs.

    Checkov runs frameworks in worker processes and swallows a check module that fails to import or
    a check that fails to construct, so a broken install would otherwise look like a clean tree: each
    rule's checks are constructed here once (what the generated modules do), loudly.
    """
    try:
        for module in ("cn_crossborder.checkov.checks", "cn_crossborder.checkov.inventory", "cn_crossborder.clouds"):
            importlib.import_module(module)
        rules = all_rules()
        sources = {f: f.read_text(encoding="utf-8") for f in checks_dir().glob("ckv_cnx_*.py")}
        for file, text in sources.items():
            compile(text, str(file), "exec")
        register = importlib.import_module("cn_crossborder.checkov.register").register
        for rule_id in rules:
            if not register(rule_id):
                raise ChecksUnavailable(f"{rule_id} registers no check for any framework")
    except ChecksUnavailable:
        raise
    except Exception as exc:
        raise ChecksUnavailable(
            f"the checks cannot load ({type(exc).__name__}: {exc}); the installation is broken"
        ) from None
    missing = sorted(rid for rid in rules if not any(f'"{rid}"' in text for text in sources.values()))
    if missing:
        raise ChecksUnavailable(f"no check module in {checks_dir()} registers {', '.join(missing)}")
