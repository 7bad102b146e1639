"""Random mutations of the shipped policy and inventory examples: the loaders raise InputError or load.

Any other exception (a traceback for the user) fails the test and prints the seed and the mutated
text, so the case can be replayed. Fixed seed, a few thousand cases, well under a minute.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from cn_crossborder.domain.policy import load_policy
from cn_crossborder.domain.yamlsrc import InputError
from cn_crossborder.sources.inventory import load_inventory

from tests.harness import FIXTURES, ROOT

SEED = 20261123
CASES = 1500  # per loader
_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)

# Fragments that poke at the parser: structure, aliases, tags, odd bytes and scalars.
TOKENS = [
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!int ",
    b"!!float ",
    b"!!bool ",
    b"!!null ",
    b"!!str ",
    b"!!binary ",
    b"!!timestamp ",
    b"!!set ",
    b"!!python/object:os.system ",
    b"!custom ",
    b"? ",
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"\t",
    b"\n",
    b"  ",
    b"#",
    b"'",
    b'"',
    b"|",
    b">",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"\x00",
    b"\x07",
    b"\xe9",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"0x1F",
    b"1e400",
    b".nan",
    b"-.inf",
    b"0o17",
    b"190:20:30",
    b"2026-13-45",
    b"~",
    b"null",
    b"yes",
    b"\xe4\xb8\xad\xe5\x9b\xbd",
    b"::/0",
    b"0.0.0.0/0",
    b"300.1.2.3/99",
    b"9" * 40,
]


def _seeds() -> list[bytes]:
    files = sorted(FIXTURES.glob("policies/*.yaml")) + sorted(FIXTURES.rglob(".cn-crossborder.yaml"))
    files += sorted((FIXTURES / "inventory").rglob("*.yaml"))
    out = [f.read_bytes() for f in files]
    for page in (ROOT / "docs" / "inventory.md", ROOT / "docs" / "policy.md", ROOT / "README.md"):
        out += [b.encode() for b in _BLOCK.findall(page.read_text(encoding="utf-8"))]
    return out


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """One to four random edits: insert a token or random bytes, delete or duplicate a span, swap lines."""
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(data))
        kind = rng.randrange(6)
        if kind == 0:
            data = data[:pos] + rng.choice(TOKENS) + data[pos:]
        elif kind == 1:
            data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) + data[pos:]
        elif kind == 2:
            data = data[:pos] + data[pos + rng.randint(1, 40) :]
        elif kind == 3:
            span = data[pos : pos + rng.randint(1, 80)]
            data = data[:pos] + span + span + data[pos:]
        elif kind == 4:
            lines = data.split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        else:
            data = data[:pos]
    return data


def _fuzz(loader_name: str, tmp_path: Path, rng_offset: int) -> None:
    loader = {"policy": load_policy, "inventory": load_inventory}[loader_name]
    rng = random.Random(SEED + rng_offset)
    seeds = _seeds()
    file = tmp_path / "fuzzed.yaml"
    loaded = 0
    for case in range(CASES):
        data = _mutate(rng, rng.choice(seeds))
        file.write_bytes(data)
        try:
            loader(file)
            loaded += 1
        except InputError:
            pass
        except Exception as exc:  # anything else would reach the user as a traceback
            raise AssertionError(
                f"{loader_name} loader case {case} (seed {SEED + rng_offset}) raised {type(exc).__name__}: {exc}\n"
                f"input: {data!r}"
            ) from exc
    # Inputs refused at the first step would leave the validation past it untried.
    assert loaded, f"the {loader_name} loader refused every mutated input: the fuzz reached no valid document"


def test_policy_loader_survives_mutations(tmp_path: Path) -> None:
    _fuzz("policy", tmp_path, 0)


def test_inventory_loader_survives_mutations(tmp_path: Path) -> None:
    _fuzz("inventory", tmp_path, 1)
