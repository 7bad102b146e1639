"""Changed files to scan roots, for the pre-commit hook and ``scan --changed-files``.

pre-commit passes the files a commit touches, but a Terraform module is a directory: a provider or
variable in a sibling file decides a resource's region. So each changed file stands for its
directory, every directory is scanned once, and a directory below another one in the set is dropped
(scanning the ancestor already covers it).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cn_crossborder.sources.inventory import is_inventory_file

POLICY_FILE = ".cn-crossborder.yaml"
TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
YAML_SUFFIXES = (".yaml", ".yml")


def is_relevant(path: Path) -> bool:
    """Whether a changed file can change a verdict: Terraform, the policy, or a network inventory.

    Other YAML (Kubernetes manifests, CI files) is matched by the hook's pattern too, but only an
    inventory (top-level ``kind: cn-crossborder/network-inventory``) makes its directory worth a scan.
    """
    name = path.name.lower()
    if name == POLICY_FILE or name.endswith(TERRAFORM_SUFFIXES):
        return True
    if name.endswith(YAML_SUFFIXES):
        if not path.is_file():
            return True  # a deleted inventory: rescan its directory to be safe
        return is_inventory_file(path)
    return False


def _directory_of(path: Path) -> Path:
    if path.is_dir():
        return path
    parent = path.parent
    while not parent.is_dir() and parent != parent.parent:
        parent = parent.parent  # a deleted file in a deleted directory: nearest that still exists
    return parent


def scan_roots(files: Iterable[str | Path]) -> list[Path]:
    """The unique directories of the relevant ``files``, without any whose ancestor is also listed."""
    dirs: dict[Path, Path] = {}
    for raw in files:
        path = Path(raw)
        if not path.is_dir() and not is_relevant(path):
            continue
        directory = _directory_of(path)
        dirs.setdefault(directory.resolve(), directory)
    keys = sorted(dirs, key=lambda p: (len(p.parts), str(p)))
    kept: list[Path] = []
    for key in keys:
        if not any(key == k or k in key.parents for k in kept):
            kept.append(key)
    return [dirs[k] for k in kept]
