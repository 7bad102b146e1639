"""Checkov run in-process, offline, with only cn-crossborder's checks: the one place that starts it.

Checkov is imported only when a scan starts, so ``checks``, ``explain`` and ``policy validate``
answer without loading it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
from importlib import resources
from pathlib import Path

from cn_crossborder.rules import all_rules


class ChecksUnavailable(Exception):
    """The check modules cannot load: the installation is broken."""


FRAMEWORKS = ("terraform", "terraform_plan", "cloudformation", "yaml")

# Everything that would make Checkov reach the network, turned off.
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "DOWNLOAD_EXTERNAL_MODULES": "false",
    "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR"),
}


def checks_dir() -> Path:
    return Path(str(resources.files("cn_crossborder.checks")))


def checkov_argv(args: argparse.Namespace, paths: list[Path], fmt: str) -> list[str]:
    argv: list[str] = []
    for path in paths:
        argv += ["-f", str(path)] if path.is_file() else ["-d", str(path)]
    argv += ["--framework", *FRAMEWORKS]
    argv += ["--external-checks-dir", str(checks_dir()), "--check", "CKV_CNX_*"]
    argv += ["--skip-download", "-o", fmt]
    for var_file in args.var_file or ():
        argv += ["--var-file", var_file]
    if fmt == "sarif":
        argv += ["--custom-tool-name", "cn-crossborder"]
    return argv


def run_checkov(argv: list[str]) -> tuple[int, str, list]:
    """Run Checkov in-process; return its exit code, what it printed and its reports."""
    from checkov.main import Checkov

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ckv = Checkov(argv=argv)
        code = ckv.run() or 0
    return int(code), out.getvalue(), list(getattr(ckv, "scan_reports", []))


def require_checks() -> None:
    """A scan that runs none of our checks must not pass: verify the install before Checkov runs.

    Checkov runs frameworks in worker processes and swallows a check module that fails to import,
    so a broken install would otherwise look like a clean tree.
    """
    try:
        for module in ("cn_crossborder.checkov.checks", "cn_crossborder.checkov.inventory", "cn_crossborder.clouds"):
            importlib.import_module(module)
        rules = all_rules()
        sources = {f: f.read_text(encoding="utf-8") for f in checks_dir().glob("ckv_cnx_*.py")}
        for file, text in sources.items():
            compile(text, str(file), "exec")
    except Exception as exc:
        raise ChecksUnavailable(
            f"the checks cannot load ({type(exc).__name__}: {exc}); the installation is broken"
        ) from None
    missing = sorted(rid for rid in rules if not any(f'"{rid}"' in text for text in sources.values()))
    if missing:
        raise ChecksUnavailable(f"no check module in {checks_dir()} registers {', '.join(missing)}")
