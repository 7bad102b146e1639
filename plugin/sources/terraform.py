"""Read Checkov's Terraform graph once into plain records, and resolve providers the way Terraform does.

Checkov only links a resource to its provider when the provider block sits in the same file, and it
forgets the link in plan mode. Terraform's rule is per module: a resource uses the provider named by
its ``provider`` argument, else the module's default provider for its type prefix, wherever in the
module's files that block is written; a child module gets the provider passed in its call's
``providers`` map, else inherits its caller's default. This module implements that rule over the
vertices of one graph, in one pass, with dictionaries for every lookup.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cn_crossborder.domain.resource import Resource, ScopeKey, first, is_resolved
from cn_crossborder.sources.dynamic import BlockSource, expand_block, hcl_source, json_source
from cn_crossborder.sources.instances import expand_instances
from cn_crossborder.sources.optional import apply_optional_defaults
from cn_crossborder.sources.plan import is_plan_file, plan_provider_for, plan_references, strip_instance_keys
from cn_crossborder.sources.providers import ProviderConfig


def _module_key(tf_module: Any) -> ScopeKey | None:
    """A hashable identity for a module instance from Checkov's TFModule (or its JSON form)."""
    if tf_module is None:
        return None
    if isinstance(tf_module, Mapping):
        path, name = tf_module.get("path"), tf_module.get("name")
        nested, idx = tf_module.get("nested_tf_module"), tf_module.get("foreach_idx")
    else:
        path, name = getattr(tf_module, "path", None), getattr(tf_module, "name", None)
        nested, idx = getattr(tf_module, "nested_tf_module", None), getattr(tf_module, "foreach_idx", None)
    return ("module", path, name, str(idx) if idx is not None else None, _module_key(nested))


def _scope_of(attrs: Mapping[str, Any]) -> ScopeKey:
    module = _module_key(attrs.get("source_module_object_"))
    if module is not None:
        return module
    return ("root", os.path.dirname(str(attrs.get("file_path_", ""))))


def _parse_provider_ref(value: Any) -> tuple[str, str | None] | None:
    value = first(value)
    if not isinstance(value, str):
        return None
    text = value.strip().strip("${}").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?", text):
        return None
    name, _, alias = text.partition(".")
    return name, (alias or None)


def iter_vertices(graph: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Vertices of a rustworkx PyDiGraph (Checkov's default) or a networkx DiGraph."""
    nodes = graph.nodes()
    if hasattr(graph, "weighted_edge_list"):
        yield from nodes  # rustworkx: (index, attrs)
    else:
        for idx in nodes:  # networkx: node ids with an attribute dict
            data = graph.nodes[idx]
            yield idx, data.get("attr", data) if isinstance(data, Mapping) else data


def iter_edges(graph: Any) -> Iterator[tuple[int, int, str]]:
    if hasattr(graph, "weighted_edge_list"):
        for src, dst, data in graph.weighted_edge_list():
            yield src, dst, (data or {}).get("label", "") if isinstance(data, Mapping) else str(data)
    else:
        for src, dst, data in graph.edges(data=True):
            yield src, dst, data.get("label", "")


@dataclass(frozen=True)
class UnreadModule:
    """A module call whose source resolves to no files: not found, or not downloaded."""

    file: str  # the file with the module call
    line: int
    name: str
    source: str
    why: str

    @property
    def address(self) -> str:
        return f"module.{self.name}"


_LOCAL_SOURCE = ("./", "../", ".\\", "..\\")


def _has_terraform_files(directory: str) -> bool:
    try:
        return any(e.name.endswith((".tf", ".tf.json")) and e.is_file() for e in os.scandir(directory))
    except OSError:
        return False


def unread_module(attrs: Mapping[str, Any]) -> UnreadModule | None:
    """The module call ``attrs`` (a module vertex) when its source resolves to no files.

    Checkov leaves ``__resolved__`` empty on such a call and only logs a warning. A local source is
    read when its directory holds ``.tf`` or ``.tf.json`` files (a JSON-only module is read by the
    JSON path, though Checkov's HCL graph resolves nothing for it); any other source is read when
    Checkov resolved it (a registry or git module it found already downloaded).
    """
    source = first(attrs.get("source"))
    if not isinstance(source, str) or "__resolved__" not in attrs or first(attrs.get("__resolved__")):
        return None
    file = str(attrs.get("file_path_", ""))
    name = str(attrs.get("block_name_") or attrs.get("__address__") or "?").split("[", 1)[0]
    line = int(attrs.get("__start_line__") or 0)
    if source.startswith(_LOCAL_SOURCE) or source in (".", ".."):
        directory = os.path.normpath(os.path.join(os.path.dirname(file), source))
        if _has_terraform_files(directory):
            return None
        if not os.path.isdir(directory):
            return UnreadModule(file, line, name, source, f"its directory {directory} does not exist")
        return UnreadModule(file, line, name, source, f"its directory {directory} holds no .tf or .tf.json file")
    why = "it is not downloaded, and a scan never downloads modules; vendor it under a local path"
    return UnreadModule(file, line, name, source, why)


@dataclass
class TerraformConfig:
    """Resources, module calls and provider blocks of one graph, indexed for constant-time lookups."""

    resources: list[Resource] = field(default_factory=list)
    by_type: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    by_address: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    providers: dict[tuple[ScopeKey, str, str | None], ProviderConfig] = field(default_factory=dict)
    module_calls: dict[ScopeKey, tuple[Mapping[str, Any], ScopeKey]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    # A module call's outputs that refer to one resource: (caller scope, call, instance, output) -> it.
    module_outputs: dict[tuple[ScopeKey, str, str | None, str], Resource] = field(default_factory=dict)
    # Where Terraform takes a region nobody wrote: the provider's environment, then the policy.
    environ: Mapping[str, str] = field(default_factory=dict)
    default_regions: Mapping[str, str] = field(default_factory=dict)
    _located: dict[tuple[str, int], list[Resource]] | None = field(default=None, repr=False)
    _unread: list[UnreadModule] | None = field(default=None, repr=False)

    def of_type(self, *types: str) -> Iterable[Resource]:
        for t in types:
            yield from self.by_type.get(t, ())

    def find(self, address: str, file_suffix: str = "", line: int | None = None) -> Resource | None:
        """The resource Checkov reports as ``address`` in ``file_suffix`` (addresses repeat across roots)."""
        candidates = self.by_address.get(address, ())
        if len(candidates) == 1:
            return candidates[0]
        suffix = file_suffix.replace("\\", "/")
        for res in candidates:
            if (not suffix or res.file.replace("\\", "/").endswith(suffix)) and (
                line is None or res.start_line == line
            ):
                return res
        return candidates[0] if candidates else None

    def unread_modules(self) -> list[UnreadModule]:
        """Every module call of the configuration whose source resolves to no files, found once
        (each module record's check asks, and each look-up lists a local source's directory)."""
        if self._unread is None:
            seen: dict[tuple[str, int, str], UnreadModule] = {}
            for attrs, _caller in self.module_calls.values():
                found = unread_module(attrs)
                if found is not None:
                    seen.setdefault((found.file, found.line, found.name), found)
            self._unread = list(seen.values())
        return self._unread

    def unread_module_at(self, file_suffix: str, name: str) -> UnreadModule | None:
        """The unread module call ``name`` written in the file ending in ``file_suffix``, if any."""
        suffix = file_suffix.replace("\\", "/")
        for found in self.unread_modules():
            if found.name == name.split("[", 1)[0] and found.file.replace("\\", "/").endswith(suffix):
                return found
        return None

    def block_at(self, file: str, line: int, rtype: str, name: str) -> list[Resource]:
        """The resources one block (``rtype.name`` at ``file:line``) stands for: one, or one per
        module or count instance; a block standing for instances itself, not its instances."""
        if self._located is None:
            self._located = defaultdict(list)
            for res in self.resources:
                if res.instance_of is None:
                    self._located[(os.path.normpath(res.file), res.start_line)].append(res)
        wanted = f"{rtype}.{name}"
        return [
            res
            for res in self._located.get((os.path.normpath(file), line), ())
            if res.type == rtype and strip_instance_keys(res.address).endswith(wanted)
        ]

    def plan_referenced(self, res: Resource, attr: str, *types: str) -> Resource | None:
        """The resource the plan's ``references`` of ``res.attr`` name (values known or not)."""
        for address in plan_references(res, attr):
            for candidate in self.by_address.get(address, ()):
                if candidate.file == res.file and (not types or candidate.type in types):
                    return candidate
        return None

    def root_of(self, scope: ScopeKey) -> ScopeKey:
        """The root module whose configuration ``scope`` belongs to: a root is its own; a module
        instance belongs to the root that (through its callers) calls it. Resources of different
        roots are different Terraform configurations and are never joined."""
        seen = 0
        while scope and scope[0] == "module" and seen < 50:
            call = self.module_calls.get(scope)
            if call is None:
                break
            scope, seen = call[1], seen + 1
        return scope

    def provider_for(self, resource: Resource) -> ProviderConfig | None:
        """The provider configuration Terraform would use for ``resource``."""
        if is_plan_file(resource.file):  # plan JSON: the graph lost the provider, the plan has it
            planned = plan_provider_for(resource)
            if planned is not None:
                return planned
        ref = _parse_provider_ref(resource.attrs.get("provider"))
        name, alias = ref if ref else (resource.prefix, None)
        via: tuple[str, ...] = ()
        return self._resolve(resource.scope, name, alias, via, depth=0)

    def _resolve(
        self, scope: ScopeKey, name: str, alias: str | None, via: tuple[str, ...], depth: int
    ) -> ProviderConfig | None:
        if depth > 50:
            return None
        found = self.providers.get((scope, name, alias))
        if found is not None:
            return ProviderConfig(found.name, found.alias, found.attrs, found.file, found.line, via)
        call = self.module_calls.get(scope)
        if call is None:
            return None
        call_attrs, caller = call
        module_name = str(call_attrs.get("block_name_", "?"))
        mapping = first(call_attrs.get("providers"))
        key = f"{name}.{alias}" if alias else name
        if isinstance(mapping, Mapping) and key in mapping:
            target = _parse_provider_ref(mapping[key])
            if target is None:
                return None
            step = f'module "{module_name}" providers {{ {key} = {target[0]}{"." + target[1] if target[1] else ""} }}'
            return self._resolve(caller, target[0], target[1], (*via, step), depth + 1)
        if alias is None:
            return self._resolve(caller, name, None, (*via, f'inherited by module "{module_name}"'), depth + 1)
        return None


# ``var.offices["1"]``: Checkov leaves an element of a list or map variable unrendered under ``count``.
_VAR_ELEMENT = re.compile(r'^\$?\{?var\.(?P<name>[A-Za-z0-9_-]+)\[\s*"?(?P<key>[^"\]]+)"?\s*\]\}?$')


def _element(value: Any, key: str) -> Any:
    """Element ``key`` of a list or map variable value, or None when it has none."""
    value = first(value) if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) else value
    if isinstance(value, Mapping):
        return value.get(key)
    if isinstance(value, list) and key.isdigit() and int(key) < len(value):
        return value[int(key)]
    return None


def _render_elements(res: Resource, variables: Mapping[tuple[ScopeKey, str], Any]) -> None:
    """Render ``var.x[i]`` attributes of ``res`` from the variable's value in its module."""
    rendered: dict[str, Any] = {}
    for key, value in res.attrs.items():
        text = first(value)
        match = _VAR_ELEMENT.match(text.strip()) if isinstance(text, str) else None
        if match is None or (res.scope, match.group("name")) not in variables:
            continue
        element = _element(variables[(res.scope, match.group("name"))], match.group("key"))
        if element is not None and not isinstance(element, (Mapping, list)):
            rendered[key] = [element]
    if rendered:
        res.attrs = {**res.attrs, **rendered}


_LENGTH_OF = re.compile(r"^\$?\{?\s*length\((?P<x>[^(),\[\]{}'\"]+)\)\s*\}?$")


def _render_single_element_count(res: Resource) -> None:
    """``count = length(var.l)`` with ``element(var.l, count.index)`` where ``var.l`` holds one
    element: Checkov writes the one-element list as its element (``length(10.50.0.0/16)``) and
    leaves the block unexpanded. The list has one element, the element is that text."""
    text = first(res.attrs.get("count"))
    match = _LENGTH_OF.match(text.strip()) if isinstance(text, str) else None
    if match is None or not is_resolved(match["x"].strip()):
        return
    element = match["x"].strip()
    written = {f"element({element},count.index)", f"${{element({element},count.index)}}"}
    rendered = {k: element for k, v in res.attrs.items() if isinstance(first(v), str) and first(v).strip() in written}
    if rendered:
        res.attrs = {**res.attrs, **rendered, "count": 1}


class _SourceLines:
    """Source lines of the scanned files, each read once and only when asked for."""

    def __init__(self) -> None:
        self._files: dict[str, list[str]] = {}
        self._json: dict[str, Any] = {}

    def block(self, file: str, start: int, end: int) -> list[str]:
        if file not in self._files:
            try:
                with open(file, encoding="utf-8", errors="replace") as handle:
                    self._files[file] = handle.read().splitlines()
            except OSError:
                self._files[file] = []
        return self._files[file][max(start - 1, 0) : end] if start else []

    def all(self, file: str) -> list[str]:
        return self.block(file, 1, 10**9)

    def json(self, file: str) -> Any:
        """The file parsed as JSON, once; raises ValueError each time it is asked when it is not JSON."""
        if file not in self._json:
            try:
                self._json[file] = json.loads("\n".join(self.all(file)))
            except ValueError as exc:
                self._json[file] = exc
        found = self._json[file]
        if isinstance(found, ValueError):
            raise found
        return found


# ``var.x`` as a whole value: an attribute set to a variable (Checkov leaves it so when the value is null).
_WHOLE_VAR = re.compile(r"^\$?\{?\s*var\.(?P<name>[A-Za-z0-9_-]+)\s*\}?$")


def _without_nulls(value: Any, is_null: Callable[[str], bool]) -> Any:
    """``value`` without the attributes set to a variable whose value is null, in nested blocks too;
    ``value`` itself when it has none."""
    if isinstance(value, Mapping):
        kept: dict[str, Any] = {}
        changed = False
        for key, item in value.items():
            text = first(item)
            match = _WHOLE_VAR.match(text.strip()) if isinstance(text, str) and "var." in text else None
            if match is not None and is_null(match["name"]):
                changed = True
                continue
            new = _without_nulls(item, is_null) if isinstance(item, (Mapping, list)) and key != "config_" else item
            changed = changed or new is not item
            kept[key] = new
        return kept if changed else value
    if isinstance(value, list):
        items = [_without_nulls(v, is_null) if isinstance(v, (Mapping, list)) else v for v in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    return value


def _drop_null_variables(config: TerraformConfig, variables: Mapping[tuple[ScopeKey, str], Any]) -> None:
    """An attribute set to a variable whose value is null is not set, as in Terraform (``default =
    null``, the usual way a module makes an argument optional): read as written it would be a value
    that cannot be resolved (an AWS traffic selector that may select all traffic, a region that is
    not known), where Terraform leaves the argument to the provider's default."""
    nulls = {key for key, value in variables.items() if value is None}
    if not nulls:
        return

    def null_in(scope: ScopeKey) -> Callable[[str], bool]:
        return lambda name: (scope, name) in nulls

    for res in config.resources:
        attrs = _without_nulls(res.attrs, null_in(res.scope))
        if attrs is not res.attrs:
            res.attrs = attrs
    for key, provider in list(config.providers.items()):
        attrs = _without_nulls(provider.attrs, null_in(key[0]))
        if attrs is not provider.attrs:
            config.providers[key] = dataclasses.replace(provider, attrs=attrs)


def _block_source(res: Resource, lines: _SourceLines) -> BlockSource | None:
    """``res`` as its source writes it (its static nested blocks, its dynamic blocks' ``for_each``)."""
    kind, rtype = ("data", res.type[5:]) if res.type.startswith("data.") else ("resource", res.type)
    name = strip_instance_keys(res.address).rsplit(".", 1)[-1]
    if res.file.endswith(".json"):
        return json_source(lambda: lines.json(res.file), kind, rtype, name)
    try:
        import hcl2  # Checkov's HCL parser, installed with it
    except ImportError:  # pragma: no cover - Checkov always brings it
        return None
    return hcl_source(hcl2.loads, lines.block(res.file, res.start_line, res.end_line), kind, rtype, name)


_VAR_REF = re.compile(r"\bvar\.(?P<name>[A-Za-z0-9_-]+)")


def _expand_dynamic_blocks(config: TerraformConfig, valued: set[tuple[ScopeKey, str]], lines: _SourceLines) -> None:
    """Nested blocks written with ``dynamic``, as Terraform expands them (``sources.dynamic``).
    ``valued`` holds the variables that have a value (a default, tfvars, a module argument)."""
    for res in config.resources:
        if "dynamic" in res.attrs:

            def unset(text: str, scope: ScopeKey = res.scope) -> bool:
                return any((scope, m["name"]) not in valued for m in _VAR_REF.finditer(text))

            res.attrs = expand_block(res.attrs, _block_source(res, lines), unset)


def _render_optional_defaults(
    config: TerraformConfig, variables: Mapping[tuple[ScopeKey, str], Any], lines: _SourceLines
) -> None:
    """``var.net.region`` of an object variable whose value leaves it to an ``optional()`` default."""

    def rendered(attrs: Mapping[str, Any], scope: ScopeKey, file: str) -> dict[str, Any] | None:
        start, end = int(attrs.get("__start_line__") or 0), int(attrs.get("__end_line__") or 0)
        return apply_optional_defaults(
            attrs, lambda: lines.block(file, start, end), lambda name: variables.get((scope, name))
        )

    for res in config.resources:
        new = rendered(res.attrs, res.scope, res.file)
        if new is not None:
            res.attrs = new
    for key, provider in list(config.providers.items()):
        new = rendered(provider.attrs, key[0], provider.file)
        if new is not None:
            config.providers[key] = dataclasses.replace(provider, attrs=new)


def read_config(graph: Any) -> TerraformConfig:
    """One pass over vertices and edges; nothing here depends on the number of resources squared."""
    config = TerraformConfig()
    by_index: dict[int, Resource] = {}
    variables: dict[tuple[ScopeKey, str], Any] = {}
    declared: dict[tuple[ScopeKey, str], tuple[Any, Any]] = {}  # every variable: (value, type)
    outputs: dict[int, list[int]] = {}  # output vertex -> the vertices its value refers to
    output_names: dict[int, tuple[str, ScopeKey | None]] = {}  # output vertex -> (name, its module)
    for idx, attrs in iter_vertices(graph):
        block_type = attrs.get("block_type_")
        if block_type == "output":
            outputs[idx] = []
            output_names[idx] = (str(attrs.get("block_name_", "")), _module_key(attrs.get("source_module_object_")))
        file_path = str(attrs.get("file_path_", ""))
        if file_path:
            config.files.add(file_path)
        if block_type in ("resource", "data"):
            rtype = str(attrs.get("resource_type", ""))
            address = str(attrs.get("__address__") or attrs.get("block_name_", ""))
            if block_type == "data" and not address.startswith("data."):
                address = f"data.{address}"
            res = Resource(
                index=idx,
                type=f"data.{rtype}" if block_type == "data" and not rtype.startswith("data.") else rtype,
                address=address,
                file=file_path,
                start_line=int(attrs.get("__start_line__") or 0),
                end_line=int(attrs.get("__end_line__") or 0),
                attrs=attrs,
                scope=_scope_of(attrs),
            )
            config.resources.append(res)
            config.by_type[res.type].append(res)
            config.by_address[address].append(res)
            by_index[idx] = res
        elif block_type == "provider":
            block_name = str(attrs.get("block_name_", ""))
            name = block_name.split(".", 1)[0]
            alias = first(attrs.get("alias"))
            alias = alias if isinstance(alias, str) and alias else None
            provider = ProviderConfig(name, alias, attrs, file_path, int(attrs.get("__start_line__") or 0), ())
            config.providers.setdefault((_scope_of(attrs), name, alias), provider)
        elif block_type == "variable":
            var_key = (_scope_of(attrs), str(attrs.get("block_name_", "")))
            declared[var_key] = (attrs.get("default"), attrs.get("type"))
            if "default" in attrs:
                variables[var_key] = attrs["default"]
        elif block_type == "module":
            block_name = str(attrs.get("block_name_", ""))
            name, _, index = block_name.partition("[")
            caller = _module_key(attrs.get("source_module_object_"))
            call = (attrs, _scope_of(attrs))
            # One vertex per instance of a for_each/count call: each instance's scope names its own
            # call (the one whose arguments it got), the bare call any of them.
            if index:
                instance = index.rstrip("]").strip().strip('"')
                config.module_calls[("module", file_path, name, instance, caller)] = call
            config.module_calls.setdefault(("module", file_path, name, None, caller), call)
    for res in config.resources:
        _render_elements(res, variables)
        _render_single_element_count(res)
    lines = _SourceLines()  # each scanned file read once, for every step below that needs its source
    _render_optional_defaults(config, declared, lines)
    _drop_null_variables(config, variables)
    _expand_dynamic_blocks(config, set(variables), lines)
    through_outputs: list[tuple[Resource, str]] = []
    for src, dst, label in iter_edges(graph):
        source, target = by_index.get(src), by_index.get(dst)
        if source is not None and target is not None:
            source.refs.setdefault(label, []).append(target)
        elif src in outputs:
            outputs[src].append(dst)
        elif source is not None and dst in outputs:
            through_outputs.append((source, label))
    _index_outputs(config, outputs, output_names, by_index)
    _follow_module_outputs(config, through_outputs, lines)
    # for_each/count module instances carry an index in their TFModule; map them to the call.
    for res in config.resources:
        scope = res.scope
        if scope[0] == "module" and scope not in config.module_calls and scope[3] is not None:
            base = (scope[0], scope[1], scope[2], None, scope[4])
            if base in config.module_calls:
                config.module_calls[scope] = config.module_calls[base]
    _expand_stand_ins(config, max(by_index, default=-1) + 1)
    return config


# ``module.cgw.id`` / ``module.cgw["a"].id`` as an attribute's whole value, as its source writes it.
_MODULE_OUTPUT = re.compile(
    r'^\$\{\s*module\.(?P<module>[A-Za-z0-9_-]+)(?:\[\s*"?(?P<index>[^\]"]+)"?\s*\])?\.(?P<output>[A-Za-z0-9_-]+)\s*\}$'
)


def module_output_text(module: str, index: str | None, output: str) -> str:
    """How a reference to a module output is written where the reader puts it back (nested blocks)."""
    return f"module.{module}{f'[{index}]' if index else ''}.{output}"


def _index_outputs(
    config: TerraformConfig,
    outputs: Mapping[int, list[int]],
    names: Mapping[int, tuple[str, ScopeKey | None]],
    by_index: Mapping[int, Resource],
) -> None:
    """``config.module_outputs``: each module call's outputs that refer to exactly one resource, by
    the caller's scope, the call's name and instance, and the output's name."""
    for idx, (name, module) in names.items():
        if module is None:
            continue
        target = _output_resource(idx, outputs, by_index)
        if target is None:
            continue
        caller = module[4] if module[4] is not None else ("root", os.path.dirname(str(module[1])))
        config.module_outputs[(caller, module[2], module[3] or None, name)] = target


def _follow_module_outputs(config: TerraformConfig, edges: list[tuple[Resource, str]], lines: _SourceLines) -> None:
    """``customer_gateway_id = module.cgw.id``: the resource the module's output refers to, also in
    nested blocks (``route { gateway_id = module.vpn.id }``).

    Checkov renders such a value as the output's value text inside the module
    (``aws_customer_gateway.this.id``, which names nothing in the caller), and links a top-level
    attribute to an output of that name, but not always of that module: two calls of one module both
    link to the first call's output. So the output is found by the attribute as the source writes it:
    a top-level attribute gets the edge to the resource, a nested block's value is written back as
    ``module.<name>.<output>``, which ``referenced`` reads through ``config.module_outputs``."""
    if not config.module_outputs:
        return
    labels: dict[int, set[str]] = defaultdict(set)
    for res, label in edges:
        labels[res.index].add(label)
    for res in config.resources:
        wanted = labels.get(res.index, set())
        nested = [k for k, v in res.attrs.items() if isinstance(v, (list, Mapping)) and not k.endswith("_")]
        if not wanted and not (nested and _mentions_module(lines, res)):
            continue
        source = _block_source(res, lines)
        body = source.body if source is not None else None
        if body is None:
            continue
        for label in wanted:
            target = _module_output(config, res, first(body.get(label)))
            if target is not None:
                res.refs.setdefault(label, []).append(target)
        rendered = dict(res.attrs)
        changed = False
        for name in nested:
            raw_blocks = [b for b in _raw_list(body.get(name)) if isinstance(b, Mapping)]
            blocks = [b for b in _raw_list(res.attrs.get(name)) if isinstance(b, Mapping)]
            if not raw_blocks or len(blocks) < len(raw_blocks):
                continue
            new_blocks = [dict(b) for b in blocks]
            for raw, block in zip(raw_blocks, new_blocks):
                for key, value in raw.items():
                    match = _MODULE_OUTPUT.match(v.strip()) if isinstance(v := first(value), str) else None
                    if match is not None and key in block:
                        block[key] = module_output_text(match["module"], match["index"], match["output"])
                        changed = True
            rendered[name] = new_blocks
        if changed:
            res.attrs = rendered


def _raw_list(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        return list(value[0])
    return list(value) if isinstance(value, list) else []


def _mentions_module(lines: _SourceLines, res: Resource) -> bool:
    return any("module." in line for line in lines.block(res.file, res.start_line, res.end_line))


def _module_output(config: TerraformConfig, res: Resource, text: Any) -> Resource | None:
    match = _MODULE_OUTPUT.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    return config.module_outputs.get((res.scope, match["module"], match["index"], match["output"]))


def _output_resource(
    output: int, outputs: Mapping[int, list[int]], by_index: Mapping[int, Resource]
) -> Resource | None:
    """The one resource a module output's value refers to, through nested modules' outputs; None when
    it refers to none or to several (which one a reference to it means is not known)."""
    found: dict[int, Resource] = {}
    seen: set[int] = set()
    pending = [output]
    while pending and len(seen) < 100:
        vertex = pending.pop()
        if vertex in seen:
            continue
        seen.add(vertex)
        for target in outputs.get(vertex, ()):
            if target in by_index:
                found[target] = by_index[target]
            elif target in outputs:
                pending.append(target)
    return next(iter(found.values())) if len(found) == 1 else None


def _expand_stand_ins(config: TerraformConfig, first_free: int) -> None:
    """Blocks repeated over another resource's instances become their instances (``sources.instances``):
    the instances are what the clouds' builders read; the stand-in stays findable by the address
    Checkov reports, and is judged against its instances."""
    created = expand_instances(config.resources, config.by_address, config.module_calls, itertools.count(first_free))
    if not created:
        return
    for res in created:
        config.resources.append(res)
        config.by_type[res.type].append(res)
        config.by_address[res.address].append(res)
    for rtype, found in config.by_type.items():
        config.by_type[rtype] = [res for res in found if not res.instances]
