"""CloudFormation templates as a network model, so the same rules judge them as Terraform.

Checkov gives graph-less CloudFormation checks only the one resource being checked, while a VPN
verdict needs the customer gateway it references and a route verdict needs the VPN behind its
gateway. So the template is loaded here once per file version, through Checkov's own CloudFormation
parser, into the same ``Resource`` records, ``Link``s and ``GeneralExit``s the Terraform adapters
build; the rules' ``evaluate`` functions run on it unchanged.

A template does not say which region it is deployed to. The region is, in this order: the
``--region`` option of ``cn-crossborder scan`` (passed to Checkov's process as
``CN_CROSSBORDER_REGION``, which plain Checkov runs read too), else the ``Default`` of a template
parameter named ``Region``. Otherwise the stack's side of every link is *unknown*, the finding says
so, and the policy's ``unknown_location`` decides.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from typing import Any

from cn_crossborder import jurisdictions
from cn_crossborder.checkov_check import DETAILS_KEY, wrap_record_constructor
from cn_crossborder.clouds.cloudformation import COVERAGE as CFN_COVERAGE
from cn_crossborder.clouds.common import circuit_tags, is_default_route, vpn_link
from cn_crossborder.context import AS_OF_ENV, context_for
from cn_crossborder.endpoints import LOCATION_TAG, Endpoint, region_endpoint
from cn_crossborder.graph import Resource, TerraformConfig, first
from cn_crossborder.model import DEDICATED, PEERING, VPN, GeneralExit, Link, NetworkModel

REGION_ENV = "CN_CROSSBORDER_REGION"
REGION_PARAMETER = "Region"

VPN_CONNECTION = "AWS::EC2::VPNConnection"
CUSTOMER_GATEWAY = "AWS::EC2::CustomerGateway"
VPN_GATEWAY = "AWS::EC2::VPNGateway"
TRANSIT_GATEWAY = "AWS::EC2::TransitGateway"
TGW_PEERING = "AWS::EC2::TransitGatewayPeeringAttachment"
ROUTE = "AWS::EC2::Route"
VPN_CONNECTION_ROUTE = "AWS::EC2::VPNConnectionRoute"
DX_CONNECTION = "AWS::DirectConnect::Connection"

# The resource types each check reports on in CloudFormation templates.
CFN_RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    rule_id: tuple(c.resource_type for c in coverage if c.reported) for rule_id, coverage in CFN_COVERAGE.items()
}

_LINE_KEYS = ("__startline__", "__endline__", "__file__")
_PSEUDO_REGION = "AWS::Region"


def _clean(value: Any) -> Any:
    """Plain dicts and lists without the line markers of Checkov's loader."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items() if k not in _LINE_KEYS}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _tags(properties: Mapping[str, Any]) -> dict[str, Any]:
    tags = properties.get("Tags")
    out: dict[str, Any] = {}
    if isinstance(tags, list):
        for item in tags:
            if isinstance(item, Mapping) and "Key" in item:
                out[str(item["Key"])] = item.get("Value")
    return out


class _Template:
    """Intrinsic functions resolved as far as a template alone allows."""

    def __init__(self, template: Mapping[str, Any], region: str | None):
        self.parameters = {str(k): v for k, v in (template.get("Parameters") or {}).items() if isinstance(v, Mapping)}
        self.resources = {
            str(k): v
            for k, v in (template.get("Resources") or {}).items()
            if k not in _LINE_KEYS and isinstance(v, Mapping)
        }
        self.region = region

    def render(self, value: Any, refs: list[str]) -> Any:
        """Parameter defaults and the region substituted; references to resources noted in ``refs``."""
        if isinstance(value, Mapping):
            if set(value) == {"Ref"}:
                name = str(value["Ref"])
                if name == _PSEUDO_REGION:
                    return self.region if self.region else "${AWS::Region}"
                if name in self.resources:
                    refs.append(name)
                    return "${" + name + "}"
                param = self.parameters.get(name)
                if isinstance(param, Mapping) and "Default" in param:
                    return param["Default"]
                return "${" + name + "}"
            if set(value) == {"Fn::GetAtt"}:
                target = value["Fn::GetAtt"]
                parts = target if isinstance(target, list) else str(target).split(".", 1)
                if parts and str(parts[0]) in self.resources:
                    refs.append(str(parts[0]))
                return "${" + ".".join(str(p) for p in parts) + "}"
            if len(value) == 1 and next(iter(value)).startswith("Fn::"):
                return "${" + next(iter(value)) + "}"  # Sub, If, Select...: not known statically
            return {k: self.render(v, []) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v, []) for v in value]
        return value


def template_region(template: Mapping[str, Any], path: str, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """The deployment region and how it is known, or (None, why it is not)."""
    given = environ.get(REGION_ENV, "").strip()
    if given:
        return given, f"by --region / {REGION_ENV}"
    params = template.get("Parameters")
    param = params.get(REGION_PARAMETER) if isinstance(params, Mapping) else None
    if isinstance(param, Mapping) and isinstance(param.get("Default"), str) and param["Default"].strip():
        line = param.get("__startline__")
        where = f"{os.path.basename(path)}:{line}" if isinstance(line, int) else os.path.basename(path)
        return param["Default"].strip(), f"by the Default of parameter {REGION_PARAMETER} ({where})"
    return None, (
        f"a CloudFormation stack's region is chosen at deployment: pass --region (or set {REGION_ENV}), "
        f"or give the template a {REGION_PARAMETER} parameter with a Default"
    )


def _stack_endpoint(region: str | None, how: str) -> Endpoint:
    if region is None:
        return Endpoint(None, "stack region", how)
    return region_endpoint("aws", region, f"{how}")


def read_template(path: str, template: Mapping[str, Any], region: str | None) -> TerraformConfig:
    """The template's resources as ``Resource`` records, with Ref/GetAtt links between them."""
    tpl = _Template(template, region)
    config = TerraformConfig()
    config.files.add(path)
    pending: list[tuple[Resource, dict[str, list[str]]]] = []
    for idx, (logical_id, body) in enumerate(tpl.resources.items()):
        rtype = str(body.get("Type", ""))
        raw = body.get("Properties")
        raw = raw if isinstance(raw, Mapping) else {}
        attrs: dict[str, Any] = {}
        refs: dict[str, list[str]] = {}
        for key, value in raw.items():
            if key in _LINE_KEYS:
                continue
            found: list[str] = []
            attrs[str(key)] = tpl.render(_clean(value), found)
            if found:
                refs[str(key)] = found
        attrs["tags"] = _tags(attrs)
        res = Resource(
            index=idx,
            type=rtype,
            address=f"{rtype}.{logical_id}",
            file=path,
            start_line=int(body.get("__startline__") or 0),
            end_line=int(body.get("__endline__") or 0),
            attrs=attrs,
            scope=("cfn", path),
        )
        config.resources.append(res)
        config.by_type[rtype].append(res)
        config.by_address[res.address].append(res)
        pending.append((res, refs))
    by_logical = {res.address.split(".", 1)[1] if "." in res.address else res.address: res for res, _ in pending}
    for res, refs in pending:
        for key, names in refs.items():
            targets = [by_logical[n] for n in names if n in by_logical]
            if targets:
                res.refs[key] = targets
    return config


def _ref(res: Resource, key: str, *types: str) -> Resource | None:
    target = res.ref(key)
    return target if target is not None and (not types or target.type in types) else None


def _declared_location(res: Resource) -> str | None:
    value = res.tags().get(LOCATION_TAG)
    return str(value).strip().upper() if value is not None else None


def build_cfn_model(config: TerraformConfig, stack: Endpoint, environ: Mapping[str, str]) -> NetworkModel:
    """Links and general exits of one template, in one pass per resource type."""
    model = NetworkModel(config, context_for(config.files, environ))
    for conn in config.of_type(VPN_CONNECTION):
        cgw = _ref(conn, "CustomerGatewayId", CUSTOMER_GATEWAY)
        address = cgw.get("IpAddress") if cgw is not None else None
        gateways = (_ref(conn, "VpnGatewayId", VPN_GATEWAY), _ref(conn, "TransitGatewayId", TRANSIT_GATEWAY))
        vpn_link(model, conn, stack, cgw, address, conn.attrs.get("CustomerGatewayId"), *gateways)
    for att in config.of_type(TGW_PEERING):
        peer_region = att.attrs.get("PeerRegion")
        if peer_region is None:
            same = "(no PeerRegion: the peer is in the stack's region)"
            remote = Endpoint(stack.jurisdiction, stack.label, same)
        else:
            remote = region_endpoint("aws", peer_region, f"via PeerRegion of {att.address}")
        impossible = None
        if stack.jurisdiction and remote.jurisdiction and stack.is_mainland != remote.is_mainland:
            impossible = (
                "AWS China regions form the separate aws-cn partition; a transit gateway peering cannot "
                "join them to a region outside it, so this attachment cannot be created as written."
            )
        link = Link(
            kind=PEERING,
            resource=att,
            local=stack,
            remote=remote,
            impossible=impossible,
            circuit_tags=circuit_tags(att),
        )
        model.add_link(link, _ref(att, "TransitGatewayId", TRANSIT_GATEWAY))
    for dx in config.of_type(DX_CONNECTION):
        declared = _declared_location(dx)
        location = first(dx.attrs.get("Location")) or "no location"
        if declared and len(declared) == 2 and declared.isalpha():
            remote = Endpoint(declared, str(location), f"by tag {LOCATION_TAG} on {dx.address}")
        else:
            why = "(a Direct Connect location; where the line's far end is, is not declared)"
            remote = Endpoint(None, str(location), why)
        provider = first(dx.attrs.get("ProviderName"))
        link = Link(
            kind=DEDICATED,
            resource=dx,
            local=stack,
            remote=remote,
            carrier_text=str(provider) if isinstance(provider, str) and provider.strip() else None,
            carrier_attr="ProviderName",
            circuit_tags=circuit_tags(dx),
            far_end_proven_cn=(f"tag {LOCATION_TAG} = CN on {dx.address}" if declared == jurisdictions.CN else None),
        )
        model.add_link(link)
    _add_exits(model, stack)
    return model


def _add_exits(model: NetworkModel, stack: Endpoint) -> None:
    config = model.config
    for conn in config.of_type(VPN_CONNECTION):
        for link in model.links_for(conn, VPN):
            if link.local.is_mainland:
                keys, side = ("RemoteIpv4NetworkCidr", "RemoteIpv6NetworkCidr"), "AWS side"
            elif link.remote.is_mainland:
                keys, side = ("LocalIpv4NetworkCidr", "LocalIpv6NetworkCidr"), "customer side"
            else:
                continue
            for key in keys:
                if key in conn.attrs and is_default_route(conn.attrs.get(key)):
                    what = (
                        f"{key} = {first(conn.attrs.get(key))} lets the mainland {side} "
                        "send all traffic into the tunnel"
                    )
                    network = link.local if link.local.is_mainland else link.remote
                    model.add_exit(GeneralExit(conn, network, what, [link]))
    for route in config.of_type(ROUTE):
        dest = first(route.attrs.get("DestinationCidrBlock"))
        dest6 = first(route.attrs.get("DestinationIpv6CidrBlock"))
        if not (is_default_route(dest) or is_default_route(dest6)):
            continue
        for key, types in (("GatewayId", (VPN_GATEWAY,)), ("TransitGatewayId", (TRANSIT_GATEWAY,))):
            target = _ref(route, key, *types)
            links = model.links_via(target)
            if target is not None and links:
                shown = dest if is_default_route(dest) else dest6
                what = f"route {shown} -> {key} = {target.address}"
                model.add_exit(GeneralExit(route, stack, what, links))
                break
    for route in config.of_type(VPN_CONNECTION_ROUTE):
        if not is_default_route(route.attrs.get("DestinationCidrBlock")):
            continue
        conn = _ref(route, "VpnConnectionId", VPN_CONNECTION)
        links = model.links_for(conn, VPN) if conn is not None else []
        if links:
            what = f"static route {first(route.attrs.get('DestinationCidrBlock'))} over {conn.address}"
            model.add_exit(GeneralExit(route, links[0].local, what, links))


def _load(path: str) -> Mapping[str, Any] | None:
    from checkov.cloudformation.parser import parse

    template, _ = parse(path, {})
    return template if isinstance(template, Mapping) else None


class _ModelCache:
    """Models by template path, modification time, size and the environment they were built for."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[Any, ...], NetworkModel | None]] = {}
        self._lock = threading.Lock()

    def get(self, path: str, environ: Mapping[str, str]) -> NetworkModel | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        env = tuple(sorted((k, v) for k, v in environ.items() if k.startswith("CN_CROSSBORDER_")))
        stamp = (stat.st_mtime_ns, stat.st_size, env, environ.get(AS_OF_ENV))
        with self._lock:
            cached = self._entries.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            template = _load(path)
            model = None
            if template is not None:
                region, how = template_region(template, path, environ)
                config = read_template(path, template, region)
                model = build_cfn_model(config, _stack_endpoint(region, how), environ)
            self._entries[path] = (stamp, model)
            return model


_cache = _ModelCache()


def cfn_model(path: str, environ: Mapping[str, str] = os.environ) -> NetworkModel | None:
    """The network model of the CloudFormation template at ``path`` (None if it cannot be read)."""
    return _cache.get(path, environ)


def template_path(scanned_file: str) -> str | None:
    """The absolute path of the template Checkov is checking.

    Checkov hands CloudFormation checks only a path relative to the scan root and strips the file
    marker from the resource; its runner's frame still holds the absolute path of the file it is on.
    """
    frame = sys._getframe(1)
    while frame is not None:
        local = frame.f_locals
        if local.get("cf_file") == scanned_file and isinstance(local.get("file_abs_path"), str):
            return str(local["file_abs_path"])
        frame = frame.f_back  # type: ignore[assignment]
    candidate = os.path.abspath(scanned_file.lstrip("/"))
    return candidate if os.path.isfile(candidate) else None


def _move_details(kwargs: dict[str, Any]) -> None:
    """Checkov's CloudFormation records, with the details a check of ours left in its result."""
    result = kwargs.get("check_result")
    details = result.pop(DETAILS_KEY, None) if isinstance(result, dict) else None
    if details and not kwargs.get("details"):
        kwargs["details"] = details


def carry_details() -> None:
    """Make Checkov's CloudFormation records carry a check's details, as Terraform records do."""
    from checkov.cloudformation import runner as cfn_runner

    wrap_record_constructor(cfn_runner, _move_details)
