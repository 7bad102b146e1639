"""Benchmark: ``cn-crossborder scan`` against plain Checkov with one built-in check, on one tree.

Three shapes of tree, each timed end to end in fresh processes for both commands, printing the
ratio (the fastest of ``--repeat`` runs counts):

- ``--mode big``: one root module of about N resources (providers in their own file, VPNs, customer
  gateways, routes and unrelated buckets spread over many files); run with N and 2N to see growth;
- ``--mode small``: one small module (a handful of files), the pre-commit case;
- ``--mode dirs``: D directories of flat root modules, each with its provider and a few resources,
  and a few unrelated YAML files, shaped like a landing zone.

    python tests/benchmark.py --mode big --resources 5000
    python tests/benchmark.py --mode small --repeat 5
    python tests/benchmark.py --mode dirs --dirs 1000

Not a test: timings depend on the machine; the figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PER_UNIT = 5  # resources written per generated site
PER_FILE = 40  # sites per .tf file
BUILTIN_CHECK = "CKV_AWS_20"  # S3 bucket ACL: one cheap built-in resource check


def generate(root: Path, resources: int) -> int:
    """Write the tree; return how many resources it holds."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "providers.tf").write_text(
        'variable "china_region" {\n  default = "cn-north-1"\n}\n\n'
        'provider "aws" {\n  region = "eu-central-1"\n}\n\n'
        'provider "aws" {\n  alias  = "china"\n  region = var.china_region\n}\n'
    )
    units = max(1, resources // PER_UNIT)
    for start in range(0, units, PER_FILE):
        blocks = []
        for i in range(start, min(units, start + PER_FILE)):
            china = i % 2 == 0
            provider = "  provider = aws.china\n" if china else ""
            peer = f"85.214.{(i // 250) % 250}.{i % 250 + 1}" if china else f"116.228.{(i // 250) % 250}.{i % 250 + 1}"
            blocks.append(
                f'resource "aws_customer_gateway" "cgw_{i}" {{\n{provider}  bgp_asn    = {64512 + i % 1000}\n'
                f'  ip_address = "{peer}"\n  type       = "ipsec.1"\n}}\n\n'
                f'resource "aws_vpn_gateway" "vgw_{i}" {{\n{provider}  vpc_id = "vpc-{i:08x}"\n}}\n\n'
                f'resource "aws_vpn_connection" "vpn_{i}" {{\n{provider}'
                f"  customer_gateway_id = aws_customer_gateway.cgw_{i}.id\n"
                f'  vpn_gateway_id      = aws_vpn_gateway.vgw_{i}.id\n  type                = "ipsec.1"\n}}\n\n'
                f'resource "aws_route" "route_{i}" {{\n{provider}  route_table_id         = "rtb-{i:08x}"\n'
                f'  destination_cidr_block = "{"0.0.0.0/0" if i % 10 == 0 else f"10.{i % 250}.0.0/16"}"\n'
                f"  gateway_id             = aws_vpn_gateway.vgw_{i}.id\n}}\n\n"
                f'resource "aws_s3_bucket" "bucket_{i}" {{\n  bucket = "bench-{i}"\n  acl    = "private"\n}}\n'
            )
        (root / f"sites_{start // PER_FILE:04d}.tf").write_text("\n".join(blocks))
    return units * PER_UNIT


SITE = (
    'resource "aws_customer_gateway" "cgw_{i}" {{\n  bgp_asn    = 65000\n  ip_address = "{peer}"\n'
    '  type       = "ipsec.1"\n}}\n\n'
    'resource "aws_vpn_gateway" "vgw_{i}" {{\n  vpc_id = "vpc-{i:08x}"\n}}\n\n'
    'resource "aws_vpn_connection" "vpn_{i}" {{\n  customer_gateway_id = aws_customer_gateway.cgw_{i}.id\n'
    '  vpn_gateway_id      = aws_vpn_gateway.vgw_{i}.id\n  type                = "ipsec.1"\n}}\n\n'
    'resource "aws_s3_bucket" "bucket_{i}" {{\n  bucket = "bench-{i}"\n  acl    = "private"\n}}\n'
)


def generate_small(root: Path) -> int:
    """A module of four files: provider, variables, two files of resources."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "providers.tf").write_text('provider "aws" {\n  region = var.region\n}\n')
    (root / "variables.tf").write_text('variable "region" {\n  default = "eu-central-1"\n}\n')
    (root / "vpn.tf").write_text("\n".join(SITE.format(i=i, peer=f"116.228.0.{i + 1}") for i in range(2)))
    (root / "more.tf").write_text("\n".join(SITE.format(i=i, peer=f"85.214.0.{i + 1}") for i in range(2, 4)))
    return 4 * 4


def generate_dirs(root: Path, dirs: int) -> int:
    """``dirs`` flat root modules, each with its own provider and one site, plus unrelated YAML."""
    for d in range(dirs):
        module = root / f"accounts/acct-{d:04d}"
        module.mkdir(parents=True, exist_ok=True)
        region = "cn-north-1" if d % 2 else "eu-central-1"
        (module / "main.tf").write_text(
            f'provider "aws" {{\n  region = "{region}"\n}}\n\n'
            + SITE.format(i=d, peer=f"85.214.{d // 250}.{d % 250 + 1}")
        )
    for y in range(6):
        (root / f"config-{y}.yaml").write_text(f"name: config-{y}\nitems:\n  - a\n  - b\n")
    return dirs * 4


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:3])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("big", "small", "dirs"), default="big")
    parser.add_argument("--resources", type=int, default=5000, help="--mode big: resources in the tree")
    parser.add_argument("--dirs", type=int, default=1000, help="--mode dirs: root modules in the tree")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; the fastest counts")
    parser.add_argument("--keep", metavar="DIR", help="generate the tree here and keep it")
    args = parser.parse_args()

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cnx-bench-"))
    if args.mode == "small":
        count = generate_small(workdir)
    elif args.mode == "dirs":
        count = generate_dirs(workdir, args.dirs)
    else:
        count = generate(workdir, args.resources)
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CKV_SKIP_PACKAGE_UPDATE_CHECK="true", LOG_LEVEL="ERROR")
    bin_dir = Path(sys.executable).parent
    ours = [sys.executable, "-m", "cn_crossborder.cli", "scan", str(workdir), "--format", "json"]
    plain = [
        str(bin_dir / "checkov"),
        "-d",
        str(workdir),
        "--framework",
        "terraform",
        "--check",
        BUILTIN_CHECK,
        "--skip-download",
        "-o",
        "json",
    ]
    try:
        t_plain = min(timed(plain, env) for _ in range(args.repeat))
        t_ours = min(timed(ours, env) for _ in range(args.repeat))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"mode: {args.mode}")
    print(f"resources: {count}")
    print(f"plain checkov ({BUILTIN_CHECK}): {t_plain:.1f} s")
    print(f"cn-crossborder scan: {t_ours:.1f} s")
    print(f"ratio: {t_ours / t_plain:.2f}")


if __name__ == "__main__":
    main()
