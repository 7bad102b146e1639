"""CloudFormation templates as ``Resource`` records, so the same model and rules judge them as Terraform.

Checkov gives graph-less CloudFormation checks only the one resource being checked, while a VPN
verdict needs the customer gateway it references and a route verdict needs the VPN behind its
gateway. So a whole template (parsed once per file version by Checkov's own parser, in
``cn_crossborder.checkov``) is read here into records with their Ref/GetAtt links.

Each template type that has a Terraform twin is read *as* that twin (``AWS_TYPES``: the type and
property names of the AWS provider), so the one AWS adapter judges HCL, plan JSON and templates
alike; the record keeps the template's own address (``AWS::EC2::VPNConnection.LogicalId``), the
name Checkov reports.

A template does not say which region it is deployed to. The region is, in this order: the
``--region`` option of ``cn-crossborder scan`` (passed to Checkov's process as
``CN_CROSSBORDER_REGION``, which plain Checkov runs read too), else the ``Default`` of a template
parameter named ``Region``. Otherwise the stack's side of every link is *unknown*, the finding says
so, and the policy's ``unknown_location`` decides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from cn_crossborder.domain.resource import Resource
from cn_crossborder.sources.terraform import TerraformConfig

REGION_ENV = "CN_CROSSBORDER_REGION"
REGION_PARAMETER = "Region"

# Template type -> (Terraform type, {property: argument}) for every type a rule reads. A property
# written ``List.Key`` is the ``Key`` of every item of the list property ``List`` (a virtual
# interface's BGP peers), read as one argument listing them all, or, when the argument is written
# ``block.key``, as one nested ``block`` per item (a prefix list's entries). Property names and shapes are those
# of the CloudFormation Template Reference (docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference).
AWS_TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "AWS::EC2::VPNConnection": (
        "aws_vpn_connection",
        {
            "CustomerGatewayId": "customer_gateway_id",
            "VpnGatewayId": "vpn_gateway_id",
            "TransitGatewayId": "transit_gateway_id",
            "LocalIpv4NetworkCidr": "local_ipv4_network_cidr",
            "RemoteIpv4NetworkCidr": "remote_ipv4_network_cidr",
            "LocalIpv6NetworkCidr": "local_ipv6_network_cidr",
            "RemoteIpv6NetworkCidr": "remote_ipv6_network_cidr",
        },
    ),
    "AWS::EC2::CustomerGateway": ("aws_customer_gateway", {"IpAddress": "ip_address", "DeviceName": "device_name"}),
    "AWS::EC2::VPNGateway": ("aws_vpn_gateway", {}),
    "AWS::EC2::TransitGateway": ("aws_ec2_transit_gateway", {}),
    "AWS::EC2::TransitGatewayPeeringAttachment": (
        "aws_ec2_transit_gateway_peering_attachment",
        {"TransitGatewayId": "transit_gateway_id", "PeerRegion": "peer_region"},
    ),
    "AWS::EC2::VPCPeeringConnection": ("aws_vpc_peering_connection", {"PeerRegion": "peer_region"}),
    "AWS::EC2::Route": (
        "aws_route",
        {
            "DestinationCidrBlock": "destination_cidr_block",
            "DestinationIpv6CidrBlock": "destination_ipv6_cidr_block",
            "DestinationPrefixListId": "destination_prefix_list_id",
            "GatewayId": "gateway_id",
            "TransitGatewayId": "transit_gateway_id",
        },
    ),
    # Entries is a list of {Cidr, Description}: read as the twin's entry blocks.
    "AWS::EC2::PrefixList": ("aws_ec2_managed_prefix_list", {"Entries.Cidr": "entry.cidr"}),
    "AWS::EC2::VPNConnectionRoute": (
        "aws_vpn_connection_route",
        {"DestinationCidrBlock": "destination_cidr_block", "VpnConnectionId": "vpn_connection_id"},
    ),
    # RouteTableIds is a list where the twin has one route_table_id. The spec reads the route table
    # only to place the network that learns the routes; every table listed must be in the VPC the
    # gateway is attached to, so in the stack's region: one record judges them all.
    "AWS::EC2::VPNGatewayRoutePropagation": (
        "aws_vpn_gateway_route_propagation",
        {"VpnGatewayId": "vpn_gateway_id", "RouteTableIds": "route_table_id"},
    ),
    "AWS::DirectConnect::Connection": (
        "aws_dx_connection",
        {"ProviderName": "provider_name", "Location": "location"},
    ),
    "AWS::DirectConnect::Lag": ("aws_dx_lag", {"ProviderName": "provider_name", "Location": "location"}),
    # ConnectionId names a connection or a LAG. The customer's BGP address is per peer (BgpPeers, one
    # or two), where the twin has one customer_address.
    "AWS::DirectConnect::PrivateVirtualInterface": (
        "aws_dx_private_virtual_interface",
        {
            "ConnectionId": "connection_id",
            "VirtualGatewayId": "vpn_gateway_id",
            "DirectConnectGatewayId": "dx_gateway_id",
            "BgpPeers.CustomerAddress": "customer_address",
        },
    ),
    "AWS::DirectConnect::PublicVirtualInterface": (
        "aws_dx_public_virtual_interface",
        {"ConnectionId": "connection_id", "BgpPeers.CustomerAddress": "customer_address"},
    ),
    "AWS::DirectConnect::TransitVirtualInterface": (
        "aws_dx_transit_virtual_interface",
        {
            "ConnectionId": "connection_id",
            "DirectConnectGatewayId": "dx_gateway_id",
            "BgpPeers.CustomerAddress": "customer_address",
        },
    ),
    "AWS::DirectConnect::DirectConnectGateway": ("aws_dx_gateway", {}),
    "AWS::DirectConnect::DirectConnectGatewayAssociation": (
        "aws_dx_gateway_association",
        {
            "AllowedPrefixesToDirectConnectGateway": "allowed_prefixes",
            "AssociatedGatewayId": "associated_gateway_id",
            "DirectConnectGatewayId": "dx_gateway_id",
        },
    ),
}

_LINE_KEYS = ("__startline__", "__endline__", "__file__")
_PSEUDO_REGION = "AWS::Region"
_REF_KEYS = {"Ref", "Fn::GetAtt"}


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


def _is_reference(value: Any) -> bool:
    """A plain value, ``Ref`` or ``Fn::GetAtt``: what a list item referring to a resource looks like."""
    return not isinstance(value, Mapping) or (len(value) == 1 and next(iter(value)) in _REF_KEYS)


def _in_items(raw: Mapping[str, Any], prop: str, tpl: _Template, refs: list[str]) -> list[Any]:
    """``List.Key``: the ``Key`` of every item of the list property ``List`` that sets it, rendered.

    An item, or the whole list, written as an intrinsic (``Fn::If``, a ``Ref`` to a parameter) is
    rendered as such, a value not known statically: dropped, it would read as an item not there."""
    outer, _, inner = prop.partition(".")
    items = raw.get(outer)
    if items is None:
        return []
    if not isinstance(items, list):
        return [tpl.render(_clean(items), refs)]
    return [
        tpl.render(_clean(item.get(inner, item)), refs)
        for item in items
        if isinstance(item, Mapping) and (inner in item or _is_intrinsic(item))
    ]


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    """``{"Fn::If": ...}``, ``{"Ref": ...}``: a value the template computes, not one it writes."""
    keys = [k for k in value if k not in _LINE_KEYS]
    return len(keys) == 1 and (keys[0] == "Ref" or str(keys[0]).startswith("Fn::"))


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
        if isinstance(value, list):  # a list of references (RouteTableIds) refers to each of them
            return [self.render(v, refs if _is_reference(v) else []) for v in value]
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


def read_template(path: str, template: Mapping[str, Any], region: str | None, how: str) -> TerraformConfig:
    """The template's resources as ``Resource`` records of their Terraform twins, with Ref/GetAtt links.

    ``region``/``how``: the stack's region (None when unknown) and how it was decided.
    """
    tpl = _Template(template, region)
    config = TerraformConfig()
    config.files.add(path)
    pending: list[tuple[Resource, dict[str, list[str]]]] = []
    for idx, (logical_id, body) in enumerate(tpl.resources.items()):
        rtype = str(body.get("Type", ""))
        twin, names = AWS_TYPES.get(rtype, (rtype, {}))
        raw = body.get("Properties")
        raw = raw if isinstance(raw, Mapping) else {}
        attrs: dict[str, Any] = {}
        refs: dict[str, list[str]] = {}
        for key, value in raw.items():
            if key in _LINE_KEYS:
                continue
            found: list[str] = []
            name = names.get(str(key), str(key))
            attrs[name] = tpl.render(_clean(value), found)
            if found:
                refs[name] = found
        for prop, name in names.items():
            if "." in prop:
                found = []
                values = _in_items(raw, prop, tpl, found)
                block, _, key = name.partition(".")
                if values:
                    attrs[block] = [{key: value} for value in values] if key else values
                if found:
                    refs[block] = found
        attrs["tags"] = _tags(attrs)
        if region is not None:
            attrs["region"] = region
        res = Resource(
            index=idx,
            type=twin,
            address=f"{rtype}.{logical_id}",
            file=path,
            start_line=int(body.get("__startline__") or 0),
            end_line=int(body.get("__endline__") or 0),
            attrs=attrs,
            scope=("cfn", path),
            region_how=how,
        )
        config.resources.append(res)
        config.by_type[res.type].append(res)
        config.by_address[res.address].append(res)
        pending.append((res, refs))
    by_logical = {res.address.split(".", 1)[1] if "." in res.address else res.address: res for res, _ in pending}
    for res, refs in pending:
        for key, logical_ids in refs.items():
            targets = [by_logical[n] for n in logical_ids if n in by_logical]
            if targets:
                res.refs[key] = targets
    return config
