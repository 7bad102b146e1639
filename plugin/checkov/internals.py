"""Every place where cn-crossborder relies on Checkov internals, in one module.

Checkov's public surface for external checks is a check class with a ``scan_*_conf`` method. Three
things cn-crossborder needs are not on it, and each is adapted here, explicitly installed by
``install()`` (which the generated check modules call), never as a side effect of constructing a
check:

1. Records of the CloudFormation and yaml runners are built without the check's ``details``: the
   ``Record`` name those runners' modules use is wrapped so that details (and, for inventories, the
   item's name and an exemption's reason) travel from the result into the record.
2. The yaml runner drops a file it cannot parse without a word: an inventory that is not valid YAML
   becomes a stub that the per-file inventory checks fail.
3. CloudFormation checks get a path relative to the scan root; the runner's frame still holds the
   absolute path of the template (``cf_file`` / ``file_abs_path`` locals).

``verify()`` states what each adaptation expects of the installed Checkov and raises
``CheckovChanged`` with a clear message when an upgrade breaks it; the test suite calls it.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
from collections.abc import Callable, Mapping
from types import FrameType, ModuleType
from typing import Any

from checkov.cloudformation import runner as cfn_runner
from checkov.cloudformation.parser import parse as parse_template
from checkov.common.runners import object_runner
from checkov.yaml_doc.runner import Runner as YamlRunner

# Key under which a check of ours leaves its details in a result dict, for runners that build their
# records without details (CloudFormation, yaml); the wrapped record constructor moves them into place.
DETAILS_KEY = "__cn_crossborder_details__"

_lock = threading.Lock()


class CheckovChanged(RuntimeError):
    """The installed Checkov no longer offers what an adaptation relies on."""


# --------------------------------------------------------------------------- record constructors


def wrap_record_constructor(module: ModuleType, adjust: Callable[[dict[str, Any]], None]) -> None:
    """Make ``module.Record(...)`` pass its keyword arguments through ``adjust`` first (once per module)."""
    with _lock:
        original = module.Record
        if getattr(original, "__cn_crossborder_adjust__", None) is adjust:
            return

        def record(*args: Any, **kwargs: Any) -> Any:
            adjust(kwargs)
            return original(*args, **kwargs)

        vars(record)["__cn_crossborder_adjust__"] = adjust  # marks the wrapper, so it is installed once
        vars(module)["Record"] = record


def move_details(kwargs: dict[str, Any]) -> None:
    """A record of one of our checks takes the details its check left in the result."""
    result = kwargs.get("check_result")
    details = result.pop(DETAILS_KEY, None) if isinstance(result, dict) else None
    if details and not kwargs.get("details"):
        kwargs["details"] = details


# ------------------------------------------------------------------------- the yaml runner's parse

ParseHook = Callable[[Callable[..., Any], str, "str | None"], Any]
_yaml_parse_hook: ParseHook | None = None
_original_yaml_parse: Callable[..., Any] | None = None


def _yaml_parse(f: str, file_content: str | None = None) -> Any:
    assert _original_yaml_parse is not None and _yaml_parse_hook is not None
    return _yaml_parse_hook(_original_yaml_parse, f, file_content)


def hook_yaml_parse(hook: ParseHook) -> None:
    """Route the yaml runner's ``_parse_file`` through ``hook(original, path, content)`` (idempotent)."""
    global _original_yaml_parse, _yaml_parse_hook
    with _lock:
        _yaml_parse_hook = hook
        current = YamlRunner.__dict__.get("_parse_file")
        if getattr(current, "__func__", None) is _yaml_parse:
            return
        _original_yaml_parse = current.__func__ if isinstance(current, staticmethod) else current
        YamlRunner._parse_file = staticmethod(_yaml_parse)  # type: ignore[method-assign]  # patching Checkov


# ------------------------------------------------------------------------ CloudFormation templates


def template_path(scanned_file: str) -> str | None:
    """The absolute path of the template Checkov is checking, read from the runner's frame."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        local = frame.f_locals
        if local.get("cf_file") == scanned_file and isinstance(local.get("file_abs_path"), str):
            return str(local["file_abs_path"])
        frame = frame.f_back
    candidate = os.path.abspath(scanned_file.lstrip("/"))
    return candidate if os.path.isfile(candidate) else None


def load_template(path: str) -> Mapping[str, Any] | None:
    """A CloudFormation template through Checkov's own parser (with its line markers)."""
    template, _ = parse_template(path, {})
    return template if isinstance(template, Mapping) else None


# ---------------------------------------------------------------------------------- install, verify


def install(yaml_record: Callable[[dict[str, Any]], None], yaml_parse: ParseHook) -> None:
    """Install every adaptation (idempotent, thread-safe)."""
    wrap_record_constructor(cfn_runner, move_details)
    wrap_record_constructor(object_runner, yaml_record)
    hook_yaml_parse(yaml_parse)


def verify() -> None:
    """Raise ``CheckovChanged`` naming what moved when the installed Checkov breaks an adaptation."""
    problems = []
    for module in (cfn_runner, object_runner):
        if not callable(getattr(module, "Record", None)):
            problems.append(f"{module.__name__} no longer builds records through a module-level `Record`")
    if "_parse_file" not in YamlRunner.__dict__:
        problems.append("checkov.yaml_doc.runner.Runner no longer defines `_parse_file`")
    source = inspect.getsource(cfn_runner)
    if "cf_file" not in source or "file_abs_path" not in source:
        problems.append("the CloudFormation runner no longer names its locals `cf_file` and `file_abs_path`")
    if "Record(" not in inspect.getsource(object_runner):
        problems.append("checkov.common.runners.object_runner no longer calls `Record(`")
    if problems:
        raise CheckovChanged(
            "cn-crossborder relies on Checkov internals that changed: " + "; ".join(problems) + ". "
            "Pin the Checkov range in pyproject.toml or adapt cn_crossborder/checkov/internals.py."
        )
