"""Every shell command in README.md and docs/*.md runs as written, in a copy of the repository.

A ```sh block is run line by line (a line ending in ``\\`` continues) with the test's environment,
where this checkout is installed. What cannot run here is substituted, never skipped silently:

- ``python3 -m venv .venv`` and ``. .venv/bin/activate``: the test's environment is that venv;
- ``pip install X``: resolved with ``pip install --dry-run --no-deps``, with
  the repository's ``git+https://...@ref`` URL pointing at the local copy (no package index or
  GitHub is contacted);
- ``pytest -q``: collected only (``.ci/run`` runs the suite itself);
- ``python tests/benchmark.py``: small trees, one run each (``--resources 30``, ``--dirs 5``, ``--repeat 1``;
  the figures are docs/performance.md's);
- ``infra/``: the copy gets one (the shipped example).

A block that needs GitHub, a network or a tool not installed here carries
``<!-- not run: reason -->`` on the line right above it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import FIXTURES, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
REPO_URL = re.compile(r"git\+https://github\.com/cn-crossborder/cn-crossborder(@[^\s\"']+)?")
NOT_RUN = re.compile(r"^<!-- not run: (?P<reason>\S.*\S) -->$")


def blocks(doc: Path) -> list[tuple[int, list[str], str | None]]:
    """(line, command lines, reason not to run) of every ```sh block of ``doc``."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    found = []
    for index, line in enumerate(lines):
        if line.strip() not in ("```sh", "```bash", "```shell"):
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        above = NOT_RUN.match(lines[index - 1].strip()) if index else None
        commands: list[str] = []
        for body in lines[index + 1 : end]:
            if commands and commands[-1].endswith("\\"):
                commands[-1] = commands[-1][:-1] + " " + body.strip()
            elif body.strip() and not body.lstrip().startswith("#"):
                commands.append(body.strip())
        found.append((index + 1, commands, above["reason"] if above else None))
    return found


def substitute(command: str, copy: Path) -> str:
    """``command`` as it can run here (see the module's docstring)."""
    parts = []
    for part in (p.strip() for p in command.split("&&")):
        if part in ("python3 -m venv .venv", ". .venv/bin/activate"):
            continue
        if part.startswith("pip install "):
            part = REPO_URL.sub(copy.as_uri(), part)
            part = part.replace("pip install ", "pip install --dry-run --no-deps --quiet ", 1)
        elif part == "pytest -q":
            part = "pytest -q --collect-only"
        part = re.sub(r"(tests/benchmark\.py .*--resources) \d+", r"\1 30", part)
        part = re.sub(r"(tests/benchmark\.py .*--dirs) \d+", r"\1 5", part)
        part = re.sub(r"(tests/benchmark\.py .*--repeat) \d+", r"\1 1", part)
        parts.append(part)
    return " && ".join(parts)


def _copy(tmp: Path) -> Path:
    copy = tmp / "repo"
    ignore = shutil.ignore_patterns(
        ".git", ".venv*", "__pycache__", "*.egg-info", ".mypy_cache", ".ruff_cache", "build"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    shutil.copytree(FIXTURES / "terraform" / "example", copy / "infra")
    git = ["git", "-c", "user.name=docs", "-c", "user.email=docs@example.invalid"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "docs test"]):
        subprocess.run([*git, *args], cwd=copy, check=True, capture_output=True)
    return copy


def _runnable(doc: Path) -> list[tuple[int, list[str]]]:
    return [(line, cmds) for line, cmds, reason in blocks(doc) if reason is None]


RUNNABLE_DOCS = [doc for doc in DOCS if _runnable(doc)]


def test_every_skipped_block_says_why() -> None:
    """A block is either run or carries its reason; a reason on a block that could run is a lie, so
    only commands that need something absent here (GitHub, a network, Terraform) may be skipped."""
    skipped = [(doc, line, reason) for doc in DOCS for line, _, reason in blocks(doc) if reason is not None]
    for doc, line, reason in skipped:
        assert len(reason) > 10, f"{doc}:{line}: say why the block is not run"
    assert sum(len(blocks(doc)) for doc in DOCS) > len(skipped) + 5


def test_docs_have_commands_to_run() -> None:
    assert RUNNABLE_DOCS, "no doc has a block that is run: test_doc_commands_run_as_written would judge nothing"


@pytest.mark.parametrize("doc", RUNNABLE_DOCS, ids=[doc.relative_to(ROOT).as_posix() for doc in RUNNABLE_DOCS])
@pytest.mark.slow
def test_doc_commands_run_as_written(doc: Path, tmp_path: Path) -> None:
    """Only docs with a block to run are parametrized: a doc without one would pass having run nothing."""
    runnable = _runnable(doc)
    copy = _copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CN_CROSSBORDER_", "PYTEST_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for line, commands in runnable:
        for command in commands:
            shell = substitute(command, copy)
            proc = subprocess.run(["bash", "-c", shell], cwd=copy, env=env, capture_output=True, text=True, timeout=600)
            where = f"{doc.relative_to(ROOT)}:{line}: {command}\n{proc.stderr[-2000:]}"
            assert proc.returncode in (0, 1), where  # 1: the example has findings
            assert "Traceback" not in proc.stderr and "command not found" not in proc.stderr, where
            if proc.returncode == 1:
                assert re.search(
                    r"\bcn-crossborder: \d+ failed|Check: CKV_CNX_|Failed checks", proc.stdout + proc.stderr
                ), where


def test_install_from_the_repository_is_documented_and_pinned() -> None:
    from cn_crossborder import __version__

    pin = f'pip install "cn-crossborder @ git+https://github.com/cn-crossborder/cn-crossborder@v{__version__}"'
    for doc in (ROOT / "README.md", ROOT / "docs" / "ci.md"):
        assert pin in doc.read_text(encoding="utf-8"), doc
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'\nversion = "{__version__}"\n' in pyproject
    for doc in [*DOCS, ROOT / ".pre-commit-hooks.yaml"]:
        text = doc.read_text(encoding="utf-8")
        for ref in re.findall(r"(?:rev: |cn-crossborder/cn-crossborder@)(v[\d.]+)", text):
            assert ref == f"v{__version__}", f"{doc}: {ref} is not the release tag v{__version__}"
        for line in text.splitlines():
            if re.match(r"\s*checkov .*--external-checks-dir", line):
                assert "--skip-download" in line, f"{doc}: {line.strip()}"
