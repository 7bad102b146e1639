"""Changed files to scan roots, for the pre-commit hook and ``scan --changed-files``.

pre-commit passes the files a commit touches, but a Terraform module is a directory: a provider or
variable in a sibling file decides a resource's region. So each changed file stands for its
directory, every directory is scanned once, and a directory below another one in the set is dropped
(scanning the ancestor already covers it). A directory that root modules of the repository call
(``module "x" { source = "../modules/x" }``) is replaced by those callers, transitively: the
caller's provider decides the region of the module's resources, so the module alone would be
judged without it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from cn_crossborder.sources.kinds import input_kind

POLICY_FILE = ".cn-crossborder.yaml"
TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
YAML_SUFFIXES = (".yaml", ".yml")


def is_relevant(path: Path) -> bool:
    """Whether a changed file can change a verdict: the policy, or an input the scan reads
    (``input_kind``: Terraform, a plan, a CloudFormation template, a network inventory).

    Other YAML (Kubernetes manifests, CI files) is matched by the hook's pattern too, but is no
    input of ours, so it does not make its directory worth a scan.
    """
    name = path.name.lower()
    if name == POLICY_FILE:
        return True
    if not path.is_file():
        return name.endswith(TERRAFORM_SUFFIXES + YAML_SUFFIXES)  # deleted: rescan its directory to be safe
    return input_kind(path) is not None


def _directory_of(path: Path) -> Path:
    if path.is_dir():
        return path
    parent = path.parent
    while not parent.is_dir() and parent != parent.parent:
        parent = parent.parent  # a deleted file in a deleted directory: nearest that still exists
    return parent


_MODULE = re.compile(r'^\s*module\s+"[^"]*"\s*\{', re.MULTILINE)
_SOURCE = re.compile(r'^\s*source\s*=\s*"(?P<source>\.{1,2}/[^"]*)"', re.MULTILINE)


def _module_body(text: str, start: int) -> str:
    """The text of the block whose ``{`` ends at ``start``, up to its closing brace."""
    depth, i = 1, start
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start:i]


def local_module_calls(text: str) -> list[str]:
    """The local ``source`` (``./x``, ``../x``) of every module block in Terraform ``text``."""
    calls = []
    for block in _MODULE.finditer(text):
        body = _module_body(text, block.end())
        # only the block's own attribute, not one of a nested block
        depth_one = re.sub(r"\{[^{}]*\}", "{}", body[:-1])
        source = _SOURCE.search(depth_one)
        if source:
            calls.append(source["source"])
    return calls


def local_module_calls_json(text: str) -> list[str]:
    """The local ``source`` of every module block in Terraform JSON ``text`` (``{"module": {"x":
    {"source": "../x"}}}``, a block also written as a list of objects); invalid JSON calls nothing."""
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    modules = doc.get("module") if isinstance(doc, dict) else None
    calls = []
    for blocks in modules.values() if isinstance(modules, dict) else ():
        for block in blocks if isinstance(blocks, list) else [blocks]:
            source = block.get("source") if isinstance(block, dict) else None
            if isinstance(source, str) and source.startswith(("./", "../")):
                calls.append(source)
    return calls


def module_callers(repo: Path) -> dict[Path, set[Path]]:
    """Resolved module directory -> resolved directories whose .tf or .tf.json files call it with a
    local source.

    A cheap scan of every such file under ``repo`` (hidden directories, such as ``.terraform`` and
    ``.git``, skipped); an unreadable file calls nothing.
    """
    callers: dict[Path, set[Path]] = {}
    for folder, subdirs, names in os.walk(repo):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in names:
            if name.endswith(".tf"):
                read_calls = local_module_calls
            elif name.endswith(".tf.json"):
                read_calls = local_module_calls_json
            else:
                continue
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            caller = Path(folder).resolve()
            for source in read_calls(text):
                callers.setdefault((caller / source).resolve(), set()).add(caller)
    return callers


def root_callers(directory: Path, callers: Mapping[Path, set[Path]]) -> set[Path]:
    """The directories that call ``directory`` (resolved) and are called by none, transitively;
    ``directory`` itself when nothing calls it. A cycle of calls stops where it closes."""
    roots: set[Path] = set()
    seen: set[Path] = set()
    pending = [directory]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        above = callers.get(current, set()) - seen
        if above:
            pending.extend(above)
        elif not callers.get(current):
            roots.add(current)
    return roots or {directory}


def repository_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding ``.git``; ``start`` if there is none."""
    start = start.resolve()
    return next((p for p in (start, *start.parents) if (p / ".git").exists()), start)


def scan_roots(files: Iterable[str | Path], repo: Path | None = None) -> list[Path]:
    """The unique directories of the relevant ``files``, each replaced by the root modules of
    ``repo`` (default: the repository of the working directory) that call it, without any whose
    ancestor is also listed."""
    found: dict[Path, Path] = {}
    for raw in files:
        path = Path(raw)
        if not path.is_dir() and not is_relevant(path):
            continue
        directory = _directory_of(path)
        found.setdefault(directory.resolve(), directory)
    callers = module_callers(repo if repo is not None else repository_root(Path.cwd())) if found else {}
    dirs: dict[Path, Path] = {}
    for key, directory in found.items():
        roots = root_callers(key, callers)
        for root in sorted(roots):
            dirs.setdefault(root, directory if root == key else _relative(root))
    keys = sorted(dirs, key=lambda p: (len(p.parts), str(p)))
    kept: list[Path] = []
    for key in keys:
        if not any(key == k or k in key.parents for k in kept):
            kept.append(key)
    return [dirs[k] for k in kept]


def _relative(path: Path) -> Path:
    """``path`` relative to the working directory where it lies below it (as the hook shows paths)."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path
