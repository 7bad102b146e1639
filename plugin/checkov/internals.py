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
4. Terraform JSON (``.tf.json``): Checkov's ``terraform`` runner skips these files and its
   ``terraform_json`` runner gives checks no graph (and names each record ``resource.<name>``). A
   check on such a file reads where it is (``full_file_path``, ``root_folder`` and ``runner_filter``
   locals of the runner's ``run_block``), the tree is read by Checkov's own HCL parser taught to load
   ``.tf.json`` files next to ``.tf`` files (``terraform_tree_graph``: modules, tfvars and variables
   as for HCL), and the record takes the resource's address (``Record`` of the terraform_json runner
   wrapped, the address left in the result under ``ADDRESS_KEY``).
5. A module call whose source resolves to no files is reported on its module block, named
   ``module.<name>`` (the terraform runner's ``Record`` is wrapped the same way; Checkov names module
   records by the bare call name).
6. A scan runs Checkov without ``checkov.main`` (``CheckovScan``): that module imports and constructs
   about thirty runners whatever frameworks are asked for, which is most of the time a small scan
   takes. ``CheckovScan`` does what ``checkov.main.Checkov`` does for the options a scan passes, with
   Checkov's own argument parser, runner filter, runner registry and report printing, and constructs
   only the runners of the frameworks asked for.
7. The reports of several runs (one per directory and policy) are merged with Checkov's own
   ``merge_reports`` into one ``Report`` per check type, each finding once by its
   ``Record.get_unique_string`` (``merge_reports``).

``verify()`` states what each adaptation expects of the installed Checkov and raises
``CheckovChanged`` with a clear message when an upgrade breaks it; the test suite calls it.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import logging
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import checkov.logging_init  # Checkov's logging set-up, imported first as checkov.main does
from checkov.cloudformation import runner as cfn_runner
from checkov.cloudformation.parser import parse as parse_template
from checkov.common.bridgecrew.check_type import checkov_runners
from checkov.common.bridgecrew.integration_features.integration_feature_registry import integration_feature_registry
from checkov.common.bridgecrew.platform_integration import bc_integration
from checkov.common.graph.db_connectors.rustworkx.rustworkx_db_connector import RustworkxConnector
from checkov.common.output.record import Record
from checkov.common.output.report import Report
from checkov.common.output.report import merge_reports as merge_into
from checkov.common.runners import object_runner
from checkov.common.runners.runner_registry import RunnerRegistry
from checkov.common.util.banner import banner, default_tool
from checkov.common.util.ext_argument_parser import ExtArgumentParser, flatten_csv
from checkov.common.util.type_forcers import convert_str_to_bool, convert_str_to_optional_bool
from checkov.runner_filter import RunnerFilter
from checkov.terraform import plan_runner as tf_plan_runner
from checkov.terraform import runner as tf_runner
from checkov.terraform.graph_manager import TerraformGraphManager
from checkov.terraform.tf_parser import TFParser
from checkov.terraform_json import runner as tf_json_runner
from checkov.terraform_json.parser import parse as parse_terraform_json
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


# ------------------------------------------------------------------------------- Terraform JSON files

# Key under which a check of ours leaves the address of the resource it judged, for the
# terraform_json runner, which names its records ``resource.<name>``.
ADDRESS_KEY = "__cn_crossborder_address__"


def move_address(kwargs: dict[str, Any]) -> None:
    """A terraform_json record of one of our checks is named by the resource's address."""
    result = kwargs.get("check_result")
    address = result.pop(ADDRESS_KEY, None) if isinstance(result, dict) else None
    if address:
        kwargs["resource"] = address


@dataclass(frozen=True)
class ScannedTerraform:
    """Where the Terraform file a check is running on lies, as the runner scanning it knows."""

    file: str  # absolute
    root: str  # the directory the runner scans (the file's own with ``-f``)
    var_files: tuple[str, ...]
    excluded_paths: tuple[str, ...]


def scanned_terraform(scanned_file: str) -> ScannedTerraform | None:
    """The Terraform (HCL or JSON) file being checked, read from the runner's ``run_block`` frame."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        local = frame.f_locals
        if local.get("scanned_file") == scanned_file and "full_file_path" in local and "root_folder" in local:
            full = local["full_file_path"]
            path = getattr(full, "file_path", full)
            if isinstance(path, (str, os.PathLike)):
                path = os.path.abspath(os.fspath(path))
                root = local.get("root_folder")
                root = os.path.abspath(os.fspath(root)) if root else os.path.dirname(path)
                runner_filter = local.get("runner_filter")
                var_files = tuple(getattr(runner_filter, "var_files", None) or ())
                excluded = tuple(getattr(runner_filter, "excluded_paths", None) or ())
                return ScannedTerraform(path, root, var_files, excluded)
        frame = frame.f_back
    return None


_LINE_KEYS = {"__startline__": "__start_line__", "__endline__": "__end_line__"}


def _hcl_line_keys(value: Any, in_dynamic: bool = False) -> Any:
    """Terraform JSON definitions with the line keys Checkov's HCL definitions use.

    Inside a ``dynamic`` block there are none: Checkov's HCL parser writes none there, and its graph
    builder, meeting a line number where it expects a block, drops the whole resource (``Failed to add
    block``), which would leave a route table written with ``dynamic "route"`` unjudged."""
    if isinstance(value, dict):
        return {
            _LINE_KEYS.get(k, k): _hcl_line_keys(v, in_dynamic or k == "dynamic")
            for k, v in value.items()
            if not (in_dynamic and k in _LINE_KEYS)
        }
    if isinstance(value, list):
        return [_hcl_line_keys(v, in_dynamic) for v in value]
    return value


class TerraformJsonAwareParser(TFParser):
    """Checkov's HCL parser, loading each directory's ``.tf.json`` files with its ``.tf`` files (the
    terraform_json parser turns them into the same definitions), so a module written in JSON, in
    HCL or in both is one module, with its modules, tfvars and variables read as for HCL."""

    def handle_variables(self, dir_contents: list[Any], vars_files: Any, specified_vars: Any) -> list[str]:
        files: list[str] = super().handle_variables(dir_contents, vars_files, specified_vars)
        json_files = []
        for entry in dir_contents:
            try:
                if entry.name.endswith(".tf.json") and entry.is_file():
                    json_files.append(entry.path)
            except OSError:
                continue
        return files + sorted(json_files)

    def _load_files(self, files: list[str]) -> list[tuple[str, Any]]:
        json_files = [f for f in files if f.endswith(".tf.json")]
        loaded: list[tuple[str, Any]] = super()._load_files([f for f in files if not f.endswith(".tf.json")])
        for file in json_files:
            data = self.loaded_files_map.get(file)
            if data is None:
                template, _ = parse_terraform_json(Path(file))
                data = _hcl_line_keys(template) if template else None
                if data is None:
                    self.out_parsing_errors[file] = ValueError(f"{file} is not valid Terraform JSON")
            loaded.append((file, data))
        return loaded


def terraform_tree_graph(
    root: str, var_files: Sequence[str] = (), excluded_paths: Sequence[str] = ()
) -> tuple[Any, dict[str, Exception]]:
    """Checkov's Terraform graph of the tree under ``root``, ``.tf.json`` files included, and the
    files it could not parse. Nothing is downloaded."""
    manager = TerraformGraphManager(db_connector=RustworkxConnector())
    manager.parser = TerraformJsonAwareParser()
    errors: dict[str, Exception] = {}
    local_graph, _ = manager.build_graph_from_source_directory(
        root,
        render_variables=True,
        parsing_errors=errors,
        download_external_modules=False,
        excluded_paths=list(excluded_paths) or None,
        vars_files=list(var_files) or None,
    )
    return manager.save_graph(local_graph), errors


# ----------------------------------------------------------------------- a scan without checkov.main

# The runner of each framework a scan may run, by Checkov's framework name.
RUNNERS: dict[str, Callable[[], Any]] = {
    "terraform": tf_runner.Runner,
    "terraform_json": tf_json_runner.TerraformJsonRunner,
    "terraform_plan": tf_plan_runner.Runner,
    "cloudformation": cfn_runner.Runner,
    "yaml": YamlRunner,
}


def keep_no_debug_log() -> None:
    """Let Checkov's loggers drop what no handler prints. ``checkov.logging_init`` sets the root
    logger to DEBUG so that an in-memory copy of every debug message can go with a platform upload,
    which a scan never makes; formatting those messages (several per check call) is a measurable
    part of a large scan. ``LOG_LEVEL`` still decides what is printed."""
    root = logging.getLogger()
    printed = [h.level for h in root.handlers if getattr(h, "stream", None) is not checkov.logging_init.log_stream]
    root.setLevel(min(printed, default=logging.WARNING) or logging.DEBUG)


class CheckovScan:
    """One Checkov scan configured by ``argv`` alone (no ``.checkov.yaml``, no configuration
    variable, no platform key), run as ``checkov.main.Checkov`` runs it for the options a scan
    passes: ``-d``/``-f``, ``--framework`` (of ``RUNNERS``), ``--external-checks-dir``, ``--check``,
    ``--skip-download``, ``-o``, ``--var-file``, ``--custom-tool-name``."""

    def __init__(self, argv: list[str]) -> None:
        self.parser = ExtArgumentParser(description="cn-crossborder scan", default_config_files=[])
        self.parser.add_parser_args()
        config = self.parser.parse_args(argv, env_vars={})
        # what Checkov.normalize_config does to these options without a platform key
        config.include_all_checkov_policies = True
        config.framework = flatten_csv(config.framework) if config.framework else ["terraform"]
        config.skip_framework = flatten_csv(config.skip_framework) if config.skip_framework else []
        config.mask = defaultdict(set)
        if config.file:
            config.file = list(itertools.chain.from_iterable(config.file))
        if config.var_file:
            config.var_file = [os.path.abspath(f) for f in config.var_file]
        if config.output is None:
            config.output = ["cli"]
        unknown = [f for f in config.framework if f not in RUNNERS]
        if unknown:
            raise ValueError(f"a scan runs no Checkov framework named {', '.join(unknown)}")
        self.config: argparse.Namespace = config
        self.scan_reports: list[Any] = []
        self.registry: Any = None

    def runner_filter(self) -> Any:
        config = self.config
        return RunnerFilter(
            framework=config.framework,
            skip_framework=config.skip_framework,
            checks=config.check,
            skip_checks=config.skip_check,
            include_all_checkov_policies=True,
            download_external_modules=convert_str_to_optional_bool(config.download_external_modules),
            external_modules_download_path=config.external_modules_download_path,
            evaluate_variables=bool(convert_str_to_bool(config.evaluate_variables)),
            runners=checkov_runners,
            excluded_paths=config.skip_path or [],
            all_external=config.run_all_external_checks,
            var_files=config.var_file,
            show_progress_bar=not config.quiet,
            resource_attr_to_omit=config.mask,
        )

    def make_registry(self) -> Any:
        tool = self.config.custom_tool_name or default_tool
        runners = [RUNNERS[framework]() for framework in self.config.framework]
        return RunnerRegistry(banner, self.runner_filter(), *runners, tool=tool)

    def run(self) -> bool:
        """Scan every ``-d`` directory (or the ``-f`` files) and print the reports, as Checkov does;
        False when a runner ended in an error state (where ``checkov`` exits 2 without a report)."""
        config = self.config
        bc_integration.skip_download = True
        keep_no_debug_log()
        config.repo_id = bc_integration.persist_repo_id(config)
        integration_feature_registry.config = config
        integration_feature_registry.run_pre_scan()  # licensing: open-source runners without a key
        self.registry = registry = self.make_registry()
        if config.directory:
            for root in config.directory:
                self.scan_reports = registry.run(
                    root_folder=root, external_checks_dir=config.external_checks_dir, files=config.file
                )
                if registry.is_error_in_reports(self.scan_reports):
                    return False
                self.print_results()
        elif config.file:
            registry.filter_runners_for_files(config.file)
            self.scan_reports = registry.run(external_checks_dir=config.external_checks_dir, files=config.file)
            if registry.is_error_in_reports(self.scan_reports):
                return False
            self.print_results()
        return True

    def print_results(self) -> None:
        """``scan_reports`` printed as Checkov prints them (unless ``CHECKOV_NO_OUTPUT`` is set)."""
        if convert_str_to_bool(os.getenv("CHECKOV_NO_OUTPUT", "False")):
            return
        tool = self.config.custom_tool_name or default_tool
        registry = self.registry or RunnerRegistry(banner, self.runner_filter(), tool=tool)
        registry.print_reports(scan_reports=self.scan_reports, config=self.config)


# ---------------------------------------------------------------------------------- install, verify


def install(yaml_record: Callable[[dict[str, Any]], None], yaml_parse: ParseHook) -> None:
    """Install every adaptation (idempotent, thread-safe)."""
    wrap_record_constructor(cfn_runner, move_details)
    wrap_record_constructor(object_runner, yaml_record)
    wrap_record_constructor(tf_json_runner, move_address)
    wrap_record_constructor(tf_runner, move_address)
    hook_yaml_parse(yaml_parse)


def merge_reports(runs: Iterable[list[Any]]) -> list[Any]:
    """One report per check type from several runs; a finding two runs both made counts once."""
    merged: dict[str, Any] = {}
    for reports in runs:
        for report in reports:
            base = merged.setdefault(report.check_type, Report(report.check_type))
            merge_into(base, report)
    for report in merged.values():
        for attr in ("passed_checks", "failed_checks", "skipped_checks"):
            unique = {r.get_unique_string(): r for r in getattr(report, attr)}
            setattr(report, attr, list(unique.values()))
        report.parsing_errors = list(dict.fromkeys(report.parsing_errors))
    return list(merged.values())


def verify() -> None:
    """Raise ``CheckovChanged`` naming what moved when the installed Checkov breaks an adaptation."""
    problems = []
    for module in (cfn_runner, object_runner, tf_json_runner, tf_runner):
        if not callable(getattr(module, "Record", None)):
            problems.append(f"{module.__name__} no longer builds records through a module-level `Record`")
    for runner in (tf_runner.Runner, tf_json_runner.TerraformJsonRunner):
        names = inspect.signature(runner.run_block).parameters
        if not {"full_file_path", "root_folder", "scanned_file", "runner_filter"} <= set(names):
            problems.append(
                f"{runner.__module__}.{runner.__name__}.run_block no longer has the parameters "
                "`full_file_path`, `root_folder`, `scanned_file` and `runner_filter`"
            )
    for method, wanted in (
        ("handle_variables", {"dir_contents", "vars_files", "specified_vars"}),
        ("_load_files", {"files"}),
    ):
        found = getattr(TFParser, method, None)
        if found is None or not wanted <= set(inspect.signature(found).parameters):
            problems.append(f"checkov.terraform.tf_parser.TFParser.{method} is gone or takes other parameters")
    if "vars_files" not in inspect.getsource(TerraformGraphManager.build_graph_from_source_directory):
        problems.append("TerraformGraphManager.build_graph_from_source_directory no longer passes `vars_files`")
    if "_parse_file" not in YamlRunner.__dict__:
        problems.append("checkov.yaml_doc.runner.Runner no longer defines `_parse_file`")
    source = inspect.getsource(cfn_runner)
    if "cf_file" not in source or "file_abs_path" not in source:
        problems.append("the CloudFormation runner no longer names its locals `cf_file` and `file_abs_path`")
    if "Record(" not in inspect.getsource(object_runner):
        problems.append("checkov.common.runners.object_runner no longer calls `Record(`")
    if not {"base_report", "report_to_merge"} <= set(inspect.signature(merge_into).parameters):
        problems.append("checkov.common.output.report.merge_reports no longer takes `base_report, report_to_merge`")
    if not callable(getattr(Record, "get_unique_string", None)):
        problems.append("checkov.common.output.record.Record no longer has `get_unique_string`")
    problems += _verify_scan()
    if problems:
        raise CheckovChanged(
            "cn-crossborder relies on Checkov internals that changed: " + "; ".join(problems) + ". "
            "Pin the Checkov range in pyproject.toml or adapt cn_crossborder/checkov/internals.py."
        )


def _verify_scan() -> list[str]:
    """What ``CheckovScan`` expects of Checkov: the parameters it passes and the options it reads."""
    problems = []
    wanted: dict[str, tuple[Callable[..., Any], set[str]]] = {
        "RunnerFilter": (
            RunnerFilter.__init__,
            {
                "framework",
                "checks",
                "skip_checks",
                "include_all_checkov_policies",
                "var_files",
                "download_external_modules",
                "excluded_paths",
                "resource_attr_to_omit",
                "runners",
            },
        ),
        "RunnerRegistry.run": (RunnerRegistry.run, {"root_folder", "external_checks_dir", "files"}),
        "RunnerRegistry.print_reports": (RunnerRegistry.print_reports, {"scan_reports", "config"}),
    }
    for name, (function, parameters) in wanted.items():
        missing = parameters - set(inspect.signature(function).parameters)
        if missing:
            problems.append(f"{name} no longer takes {', '.join(sorted(missing))}")
    for framework in RUNNERS:
        if framework not in checkov_runners:
            problems.append(f"Checkov no longer has a framework named {framework}")
    parser = ExtArgumentParser(description="verify", default_config_files=[])
    parser.add_parser_args()
    config = parser.parse_args(["-d", ".", "--framework", "terraform"], env_vars={})
    options = (
        "directory",
        "file",
        "framework",
        "skip_framework",
        "external_checks_dir",
        "check",
        "skip_check",
        "output",
        "var_file",
        "custom_tool_name",
        "download_external_modules",
        "evaluate_variables",
        "skip_path",
        "run_all_external_checks",
        "quiet",
        "compact",
        "output_file_path",
        "repo_id",
    )
    gone = [name for name in options if not hasattr(config, name)]
    if gone:
        problems.append(f"Checkov's argument parser no longer sets {', '.join(gone)}")
    return problems
