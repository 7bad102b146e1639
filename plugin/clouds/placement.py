"""Where a resource is deployed, resolved the way Terraform resolves it (resource, provider, module)."""

from __future__ import annotations

import re
from typing import Any

from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.endpoints import UNSET_REGION, Endpoint, known_region_endpoint
from cn_crossborder.domain.regions import cloud_of_resource_type, region_of_zone
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.sources.optional import split_args
from cn_crossborder.sources.terraform import TerraformConfig

# Attributes that hold a resource's own region, per cloud (AWS provider v6, Huawei Cloud, Azure).
_RESOURCE_REGION_ATTR = {"aws": "region", "huaweicloud": "region", "azurerm": "location"}

# The environment variables each provider reads when its block names no region, in Terraform's order.
REGION_ENV = {
    "aws": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "alicloud": ("ALICLOUD_REGION",),
    "tencentcloud": ("TENCENTCLOUD_REGION",),
    "huaweicloud": ("HW_REGION_NAME",),
    "volcengine": ("VOLCENGINE_REGION",),
    "baiducloud": ("BAIDUCLOUD_REGION",),
}

# Attributes that hold a zone, whose region is proved by the zone id.
_ZONE_ATTRS = ("availability_zone", "zone")

_TRY = re.compile(r"^\$?\{?\s*try\((?P<args>.*)\)\s*\}?$", re.DOTALL)


def static_value(value: Any) -> Any:
    """A value as Terraform would have it statically: ``try(a, b)`` is its first resolvable argument.

    Checkov leaves ``try(var.unset, "ap-guangzhou")`` as text; read as a region name it would be an
    unknown region, and an unset first argument would hide the written fallback.
    """
    value = first(value)
    match = _TRY.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return value
    for arg in split_args(match.group("args")):
        arg = arg.strip()
        if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "\"'":
            return arg[1:-1]
        inner = static_value(arg)
        if is_resolved(inner) and inner != "None" and not re.search(r"[()]", str(inner)):
            return inner
    return None


def _unwritten_region(config: TerraformConfig, cloud: str, unknown: Endpoint) -> Endpoint:
    """Where Terraform takes a region no block writes: the provider's environment variable, then the
    policy's ``default_regions``; else ``unknown`` stands."""
    for name in REGION_ENV.get(cloud, ()):
        value = config.environ.get(name, "").strip()
        if value:
            return known_region_endpoint(cloud, value, f"via environment {name}")
    default = config.default_regions.get(cloud)
    if default:
        return known_region_endpoint(cloud, default, "via default_regions of the policy")
    return unknown


def _azure_china(config: TerraformConfig, res: Resource) -> str | None:
    """How ``res`` is in Azure China (operated by 21Vianet, every region of it in mainland China)
    by its provider's ``environment = "china"``; None otherwise."""
    provider = config.provider_for(res)
    env = first(provider.attrs.get("environment")) if provider is not None else None
    if not (isinstance(env, str) and env.lower() == "china"):
        return None
    chain = f" through {', '.join(provider.via)}" if provider and provider.via else ""
    where = f"{provider.address} ({provider.file.rsplit('/', 1)[-1]}:{provider.line})" if provider else ""
    return f"via provider {where}{chain} environment = china, every region of which is in mainland China"


def cloud_endpoint(config: TerraformConfig, res: Resource) -> Endpoint:
    """The region a resource is deployed in, resolved the way Terraform resolves it."""
    cloud = cloud_of_resource_type(res.type) or res.prefix
    attr = _RESOURCE_REGION_ATTR.get(cloud)
    if res.region_how is not None:  # the source decided the region (a CloudFormation stack)
        region = first(res.attrs.get(attr or "region"))
        if is_resolved(region):
            return known_region_endpoint(cloud, str(region), res.region_how)
        return Endpoint(None, "stack region", res.region_how, declare=UNSET_REGION)
    if attr:
        own = static_value(res.attrs.get(attr))
        if is_resolved(own):
            return known_region_endpoint(cloud, str(own), f"via {attr} of {res.address}")
        if own is not None:
            china = _azure_china(config, res) if cloud == "azurerm" else None
            if china is not None:  # whichever location it is, it is one of Azure China's
                how = f"{china} ({attr} {own} of {res.address} is not known statically)"
                return Endpoint(jurisdictions.CN, "Azure China", how)
            return Endpoint(None, str(own), f"{attr} of {res.address} is not known statically", declare=UNSET_REGION)
    for zone_attr in _ZONE_ATTRS:
        zone = static_value(res.attrs.get(zone_attr))
        region = region_of_zone(cloud, zone) if is_resolved(zone) else None
        if region is not None:
            return known_region_endpoint(cloud, region, f"via {zone_attr} {zone} of {res.address}")
    provider = config.provider_for(res)
    if provider is None:
        unknown = Endpoint(
            None,
            f"{cloud} provider",
            f"no {cloud} provider block in the module of {res.address}, no region in the environment "
            f"({', '.join(REGION_ENV.get(cloud, ())) or 'none read'}) nor in default_regions of the policy",
            declare=UNSET_REGION,
        )
        return _unwritten_region(config, cloud, unknown)
    at = f":{provider.line}" if provider.line else ""  # a plan's provider_config has no line
    where = f"{provider.address} ({provider.file.rsplit('/', 1)[-1]}{at})"
    chain = f" through {', '.join(provider.via)}" if provider.via else ""
    if cloud == "azurerm":
        env = first(provider.attrs.get("environment"))
        if isinstance(env, str) and env.lower() == "china":
            return Endpoint(jurisdictions.CN, "Azure China", f"via provider {where} environment = china{chain}")
        how = f"{res.address} has no location and provider {where} names none"
        return Endpoint(None, "no location", how, declare=UNSET_REGION)
    written = provider.attrs.get("region")
    region = static_value(written)
    if written is None:
        unknown = Endpoint(
            None,
            "no region",
            f"provider {where}{chain} names no region, and neither the environment "
            f"({', '.join(REGION_ENV.get(cloud, ())) or 'none read'}) nor default_regions of the policy gives one",
            declare=UNSET_REGION,
        )
        return _unwritten_region(config, cloud, unknown)
    if not is_resolved(region):
        how = f"provider {where}{chain} has no static region"
        return Endpoint(None, str(first(written)), how, declare=UNSET_REGION)
    return known_region_endpoint(cloud, str(region), f"via provider {where}{chain}")


def written_region(config: TerraformConfig, res: Resource) -> str | None:
    """The region id Terraform gives ``res`` when it is known statically: its own region attribute,
    else its provider's ``region``, else the provider's environment or the policy's default_regions
    (the order of ``cloud_endpoint``, for the clouds whose providers name a region)."""
    cloud = cloud_of_resource_type(res.type) or res.prefix
    attr = _RESOURCE_REGION_ATTR.get(cloud)
    if attr and res.attrs.get(attr) is not None:
        own = static_value(res.attrs.get(attr))
        return str(own) if is_resolved(own) else None
    provider = config.provider_for(res)
    written = provider.attrs.get("region") if provider is not None else None
    if written is not None:
        region = static_value(written)
        return str(region) if is_resolved(region) else None
    for name in REGION_ENV.get(cloud, ()):
        value = config.environ.get(name, "").strip()
        if value:
            return value
    return config.default_regions.get(cloud) or None


# A region read from a data source that names the provider's own region: Alibaba's
# ``data.alicloud_regions.x.regions[0].id`` (or ``.ids[0]``) and AWS's ``data.aws_region.x.name``
# (``.region`` from provider v6, or ``.id``).
_REGION_DATA = re.compile(
    r"^\$?\{?\s*data\.(?P<type>alicloud_regions|aws_region)\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?"
    r"\.(?:regions(?:\[0\]|\.0)\.id|ids(?:\[0\]|\.0)|name|region|id)\s*\}?$"
)


def _data_region(config: TerraformConfig, source: Resource) -> str | None:
    """The region a region data source stands for, when it is known statically."""
    if source.type == "data.aws_region":  # the region named (name, or region from v6), else the provider's
        named = next((static_value(source.attrs.get(a)) for a in ("region", "name") if source.attrs.get(a)), None)
        if named is not None:
            return str(named) if is_resolved(named) else None
        return written_region(config, source)
    named = static_value(source.attrs.get("name"))  # alicloud_regions: name, or current = true
    if named is not None:
        return str(named) if is_resolved(named) else None
    if str(first(source.attrs.get("current"))).lower() == "true":
        return written_region(config, source)
    return None  # every region: which one comes first is not known


def render_region_data_sources(config: TerraformConfig) -> None:
    """Attributes written as the region of a data source that names the provider's own region
    (``child_instance_region_id = data.alicloud_regions.current.regions[0].id``, ``peer_region =
    data.aws_region.peer.name``) take that region, as Terraform gives it: left as written they would
    be a region that is not known statically."""
    for res in config.resources:
        rendered: dict[str, Any] = {}
        for key, value in res.attrs.items():
            text = first(value)
            if not isinstance(text, str) or "data." not in text:
                continue
            match = _REGION_DATA.match(text.strip())
            if match is None:
                continue
            source = next((r for r in res.refs.get(key, ()) if r.type == f"data.{match['type']}"), None)
            region = _data_region(config, source) if source is not None else None
            if region is not None:
                rendered[key] = region
        if rendered:
            res.attrs = {**res.attrs, **rendered}
