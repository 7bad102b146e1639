"""Terraform plan JSON: the provider configuration and the references Terraform itself recorded.

In plan mode Checkov's graph loses what the region of a resource depends on: resources carry no
provider address, provider vertices keep only constant expressions (``region = var.x`` vanishes),
and an attribute whose value is already known (``customer_gateway_id = "cgw-..."`` of an existing
gateway) is no longer a reference. ``terraform show -json`` still holds all of it under
``configuration``: each resource's ``provider_config_key`` (already followed through ``providers``
maps of module calls), every provider block's ``expressions``, module call arguments, and the
``references`` of every argument. This module reads a plan once per file version and answers per
resource address.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cn_crossborder.domain.resource import Resource
from cn_crossborder.sources.providers import ProviderConfig

_INSTANCE_KEY = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')
_RESOURCE_REF = re.compile(r"^(?:data\.)?[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$")
_LINE_KEYS = ("__startline__", "__endline__")


def strip_instance_keys(address: str) -> str:
    """``module.a["x"].aws_vpn_connection.b[0]`` -> ``module.a.aws_vpn_connection.b`` (as configured)."""
    return _INSTANCE_KEY.sub("", address)


def _items(value: Any) -> list[tuple[str, Any]]:
    """Mapping items without the line markers Checkov's JSON loader adds."""
    if not isinstance(value, Mapping):
        return []
    return [(str(k), v) for k, v in value.items() if k not in _LINE_KEYS]


def _resource_ref(ref: str, module_path: str) -> str | None:
    """The absolute resource address a reference names, or None for var./local./module. references."""
    if ref.startswith(("var.", "local.", "module.", "each.", "count.", "path.", "terraform.", "self.")):
        return None
    parts = ref.split(".")
    size = 3 if parts[0] == "data" else 2
    base = strip_instance_keys(".".join(parts[:size]))
    if not _RESOURCE_REF.match(base):
        return None
    return f"{module_path}.{base}" if module_path else base


@dataclass
class PlanIndex:
    """What one plan file says about providers, module arguments and references."""

    path: str
    providers: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    provider_keys: dict[str, str] = field(default_factory=dict)  # resource address -> provider_config_key
    references: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)  # root module values given to the plan
    module_calls: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # "module.a.module.b" -> call
    module_variables: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def provider_for(self, address: str) -> ProviderConfig | None:
        """The provider configuration Terraform recorded for the resource at ``address``."""
        base = strip_instance_keys(address)
        key = self.provider_keys.get(base)
        if key is None:
            return None
        module_path = base.rsplit(".", 2)[0] if base.startswith("module.") else ""
        module_path = module_path if module_path.startswith("module.") else ""
        entry = self.providers.get(key)
        name_part = key.rsplit(":", 1)[-1]
        name, _, alias = name_part.partition(".")
        where = os.path.basename(self.path)
        if entry is None:
            # Older Terraform releases wrote module-local keys that point at nothing when the
            # module received its provider through a ``providers`` map: the region is not recorded.
            missing = f"plan provider_config_key {key!r}, which the plan's provider_config does not define"
            return ProviderConfig(name, alias or None, {"region": None}, self.path, 0, (missing,))
        entry_module = str(entry.get("module_address") or (key.split(":", 1)[0] if ":" in key else ""))
        name = str(entry.get("name") or name)
        entry_alias = str(entry.get("alias") or alias or "") or None
        attrs: dict[str, Any] = {}
        via: list[str] = [f"provider_config_key {key!r} of {where}"]
        for attr, expr in _items(entry.get("expressions")):
            value, how = self._expression(expr, entry_module)
            attrs[attr] = value
            if how:
                via.append(f"{attr} = {how}")
        line = entry.get("__startline__")
        line_no = int(line) if isinstance(line, int) else 0
        return ProviderConfig(name, entry_alias, attrs, self.path, line_no, tuple(via))

    def _expression(self, expr: Any, module_path: str, depth: int = 0) -> tuple[Any, str]:
        """A constant, or a ``var.x`` reference resolved through module calls to the plan's variables."""
        if not isinstance(expr, Mapping) or depth > 20:
            return None, ""
        if "constant_value" in expr:
            return expr.get("constant_value"), ""
        refs = [str(r) for r in expr.get("references") or () if isinstance(r, str)]
        var = next((r.split(".")[1] for r in refs if r.startswith("var.") and len(r.split(".")) > 1), None)
        if var is None:
            shown = refs[0] if refs else "an expression"
            return shown, f"{shown} (not known until apply)" if refs else ""
        if not module_path:
            entry = self.variables.get(var)
            if isinstance(entry, Mapping) and "value" in entry:
                value = entry.get("value")
                return value, f"var.{var} = {value!r} from the plan's variables"
            return f"var.{var}", f"var.{var} (no value in the plan)"
        call = self.module_calls.get(module_path)
        args = call.get("expressions") if isinstance(call, Mapping) else None
        if isinstance(args, Mapping) and var in args:
            parent = module_path.rsplit(".module.", 1)[0] if ".module." in module_path else ""
            value, how = self._expression(args[var], parent, depth + 1)
            return value, f"var.{var} of {module_path} = " + (how or repr(value))
        declared = self.module_variables.get(module_path, {}).get(var)
        if isinstance(declared, Mapping) and "default" in declared:
            value = declared.get("default")
            return value, f"var.{var} of {module_path} defaults to {value!r}"
        return f"var.{var}", f"var.{var} of {module_path} (no value in the plan)"

    def referenced(self, address: str, attr: str) -> list[str]:
        """Absolute addresses of the resources that argument ``attr`` of ``address`` refers to."""
        return self.references.get((strip_instance_keys(address), attr), [])


def _index_module(index: PlanIndex, module: Any, module_path: str) -> None:
    if not isinstance(module, Mapping):
        return
    if module_path:
        index.module_variables[module_path] = {k: v for k, v in _items(module.get("variables"))}
    for res in module.get("resources") or ():
        if not isinstance(res, Mapping) or not res.get("address"):
            continue
        address = f"{module_path}.{res['address']}" if module_path else str(res["address"])
        address = strip_instance_keys(address)
        key = res.get("provider_config_key")
        keys = res.get("provider_config_keys")
        if key is None and isinstance(keys, list) and len(keys) == 1:
            key = keys[0]
        if isinstance(key, str):
            index.provider_keys[address] = key
        for attr, expr in _items(res.get("expressions")):
            if not isinstance(expr, Mapping):
                continue  # nested blocks: their references are not attributed to a top-level argument
            targets = []
            for ref in expr.get("references") or ():
                target = _resource_ref(str(ref), module_path) if isinstance(ref, str) else None
                if target and target not in targets:
                    targets.append(target)
            if targets:
                index.references[(address, attr)] = targets
    for name, call in _items(module.get("module_calls")):
        if not isinstance(call, Mapping):
            continue
        child = f"{module_path}.module.{name}" if module_path else f"module.{name}"
        index.module_calls[child] = call
        _index_module(index, call.get("module"), child)


def _build(path: str) -> PlanIndex | None:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            template = json.load(handle)
    except (OSError, ValueError):
        return None  # Checkov reports a plan it cannot parse itself
    if not isinstance(template, Mapping):
        return None
    configuration = template.get("configuration")
    if not isinstance(configuration, Mapping):
        return None
    index = PlanIndex(path)
    providers = _items(configuration.get("provider_config"))
    index.providers = {k: v for k, v in providers if isinstance(v, Mapping)}
    index.variables = {k: v for k, v in _items(template.get("variables"))}
    _index_module(index, configuration.get("root_module"), "")
    return index


class _PlanCache:
    """Plans by (path, modification time, size): read once per run, re-read when the file changes."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[int, int], PlanIndex | None]] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> PlanIndex | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._entries.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        try:
            index = _build(path)
        except Exception:  # a plan Checkov could not read is reported by Checkov itself
            index = None
        with self._lock:
            self._entries[path] = (stamp, index)
        return index


_cache = _PlanCache()


def is_plan_file(path: str) -> bool:
    """Whether a resource's file may be a plan JSON: ``.json``, but never Terraform's own JSON
    syntax (``.tf.json``, ``.tfvars.json``), which is configuration read like ``.tf``."""
    return path.endswith(".json") and not path.endswith((".tf.json", ".tfvars.json"))


def load_plan(path: str) -> PlanIndex | None:
    """The plan index of ``path``, or None when it is not a plan JSON with a configuration."""
    if not is_plan_file(path):
        return None
    return _cache.get(path)


def plan_provider_for(resource: Resource) -> ProviderConfig | None:
    """The provider the plan records for ``resource``; None when the resource is not from a plan."""
    index = load_plan(resource.file)
    if index is None:
        return None
    return index.provider_for(resource.address)


def plan_references(res: Resource, attr: str) -> list[str]:
    """The addresses (with instance keys tried) the plan's ``references`` of ``res.attr`` name."""
    index = load_plan(res.file)
    if index is None:
        return []
    suffix = "".join(_INSTANCE_KEY.findall(res.address.rsplit(".", 1)[-1]))
    return [a for target in index.referenced(res.address, attr) for a in (target, target + suffix, target + "[0]")]
