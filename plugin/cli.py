"""The ``cn-crossborder`` command: scan, checks-dir, checks, explain, policy validate.

``scan`` runs Checkov in this process with only our checks, offline (no guideline download, no
version check, no platform), with the policy and evaluation date passed through the environment
so that the checks (which also run under plain Checkov) read them the same way.
Exit codes: 0 nothing failed, 1 something failed or a file (a template, an inventory) could not
be parsed, 2 usage or configuration error (the report's destination is checked before the scan).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from cn_crossborder import __version__
from cn_crossborder.baseline import BASELINE_FILENAME, BaselineError, apply_baseline, load_baseline, write_baseline
from cn_crossborder.checkov.runner import (
    CheckovFailed,
    ChecksUnavailable,
    Reports,
    checkov_argv,
    checks_dir,
    isolated_environment,
    merge_reports,
    render,
    require_checks,
    run_checkov,
)
from cn_crossborder.domain.context import AS_OF_ENV, parse_as_of
from cn_crossborder.domain.policy import POLICY_ENV, discover_policy, load_policy, unmatched_exemptions
from cn_crossborder.domain.yamlsrc import InputError, Problem
from cn_crossborder.explain import explain
from cn_crossborder.precommit import scan_roots
from cn_crossborder.reports.junit import render_junit
from cn_crossborder.reports.markdown import render_markdown
from cn_crossborder.reports.sarif import render_sarif
from cn_crossborder.rules import all_rules
from cn_crossborder.scope import Run, Scope, target
from cn_crossborder.sources.cloudformation import REGION_ENV
from cn_crossborder.sources.inventory import find_inventories, load_inventory
from cn_crossborder.sources.kinds import input_kind, unreadable_inputs
from cn_crossborder.starter import refuse_overwrite, write_starter_policy
from cn_crossborder.verdicts import UNREAD_MODULE_KEY, recorded_finding

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = ("cli", "json", "sarif", "junitxml", "markdown")


class UsageError(Exception):
    """A problem with the command line or configuration: exit 2 with a one-line message."""


def _error(message: str) -> None:
    print(f"cn-crossborder: error: {message}", file=sys.stderr)


def _resolve_scope(args: argparse.Namespace, paths: list[Path]) -> Scope:
    """Each path with its own policy (``--policy``, else the environment's, else the nearest one);
    every policy involved must load, else InputError with the problems of all of them."""
    explicit = args.policy
    if explicit and not Path(explicit).is_file():
        raise UsageError(f"policy file {explicit} does not exist")
    targets = [target(path, discover_policy(path, explicit=explicit)) for path in paths]
    problems = []
    for policy in dict.fromkeys(t.policy for t in targets if t.policy is not None):
        try:
            load_policy(policy)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return Scope(targets)


def _broken_inventories(paths: list[Path]) -> list[Problem]:
    """Every problem of every network inventory under ``paths`` that does not load.

    A broken inventory does not stop the scan: the other files are still judged and the report is
    still written; Checkov's yaml framework fails every check on the broken file, and the run
    names it and fails (exit 1).
    """
    problems: list[Problem] = []
    for file in find_inventories(paths):
        try:
            load_inventory(file)
        except InputError as exc:
            problems += exc.problems
    return problems


def _check_output(output: str | None, option: str = "--output") -> None:
    """The report must have somewhere to go: say so before a scan that would otherwise be lost."""
    if not output:
        return
    target = Path(output)
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UsageError(f"{option} {output} is a directory; name a file")
    if not parent.is_dir():
        raise UsageError(f"{option} {output}: directory {parent} does not exist")
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError(f"{option} {output} is not writable")
    if not target.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {output}: directory {parent} is not writable")


def _check_path(path: Path) -> None:
    """A path to scan must exist, be readable, and (a file) be an input of ours: never a silent pass."""
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise UsageError(f"{path} cannot be read")
    if path.is_file() and input_kind(path) is None:
        raise UsageError(
            f"{path} is not an input cn-crossborder reads (Terraform .tf/.tf.json/.tfvars, a plan JSON, "
            "a CloudFormation template or a network inventory); it would not be scanned"
        )


def _check_var_files(var_files: list[str] | None) -> None:
    for var_file in var_files or ():
        if not Path(var_file).is_file():
            raise UsageError(f"--var-file {var_file} does not exist")


def _write_report(output: str | None, printed: str) -> None:
    if not output:
        _print_report(printed)
        return
    _write(Path(output), printed, "--output")


def _print_report(printed: str) -> None:
    """``printed`` on standard output. Checkov wraps ``sys.stdout`` in colorama's converter, which
    scans every character for terminal escapes to strip; a report without any (JSON never has one)
    goes straight to the stream beneath, which for a large tree is much faster."""
    stream = sys.stdout
    raw = getattr(stream, "buffer", None)
    if raw is None or "\x1b" in printed:
        stream.write(printed)
        return
    stream.flush()
    raw.write(printed.encode(getattr(stream, "encoding", None) or "utf-8", errors="backslashreplace"))
    raw.flush()


def _is_ours(file: str) -> bool:
    """Whether a file Checkov could not parse is an input of ours (Terraform, plan JSON, inventory,
    CloudFormation template). Other JSON and YAML (Helm templates, package files) are not scanned
    by any check of ours, so their syntax is none of our business."""
    if not os.access(file, os.R_OK):
        return True  # named by Checkov but unreadable: do not hide it
    return input_kind(file) is not None


def cmd_scan(args: argparse.Namespace) -> int:
    """Scan with Checkov's own configuration variables out of the environment from the start: some
    are read when Checkov is imported, and none may deselect our checks or reach a service."""
    with isolated_environment():
        return _scan(args)


def _scan(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in (args.paths or ["."])]
    if args.changed_files:
        paths = scan_roots(paths)
        if not paths:
            print(
                "cn-crossborder: nothing to scan (no input of cn-crossborder and no policy file among the changes)",
                file=sys.stderr,
            )
            return EXIT_OK
    for path in paths:
        _check_path(path)
    try:
        as_of = parse_as_of(args.as_of)
    except ValueError as exc:
        raise UsageError(f"--as-of: {exc}") from None
    _check_output(args.output)
    _check_output(args.summary, "--summary")
    _check_var_files(args.var_file)
    scope = _resolve_scope(args, paths)
    known = _load_baseline(args)
    broken = _broken_inventories(paths)
    unreadable = unreadable_inputs(paths)
    os.environ[AS_OF_ENV] = as_of.isoformat()
    if args.region:
        os.environ[REGION_ENV] = args.region.strip()
    fmt = "json" if args.format in ("markdown", "sarif", "junitxml") else args.format
    try:
        require_checks()
    except ChecksUnavailable as exc:
        raise UsageError(str(exc)) from None
    runs = list(scope.runs())
    results = [
        _run(scope, run, args, fmt, (index, len(runs)), separate=len(runs) > 1) for index, run in enumerate(runs, 1)
    ]
    reports = merge_reports(results)
    foreign = _drop_foreign_parse_errors(reports)
    unread = _unread_modules(reports)  # before a baseline sets known findings aside: not a finding to accept
    # One run whose report nothing changed: Checkov's own printout stands (and costs nothing more).
    as_printed = results[0].printed if len(results) == 1 and known is None and not foreign else None
    if args.command in ("baseline", "init"):
        _after_scan(args, paths, reports)
        not_scanned = _report_not_scanned(reports, broken, unreadable, unread)
        print(summary_line(reports, len(not_scanned), len(paths)), file=sys.stderr)
        return EXIT_FAILED if not_scanned or unread else EXIT_OK
    compared = apply_baseline(Path(args.baseline), known, reports, paths) if known is not None else None
    known_records = compared.known if compared else None
    if args.format == "markdown":
        printed = render_markdown(reports, known_records)
    elif args.format == "sarif":
        printed = render_sarif(reports)
    elif args.format == "junitxml":
        printed = render_junit(reports)
    elif as_printed is not None:
        printed = as_printed
    else:
        printed = render(reports, checkov_argv(args, paths, fmt))
    if args.summary:
        _write(Path(args.summary), render_markdown(reports, known_records), "--summary")
    if compared is not None:
        print(f"cn-crossborder: {compared.summary()}", file=sys.stderr)
    _write_report(args.output, printed)
    not_parsed = _report_not_scanned(reports, broken, unreadable, unread)
    for problem in _stale_exemptions(scope, reports):
        print(f"cn-crossborder: warning: {problem}", file=sys.stderr)
    failed = any(getattr(r, "failed_checks", None) for r in reports)
    print(summary_line(reports, len(not_parsed), len(paths)), file=sys.stderr)
    if not_parsed or unread:
        return EXIT_FAILED
    if failed and not args.soft_fail:
        return EXIT_FAILED
    return EXIT_OK


def _report_not_scanned(reports: list, broken: list[Problem], unreadable: list, unread: list[dict]) -> set[str]:
    """Name on standard error every input of ours the scan could not judge (a file not parsed, a
    broken inventory, an unreadable file, a module not read); return the files not parsed. Any of
    them fails the run, whichever command scanned."""
    unparsed = {str(f) for r in reports for f in getattr(r, "parsing_errors", [])}
    parse_errors = sorted(f for f in unparsed if _is_ours(f))
    for file in parse_errors:
        _error(f"{file} could not be parsed; it was not scanned")
    for file in sorted({p.file for p in broken}):
        _error(f"{file} is not a valid network inventory; every check fails on it:")
        for problem in broken:
            if problem.file == file:
                print(f"  {problem}", file=sys.stderr)
    for unreadable_file, why in unreadable:
        _error(
            f"{unreadable_file} cannot be read ({why}); it was not scanned, and it may be a plan, a template "
            "or a network inventory"
        )
    for module in unread:
        _error(
            f'{module["file"]}:{module["line"]}: module "{module["name"]}" (source {module["source"]}) '
            f"could not be read: {module['why']}; nothing in it was scanned"
        )
    return set(parse_errors) | {str(p.file) for p in broken} | {str(f) for f, _ in unreadable}


def _drop_foreign_parse_errors(reports: list) -> bool:
    """Keep in the reports only the unparsable files that are inputs of ours (say whether any other
    was dropped). A framework run for one of our inputs may try every JSON or YAML file of the tree
    (the plan framework reports each JSON file it cannot parse); a file no check of ours would read
    neither fails the run nor appears as an error of this scan."""
    dropped = False
    for report in reports:
        errors = getattr(report, "parsing_errors", None) or []
        kept = [f for f in errors if _is_ours(str(f))]
        if len(kept) < len(errors):
            report.parsing_errors = kept
            dropped = True
    return dropped


def _stale_exemptions(scope: Scope, reports: list) -> list[Problem]:
    """Exemptions that silence nothing this scan judged, in each policy whose whole directory the
    scan covered (a scan of part of the tree, as pre-commit makes, cannot tell a stale exemption
    from one for a resource elsewhere). A warning: the exemption is harmless, but likely a typo or
    left behind by a rename."""
    judged = {
        (str(rec.check_id), str(rec.resource))
        for report in reports
        for attr in ("passed_checks", "failed_checks", "skipped_checks")
        for rec in getattr(report, attr, None) or []
    }
    policies = {
        t.policy
        for t in scope.targets
        if t.policy is not None and not t.is_file and (t.path == t.policy.parent or t.path in t.policy.parent.parents)
    }
    problems: list[Problem] = []
    for policy in sorted(policies):
        try:
            problems += unmatched_exemptions(policy, judged)
        except InputError:
            continue  # an invalid policy stopped the scan before; nothing more to say here
    return problems


def _unread_modules(reports: list) -> list[dict]:
    """Module calls whose source resolves to no files, as the checks found them (each once; an
    exempted one is not counted). Like a file that cannot be parsed, each fails the run."""
    found: dict[tuple[str, str, str], dict] = {}
    for report in reports:
        for rec in getattr(report, "failed_checks", None) or []:
            module = recorded_finding(rec).get(UNREAD_MODULE_KEY)
            if isinstance(module, dict):
                found.setdefault((str(module["file"]), str(module["line"]), str(module["name"])), module)
    return [found[key] for key in sorted(found)]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(reports: list, unparsed: int, paths: int) -> str:
    """The closing line of every scan, whatever the format: what was judged, in how many paths."""
    counts = {
        attr: sum(len(getattr(r, f"{attr}_checks", None) or []) for r in reports)
        for attr in ("failed", "passed", "skipped")
    }
    parts = [f"{counts['failed']} failed", f"{counts['passed']} passed", f"{counts['skipped']} skipped"]
    if unparsed:
        parts.append(f"{_plural(unparsed, 'file')} not parsed")
    return f"cn-crossborder: {', '.join(parts)} in {_plural(paths, 'path')}"


def _progress(message: str) -> None:
    """Progress of a long scan, for a person watching a terminal; logs and pipes stay clean."""
    if sys.stderr.isatty():
        print(f"cn-crossborder: {message}", file=sys.stderr, flush=True)


def _run(scope: Scope, run: Run, args: argparse.Namespace, fmt: str, step: tuple[int, int], separate: bool) -> Reports:
    """One Checkov run of ``scope``: its directory under its policy, its own findings only."""
    policy = str(run.policy) if run.policy else None
    env = {POLICY_ENV: policy}
    _progress(f"[{step[0]}/{step[1]}] scanning {run.directory} (policy: {policy or 'embedded defaults'})")
    argv = checkov_argv(args, [run.directory], fmt)
    reports = run_checkov(argv, env, lambda file: scope.keeps(run, file), separate=separate)
    resources = sum(len(getattr(r, "resources", None) or ()) for r in reports)
    judged = sum(len(getattr(r, f"{a}_checks", None) or []) for r in reports for a in ("failed", "passed", "skipped"))
    _progress(f"[{step[0]}/{step[1]}] {run.directory}: {_plural(resources, 'resource')}, {judged} verdicts")
    return reports


def _load_baseline(args: argparse.Namespace) -> frozenset[str] | None:
    """The fingerprints of ``--baseline``, read before the scan: a bad file is a usage error."""
    if not getattr(args, "baseline", None):
        return None
    try:
        return load_baseline(Path(args.baseline))
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _write(file: Path, text: str, what: str) -> None:
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{what} {file} cannot be written: {exc.strerror or exc}") from None


def _after_scan(args: argparse.Namespace, paths: list[Path], reports: list) -> None:
    """``baseline`` and ``init`` scan like ``scan`` and write a file from what the scan found."""
    try:
        if args.command == "baseline":
            count = write_baseline(Path(args.output), reports, paths)
            print(f"cn-crossborder: wrote {count} known finding(s) to {args.output}", file=sys.stderr)
        else:
            as_of = parse_as_of(args.as_of)  # checked before the scan
            target = write_starter_policy(paths[0], reports, paths, force=args.force, as_of=as_of)
            print(f"cn-crossborder: wrote {target}; complete the entries marked TODO", file=sys.stderr)
    except (BaselineError, FileExistsError) as exc:
        raise UsageError(str(exc)) from None


def cmd_init(args: argparse.Namespace) -> int:
    """Refuse an existing policy before scanning, then scan as ``scan`` does and write the starter."""
    path = Path(args.path or ".")
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    try:
        refuse_overwrite(path, args.force)
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    args.paths = [str(path)]
    return cmd_scan(args)


def cmd_checks_dir(_: argparse.Namespace) -> int:
    print(checks_dir())
    return EXIT_OK


def cmd_checks(_: argparse.Namespace) -> int:
    for rule in all_rules().values():
        print(f"{rule.id}  {rule.severity:<8} {rule.title}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    try:
        print(explain(args.check_id))
    except KeyError:
        raise UsageError(f"no check {args.check_id}; run `cn-crossborder checks` for the list") from None
    return EXIT_OK


def cmd_policy_validate(args: argparse.Namespace) -> int:
    for file in args.files:
        if not Path(file).is_file():
            raise UsageError(f"policy file {file} does not exist")
    problems = 0
    for file in args.files:
        try:
            load_policy(file)
            print(f"{file}: valid")
        except InputError as exc:
            problems += len(exc.problems)
            for problem in exc.problems:
                print(problem, file=sys.stderr)
    return EXIT_USAGE if problems else EXIT_OK


def _add_baseline_commands(sub: argparse._SubParsersAction) -> None:
    """``baseline`` and ``init``: a scan with ``scan``'s inputs whose result is a file."""
    common = {"format": "json", "changed_files": False, "soft_fail": True, "baseline": None, "summary": None}
    baseline = sub.add_parser("baseline", help="write a baseline of today's failed findings")
    init = sub.add_parser("init", help="write a starter .cn-crossborder.yaml from what a scan found unknown")
    baseline.add_argument("paths", nargs="*", metavar="PATH", help="directories or files (default: .)")
    baseline.add_argument("--output", metavar="FILE", default=BASELINE_FILENAME, help=f"default: {BASELINE_FILENAME}")
    init.add_argument("path", nargs="?", metavar="PATH", help="directory to scan and write into (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite an existing .cn-crossborder.yaml")
    for parser in (baseline, init):
        parser.add_argument("--policy", metavar="FILE", help="policy file (default: as scan finds it)")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="evaluation date (default: today)")
        parser.add_argument("--var-file", action="append", metavar="FILE", help="Terraform variables file")
        parser.add_argument("--region", metavar="REGION", help="region CloudFormation templates deploy to")
        parser.set_defaults(func=cmd_scan, **common)
    init.set_defaults(output=None, func=cmd_init)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cn-crossborder",
        description="Checks for China cross-border networking and encryption-import licensing, on Checkov.",
    )
    parser.add_argument("--version", action="version", version=f"cn-crossborder {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    scan = sub.add_parser("scan", help="scan Terraform (HCL, plan JSON) and network inventories")
    scan.add_argument("paths", nargs="*", metavar="PATH", help="directories or files (default: .)")
    scan.add_argument(
        "--policy",
        metavar="FILE",
        help="policy file (default: $CN_CROSSBORDER_POLICY or nearest .cn-crossborder.yaml)",
    )
    scan.add_argument("--format", choices=FORMATS, default="cli")
    scan.add_argument("--output", metavar="FILE", help="write the report here instead of standard output")
    scan.add_argument("--soft-fail", action="store_true", help="exit 0 even when checks fail")
    scan.add_argument("--as-of", metavar="YYYY-MM-DD", help="evaluation date for expiries (default: today)")
    scan.add_argument(
        "--changed-files",
        action="store_true",
        help="PATHs are changed files (as pre-commit passes them): scan each of their directories once",
    )
    scan.add_argument(
        "--region",
        metavar="REGION",
        help="region CloudFormation templates deploy to (default: $CN_CROSSBORDER_REGION, "
        "else the Default of a parameter named Region)",
    )
    scan.add_argument("--var-file", action="append", metavar="FILE", help="Terraform variables file (repeatable)")
    scan.add_argument("--baseline", metavar="FILE", help="fail only on findings not in this baseline file")
    scan.add_argument("--summary", metavar="FILE", help="also write the Markdown summary to FILE")
    scan.set_defaults(func=cmd_scan)
    _add_baseline_commands(sub)

    sub.add_parser("checks-dir", help="print the directory for checkov --external-checks-dir").set_defaults(
        func=cmd_checks_dir
    )
    sub.add_parser("checks", help="list the checks").set_defaults(func=cmd_checks)
    explain = sub.add_parser("explain", help="explain a check: what it protects, legal basis, fix")
    explain.add_argument("check_id", metavar="CHECK_ID")
    explain.set_defaults(func=cmd_explain)

    policy = sub.add_parser("policy", help="policy file commands")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    validate = policy_sub.add_parser("validate", help="validate policy files against the schema")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(func=cmd_policy_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except CheckovFailed as exc:
        _error(str(exc))
        return EXIT_USAGE


def run() -> NoReturn:
    """The console command: ``main``, then an exit that skips tearing the interpreter down.

    A scan leaves thousands of Checkov modules and their objects in memory, and freeing them one by
    one at exit takes about as long as a small scan itself; every output is written and flushed
    before, and nothing of ours runs at exit.
    """
    try:
        code = main()
    except KeyboardInterrupt:
        print("cn-crossborder: interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        # The reader went away (``| head``) before everything was written: no traceback, and not a
        # success either (128 + SIGPIPE, as a shell reports a command killed by it), so a gate that
        # reads the exit code does not pass on a report cut short.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that went away (``| head``) has all it wanted
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
