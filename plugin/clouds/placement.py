"""Where a resource is deployed, resolved the way Terraform resolves it (resource, provider, module)."""

from __future__ import annotations

from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.endpoints import UNSET_REGION, Endpoint, known_region_endpoint
from cn_crossborder.domain.regions import cloud_of_resource_type
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.sources.terraform import TerraformConfig

# Attributes that hold a resource's own region, per cloud (AWS provider v6, Huawei Cloud, Azure).
_RESOURCE_REGION_ATTR = {"aws": "region", "huaweicloud": "region", "azurerm": "location"}


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
        own = first(res.attrs.get(attr))
        if is_resolved(own):
            return known_region_endpoint(cloud, str(own), f"via {attr} of {res.address}")
        if own is not None:
            return Endpoint(None, str(own), f"{attr} of {res.address} is not known statically", declare=UNSET_REGION)
    provider = config.provider_for(res)
    if provider is None:
        return Endpoint(
            None,
            f"{cloud} provider",
            f"no {cloud} provider block in the module of {res.address}; the region comes from the environment",
            declare=UNSET_REGION,
        )
    where = f"{provider.address} ({provider.file.rsplit('/', 1)[-1]}:{provider.line})"
    chain = f" through {', '.join(provider.via)}" if provider.via else ""
    if cloud == "azurerm":
        env = first(provider.attrs.get("environment"))
        if isinstance(env, str) and env.lower() == "china":
            return Endpoint(jurisdictions.CN, "Azure China", f"via provider {where} environment = china{chain}")
        how = f"{res.address} has no location and provider {where} names none"
        return Endpoint(None, "no location", how, declare=UNSET_REGION)
    region = first(provider.attrs.get("region"))
    if not is_resolved(region):
        shown = region if region is not None else "no region"
        return Endpoint(None, str(shown), f"provider {where}{chain} has no static region", declare=UNSET_REGION)
    return known_region_endpoint(cloud, str(region), f"via provider {where}{chain}")
