"""What is genuinely one cloud's: licensed cross-border products, closed clouds, areas, placements.

The cloud specs name these hooks; the generic builders in ``engine`` call them. Each hook states its
source in its docstring (see ``docs/cloud-specs.md`` for the registries and their signatures):

- ``PRODUCTS[name](model, link, **context) -> (product, missing)``: whether a peering-type link
  rides the cloud's licensed cross-border product, and why not;
- ``CLOSURES[name](local, remote) -> (local, remote, impossible)``: a cloud whose mainland side is
  a closed partition (AWS China, Azure China): an unknown end facing it is inside it, and a link
  across it cannot exist;
- ``AREAS[name](value, how) -> Endpoint``: a cloud's area names (Huawei Cloud Connect);
- ``LOCAL[name](model, line) -> Endpoint``: where a dedicated line's cloud end is;
- ``LINK_HOOKS`` / ``EXIT_HOOKS``: the few shapes one cloud alone has (Azure's internal links and
  forced tunnelling, Huawei's Global Accelerator and enterprise routers).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from cn_crossborder.clouds.common import (
    CenPackages,
    circuit_tags,
    inline_blocks,
    inline_ref,
    network_key,
    referenced,
    shown,
)
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.endpoints import Endpoint, address_endpoint, region_endpoint
from cn_crossborder.domain.jurisdictions import CN, OUTSIDE
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel

Product = tuple[str | None, str | None]


def _cached(model: NetworkModel, key: str, build: Callable[[], Any]) -> Any:
    """One index per model and hook, built on first use (a hook runs once per link)."""
    if key not in model.cache:
        model.cache[key] = build()
    return model.cache[key]


def _drawn_on(model: NetworkModel, package: Resource, tie_types: tuple[str, ...], attrs: tuple[str, ...]) -> list[str]:
    """The resources that draw on a bandwidth package (through any of ``attrs``), indexed once per model."""

    def build() -> dict[int, list[str]]:
        index: dict[int, list[str]] = defaultdict(list)
        for tie in model.config.of_type(*tie_types):
            for attr in attrs:
                target = referenced(model.config, tie, attr)
                if target is not None:
                    index[target.index].append(tie.address)
        return index

    index: dict[int, list[str]] = _cached(model, "drawn-on:" + ":".join((*tie_types, *attrs)), build)
    return index.get(package.index, [])


def _carrying(product: str, ties: list[str], nothing: str, fix: str) -> Product:
    """A cross-border package reported on itself: what it carries, or why nothing here proves the route."""
    if ties:
        return f"{product}, carrying {', '.join(ties)} (each judged on its own)", None
    return None, (
        f"{product} is tied to nothing in this configuration ({nothing}), so what crosses over it cannot be "
        f"tied to an approved route; {fix}, or record the link as a circuit"
    )


# --- closed clouds --------------------------------------------------------------------------------------

AWS_PARTITION = (
    "the AWS China regions (cn-north-1, cn-northwest-1) are a separate partition (aws-cn), so peering "
    "cannot join them to a region outside it and this link cannot be created. Connect the two sides "
    "over a Direct Connect line or IP-VPN leased from China Telecom, China Unicom or China Mobile "
    "(or CTG, CUG, CMI) and record it as a circuit in .cn-crossborder.yaml."
)
AZURE_CHINA = (
    "Azure operated by 21Vianet (Azure China) is a separate cloud: {what} between it and global Azure "
    "cannot be created. Connect the two over an ExpressRoute circuit or an IPsec VPN carried on a line "
    "leased from China Telecom, China Unicom or China Mobile (or CTG, CUG, CMI), recorded as a circuit "
    "in .cn-crossborder.yaml."
)


_OUTSIDE_CLOSED = "; the other end is outside the closed China cloud, and no link of this kind can enter it"


def _closed(local: Endpoint, remote: Endpoint, inside: str, impossible: str) -> tuple[Endpoint, Endpoint, str | None]:
    """An unknown end shares the known end's side of the closed cloud: no link leaves or enters it."""
    if local.is_mainland and remote.jurisdiction is None:
        remote = Endpoint(CN, remote.label, remote.how + inside)
    elif remote.is_mainland and local.jurisdiction is None:
        local = Endpoint(CN, local.label, local.how + inside)
    elif local.jurisdiction is not None and remote.jurisdiction is None:
        remote = Endpoint(OUTSIDE, remote.label, remote.how + _OUTSIDE_CLOSED, verified=local.verified)
    elif remote.jurisdiction is not None and local.jurisdiction is None:
        local = Endpoint(OUTSIDE, local.label, local.how + _OUTSIDE_CLOSED, verified=remote.verified)
    crosses = local.is_mainland != remote.is_mainland and None not in (local.jurisdiction, remote.jurisdiction)
    return local, remote, impossible if crosses else None


def aws_partition(local: Endpoint, remote: Endpoint) -> tuple[Endpoint, Endpoint, str | None]:
    """AWS China is the aws-cn partition (AWS docs, "China Regions"): peering stays inside it."""
    inside = "; peering cannot leave the aws-cn partition, whose regions are all in mainland China"
    return _closed(local, remote, inside, AWS_PARTITION)


def azure_china(what: str) -> Callable[[Endpoint, Endpoint], tuple[Endpoint, Endpoint, str | None]]:
    """Azure China is a separate cloud (Microsoft docs, "Azure China developer guide")."""

    def close(local: Endpoint, remote: Endpoint) -> tuple[Endpoint, Endpoint, str | None]:
        inside = "; Azure China links reach only Azure China, whose regions are all in mainland China"
        return _closed(local, remote, inside, AZURE_CHINA.format(what=what))

    return close


CLOSURES: dict[str, Callable[[Endpoint, Endpoint], tuple[Endpoint, Endpoint, str | None]]] = {
    "aws-partition": aws_partition,
    "azure-china-expressroute": azure_china("an ExpressRoute connection of a virtual WAN hub"),
}


# --- Alibaba Cloud ---------------------------------------------------------------------------------------

ALI_PRODUCT = "Alibaba CEN cross-border bandwidth package"
ALI_BUY = (
    f'buy an {ALI_PRODUCT} (alicloud_cen_bandwidth_package with geographic_region_a_id = "China" and '
    "geographic_region_b_id = the overseas area)"
)
_ACCESS_POINT = re.compile(r"^ap-(?P<country>[a-z]{2})-(?P<city>[a-z]+)", re.IGNORECASE)


def _ali_areas(package: Resource) -> tuple[Any, Any]:
    a, b = package.get("geographic_region_a_id"), package.get("geographic_region_b_id")
    if a is None and b is None:
        ids = package.attrs.get("geographic_region_ids")
        if isinstance(ids, (list, tuple)) and ids:
            a, b = first(ids[0]), first(ids[-1])
    return a, b


def alicloud_package(package: Resource) -> Product:
    """A CEN bandwidth package is the cross-border product when one of its two areas is China."""
    a, b = _ali_areas(package)
    if not (is_resolved(a) and is_resolved(b)):
        return None, f"the areas of {package.address} are not known statically"
    if len([x for x in (a, b) if str(x).lower() == "china"]) == 1:
        return f"the {ALI_PRODUCT} {package.address} ({a} <-> {b}; the carrier behind it is unverified)", None
    return None, f"{package.address} connects {a} and {b}, so it is not a cross-border bandwidth package"


ALI_PACKAGES = (
    "alicloud_cen_bandwidth_package_attachment",
    "instance_id",
    "alicloud_cen_instance",
    "bandwidth_package_id",
    "alicloud_cen_bandwidth_package",
)


def _packages(model: NetworkModel, ties: tuple[str, str, str, str, str]) -> CenPackages:
    """The bandwidth packages tied to each CEN (``ties``: tie type, CEN attr and type, package attr and type)."""
    packages: CenPackages = _cached(model, ":".join(ties), lambda: CenPackages(model.config, *ties))
    return packages


def alicloud_cen(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A CEN member or limit rides the cross-border package attached to its CEN instance."""
    key, network, member = context.get("key"), context.get("network"), context.get("member")
    cen = network.address if network is not None else shown(member.get("instance_id") if member else None)
    missing = f"CEN {cen} has no cross-border bandwidth package attached; {ALI_BUY} and attach it"
    judge = lambda package: _ali_judged(package, link)  # noqa: E731
    return _packages(model, ALI_PACKAGES).product(key, judge, f"attached to CEN {cen}", missing)


def alicloud_transit_router(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A transit-router peering draws on the bandwidth package it names (``cen_bandwidth_package_id``)."""
    att = link.resource
    package = referenced(model.config, att, "cen_bandwidth_package_id", "alicloud_cen_bandwidth_package")
    if package is not None:
        return _ali_judged(package, link)
    if att.get("cen_bandwidth_package_id") is not None:
        return None, (
            f"cen_bandwidth_package_id = {shown(att.get('cen_bandwidth_package_id'))} names a package "
            "outside this configuration, whose areas cannot be checked"
        )
    if str(att.get("bandwidth_type") or "").lower() == "datatransfer":
        return None, (
            "bandwidth_type = DataTransfer draws on no bandwidth package (whether pay-by-data-transfer "
            f"may cross the border is not established); {ALI_BUY} and set cen_bandwidth_package_id to it"
        )
    return None, f"no cen_bandwidth_package_id is set; {ALI_BUY} and set it"


def _access_point(value: Any) -> Endpoint | None:
    """``ap-cn-<city>-…`` names that mainland city; another country code is only known to be outside."""
    if not is_resolved(value):
        return None
    match = _ACCESS_POINT.match(str(value))
    if match is None:
        return None
    if match["country"].lower() == "cn":
        region = f"cn-{match['city'].lower()}"
        found = region_endpoint("alicloud", region, f"by access point {value}")
        if found.jurisdiction is not None:
            how = f"by its access point id (region {region}; the ap-<country>-<city> format is UNVERIFIED)"
            return Endpoint(found.jurisdiction, str(value), how)
        return None
    return Endpoint(OUTSIDE, str(value), "by its access point id (not ap-cn-…)", verified=False)


def alicloud_line_local(model: NetworkModel, line: Resource) -> Endpoint:
    """An Express Connect line serves its provider's region; the access point decides only when that is unknown."""
    local = cloud_endpoint(model.config, line)
    hint = _access_point(line.get("access_point_id"))
    if hint is None:
        return local
    if local.jurisdiction is None:
        return Endpoint(hint.jurisdiction, hint.label, f"{hint.how}; {local.label} {local.how}", hint.verified)
    if hint.is_mainland != local.is_mainland:
        how = f"{local.how}; its access point {hint.label} lies on the other side of the border"
        return Endpoint(local.jurisdiction, local.label, how, local.verified)
    return local


# Alibaba CEN areas (geographic_region_*_id) of the regions outside the mainland. Source: Alibaba Cloud,
# CreateCenBandwidthPackage (alibabacloud.com/help/tc/cen/developer-reference/api-10654e, 2024-11-13),
# table of areas and the regions they hold; True marks an entry that table confirms. The rest are
# inferred from the region's location and are UNVERIFIED: they never fail a link, they only say so.
ALI_CEN_AREAS: dict[str, tuple[str, bool]] = {
    "cn-hongkong": ("Asia-Pacific", True),
    "ap-southeast-1": ("Asia-Pacific", True),
    "ap-southeast-3": ("Asia-Pacific", True),
    "ap-northeast-1": ("Asia-Pacific", True),
    "ap-southeast-5": ("Asia-Pacific", True),
    "us-west-1": ("North-America", True),
    "us-east-1": ("North-America", True),
    "eu-central-1": ("Europe", True),
    "ap-northeast-2": ("Asia-Pacific", False),
    "ap-southeast-6": ("Asia-Pacific", False),
    "ap-southeast-7": ("Asia-Pacific", False),
    "ap-southeast-2": ("Australia", False),
    "eu-west-1": ("Europe", False),
    "me-east-1": ("Middle-East", False),
}
ALI_CEN_AREA_NAMES = frozenset({"asia-pacific", "australia", "europe", "middle-east", "north-america"})


def alicloud_area(value: Any, how: str) -> Endpoint:
    """A CEN bandwidth package area: ``China`` is the mainland, the other areas lie outside it."""
    value = first(value)
    if not is_resolved(value):
        return Endpoint(None, shown(value), f"{how} is not known statically")
    key = str(value).strip().lower()
    if key == "china":
        return Endpoint(CN, str(value), f"{how} (the CEN area of the Chinese mainland)")
    if key in ALI_CEN_AREA_NAMES:
        return Endpoint(OUTSIDE, str(value), f"{how} (a CEN area outside the mainland)")
    return Endpoint(None, str(value), f"{how}: not a CEN area")


def _ali_area_check(package: Resource, link: Link) -> str | None:
    """Why a cross-border package does not cover the link's overseas region, if it provably does not."""
    outside = [ep for ep in link.ends if not ep.is_mainland]
    if len(outside) != 1 or outside[0].jurisdiction is None:
        return None
    region = outside[0].label.split(" ")[0]
    area, verified = ALI_CEN_AREAS.get(region, (None, False))
    a, b = _ali_areas(package)
    other = next((str(x) for x in (a, b) if str(x).lower() != "china"), None)
    if area is None or other is None or not verified or area.lower() == other.lower():
        return None
    fix = ALI_BUY.replace("the overseas area", f'"{area}"')
    return (
        f"{package.address} connects China with {other}, but {region} is in the CEN area {area} "
        f"(Alibaba CreateCenBandwidthPackage area table); {fix}"
    )


def _ali_area_note(package: Resource, link: Link) -> str:
    outside = [ep for ep in link.ends if not ep.is_mainland and ep.jurisdiction is not None]
    if len(outside) != 1:
        return ""
    region = outside[0].label.split(" ")[0]
    area, verified = ALI_CEN_AREAS.get(region, (None, False))
    if area is None:
        return f"; the CEN area of {region} is not in the area table, so the package's area is not checked"
    return "" if verified else f"; the CEN area of {region} ({area}) is UNVERIFIED, so it is not checked"


def _ali_judged(package: Resource, link: Link) -> Product:
    product, missing = alicloud_package(package)
    if product is None:
        return product, missing
    mismatch = _ali_area_check(package, link)
    return (None, mismatch) if mismatch else (product + _ali_area_note(package, link), None)


def alicloud_package_itself(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A CEN cross-border bandwidth package is reported on itself: it proves that something crosses.

    It passes, naming the product, when the configuration ties it to what crosses over it (a CEN
    attachment or a transit-router peering that draws on it); otherwise what crosses cannot be tied
    to an approved route and it fails.
    """
    package = link.resource
    product, missing = alicloud_package(package)
    if product is None:
        return None, missing
    ties = _drawn_on(
        model,
        package,
        ("alicloud_cen_bandwidth_package_attachment", "alicloud_cen_transit_router_peer_attachment"),
        ("bandwidth_package_id", "cen_bandwidth_package_id"),
    )
    return _carrying(
        product,
        ties,
        "no alicloud_cen_bandwidth_package_attachment or transit-router peering draws on it",
        "attach it to its CEN here",
    )


ALI_GA = "Alibaba Cloud Global Accelerator cross-border acceleration"


# The two areas of a CrossDomain GA bandwidth package when they are not written (provider docs of
# alicloud_ga_bandwidth_package: cbn_geographic_region_ida defaults to China-mainland, _idb to Global).
ALI_GA_AREA_DEFAULTS = (("cbn_geographic_region_ida", "China-mainland"), ("cbn_geographic_region_idb", "Global"))


def _ga_ties(model: NetworkModel, accelerator: Resource) -> list[Resource]:
    """The bandwidth package attachments naming ``accelerator``, indexed once per model and
    accelerator type (the hook runs once per link)."""

    def build() -> dict[int, list[Resource]]:
        index: dict[int, list[Resource]] = defaultdict(list)
        for tie in model.config.of_type("alicloud_ga_bandwidth_package_attachment"):
            named = referenced(model.config, tie, "accelerator_id", accelerator.type)
            if named is not None:
                index[named.index].append(tie)
        return index

    index: dict[int, list[Resource]] = _cached(model, f"ga-ties:{accelerator.type}", build)
    return list(index.get(accelerator.index, ()))


def alicloud_ga(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A GA instance accelerates across the border only with cross-border acceleration enabled
    (``cross_border_status = true``, pay-by-data-transfer; Alibaba Cloud API UpdateAcceleratorCrossBorderStatus)
    or a CrossDomain bandwidth package between China-mainland and Global attached to it.

    Only a standard accelerator has ``cross_border_mode`` (``bgpPro`` by default, or ``private``); the
    provider docs of ``alicloud_ga_basic_accelerator`` give it ``cross_border_status`` alone."""
    accelerator: Resource | None = context.get("network")
    if accelerator is None:
        named = shown(link.resource.get("accelerator_id"))
        return None, f"accelerator {named} is not in this configuration, so its cross-border setting cannot be read"
    status = first(accelerator.attrs.get("cross_border_status"))
    if status is True or str(status).lower() == "true":
        setting = "cross_border_status = true"
        if accelerator.type == "alicloud_ga_accelerator":
            # The docs list bgpPro and private without saying what each carries: the words after
            # the mode describe it (UNVERIFIED) and decide nothing.
            mode = accelerator.get("cross_border_mode", "bgpPro")
            kind = "cross-border Express Connect circuit" if str(mode).lower() == "private" else "BGP (multi-line) Pro"
            setting = f"{setting}, cross_border_mode = {mode}: {kind}"
        return f"{ALI_GA} on {accelerator.address} ({setting})", None
    for tie in _ga_ties(model, accelerator):
        package = referenced(model.config, tie, "bandwidth_package_id", "alicloud_ga_bandwidth_package")
        if package is None:
            continue
        areas = {str(package.get(attr, default)).lower() for attr, default in ALI_GA_AREA_DEFAULTS}
        if str(package.get("type") or "").lower() == "crossdomain" and "china-mainland" in areas and len(areas) == 2:
            return f"{ALI_GA}: CrossDomain bandwidth package {package.address} attached to {accelerator.address}", None
    return None, (
        f"{accelerator.address} has cross_border_status = {shown(status)} and no CrossDomain bandwidth package "
        "between China-mainland and another area attached; enable cross-border acceleration "
        "(bandwidth_billing_type = CDT, cross_border_status = true) or attach a CrossDomain package"
    )


# --- Tencent Cloud ---------------------------------------------------------------------------------------

TENCENT_COMPLIANCE = "tencentcloud_ccn_cross_border_compliance"
_APPROVAL_NEEDED = (
    f'no China Unicom cross-border compliance approval (data "{TENCENT_COMPLIANCE}" with service_provider = '
    '"UNICOM" and state = "APPROVED") is in the configuration'
)


def _date(value: Any) -> dt.date | None:
    value = first(value)
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _tencent_approval(model: NetworkModel, root: Any) -> Product:
    """The approval read in the root module ``root`` (another root module is another configuration,
    possibly another account)."""
    policy, as_of = model.context.policy, model.context.as_of
    problems: list[str] = []
    for data in model.config.of_type(f"data.{TENCENT_COMPLIANCE}"):
        if model.config.root_of(data.scope) != root:
            continue
        provider, state = data.get("service_provider"), str(data.get("state") or "")
        carrier = policy.approved_carrier(str(provider)) if is_resolved(provider) else None
        end = _date(data.get("service_end_date"))
        if carrier is None:
            problems.append(f"{data.address} has service_provider = {shown(provider)}, not an approved carrier")
        elif state.upper() != "APPROVED":
            problems.append(f"{data.address} selects approvals in state {state or 'any'}, not APPROVED")
        elif end is not None and end < as_of:
            problems.append(f"{data.address}: the approved service ended on {end.isoformat()}")
        else:
            return (
                f"Tencent CCN cross-border service approved by {carrier.name} "
                f"({data.address}: service_provider = {provider}, state = APPROVED)",
                None,
            )
    return None, "; ".join(problems) if problems else _APPROVAL_NEEDED


def tencent_ccn(model: NetworkModel, link: Link, **context: Any) -> Product:
    """Tencent sells CCN traffic across the border only after China Unicom approves the account's
    compliance form (reference law-and-carriers §4); the approval belongs to the account."""
    root = model.config.root_of(link.resource.scope)
    approvals: dict[Any, Product] = _cached(model, "tencent-approval", dict)
    if root not in approvals:
        approvals[root] = _tencent_approval(model, root)
    return approvals[root]


# --- Huawei Cloud ----------------------------------------------------------------------------------------

HUAWEI_MAINLAND_AREA = "chinese-mainland"
HUAWEI_OTHER_AREAS = frozenset(
    {"asia-pacific", "africa", "western-latin-america", "eastern-latin-america", "northern-latin-america"}
)


def huawei_area(value: Any, how: str) -> Endpoint:
    """A Cloud Connect area (``Chinese-Mainland``, ``Asia-Pacific``...) or a region id."""
    value = first(value)
    if not is_resolved(value):
        return Endpoint(None, shown(value), f"{how} is not known statically")
    key = str(value).strip().lower()
    if key == HUAWEI_MAINLAND_AREA:
        return Endpoint(jurisdictions.CN, str(value), f"{how} (the Chinese mainland area)")
    if key in HUAWEI_OTHER_AREAS:
        return Endpoint(jurisdictions.OUTSIDE, str(value), f"{how} (a Cloud Connect area outside the mainland)")
    return region_endpoint("huaweicloud", value, how)


def _huawei_package(package: Resource | None, shown_id: str) -> Product:
    if package is None:
        return None, f"bandwidth package {shown_id} is not in this configuration, so its areas cannot be checked"
    local, remote = package.get("local_area_id"), package.get("remote_area_id")
    a = huawei_area(local, f"via local_area_id of {package.address}")
    b = huawei_area(remote, f"via remote_area_id of {package.address}")
    if a.is_mainland != b.is_mainland and a.jurisdiction is not None and b.jurisdiction is not None:
        return (
            f"Huawei Cloud Connect cross-border bandwidth package {package.address} ({local} <-> {remote}; "
            "China Unicom operates and files the cross-border line)",
            None,
        )
    return None, (
        f"bandwidth package {package.address} covers {shown(local)} <-> {shown(remote)}, not Chinese-Mainland "
        "and another area (a cross-border package)"
    )


def huawei_inter_region(model: NetworkModel, link: Link, **context: Any) -> Product:
    """An inter-region bandwidth crosses on the package it draws on (``bandwidth_package_id``)."""
    res = link.resource
    package = referenced(model.config, res, "bandwidth_package_id", "huaweicloud_cc_bandwidth_package")
    return _huawei_package(package, shown(res.attrs.get("bandwidth_package_id")))


def _huawei_bandwidths(model: NetworkModel) -> dict[tuple[Any, frozenset[str]], list[tuple[Resource, Product]]]:
    index: dict[tuple[Any, frozenset[str]], list[tuple[Resource, Product]]] = defaultdict(list)
    for irb in model.config.of_type("huaweicloud_cc_inter_region_bandwidth"):
        key = network_key(model.config, irb, "cloud_connection_id", "huaweicloud_cc_connection")
        raw = irb.attrs.get("inter_region_ids")
        regions = frozenset(str(r) for r in _flat(raw))
        index[(key, regions)].append((irb, huawei_inter_region(model, Link(PEERING, irb, _NOWHERE, _NOWHERE))))
    return index


_NOWHERE = Endpoint(None, "", "")


def _flat(value: Any) -> list[Any]:
    out: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, (list, tuple)):
            stack[:0] = list(item)
        elif item is not None:
            out.append(item)
    return out


def huawei_cloud_connection(model: NetworkModel, link: Link, **context: Any) -> Product:
    """Instances of one cloud connection in and outside the mainland cross on an inter-region
    bandwidth between their regions drawn from a cross-border bandwidth package; without one only
    Huawei's 10 kbit/s test bandwidth (still a cross-border channel) joins them."""
    key, network, regions = context.get("key"), context.get("network"), context.get("regions", ())
    index = _cached(model, "huawei-bandwidths", lambda: _huawei_bandwidths(model))
    found = index.get((key, frozenset(regions)), [])
    proven = next(((irb, product) for irb, (product, _) in found if product), None)
    if proven is not None:
        return f"{proven[1]} via {proven[0].address}", None
    if found:
        return None, "; ".join(f"{irb.address}: {missing}" for irb, (_, missing) in found)
    where = network.address if network is not None else f"cloud connection {key[1] if key else '?'}"
    mainland, own = [*regions, "?", "?"][:2]
    return None, (
        f"{where} has no inter-region bandwidth between {mainland} and {own} from a "
        "cross-border bandwidth package (only Huawei's 10 kbit/s test bandwidth joins them)"
    )


def huawei_bordercross(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A global connection bandwidth is the cross-border product when bought with ``bordercross = true``."""
    gcb = link.resource
    bordercross = first(gcb.attrs.get("bordercross"))
    if bordercross is True or str(bordercross).lower() == "true":
        return f"Huawei Cloud Connect cross-border global connection bandwidth {gcb.address} (bordercross = true)", None
    return None, f"bordercross = {shown(bordercross)}: {gcb.address} is not bought as the cross-border bandwidth"


def _huawei_associations(model: NetworkModel) -> dict[Any, list[Resource]]:
    """The bandwidth associations of each central network, by its network key, built once per model
    (the hook runs once per link)."""

    def build() -> dict[Any, list[Resource]]:
        index: dict[Any, list[Resource]] = defaultdict(list)
        config = model.config
        for tie in config.of_type("huaweicloud_cc_central_network_connection_bandwidth_associate"):
            index[network_key(config, tie, "central_network_id", "huaweicloud_cc_central_network")].append(tie)
        return index

    associations: dict[Any, list[Resource]] = _cached(model, "huawei-associations", build)
    return associations


def huawei_central_network(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A central network joins ER regions across the border on a global connection bandwidth bought
    with ``bordercross = true`` and associated with it (``_connection_bandwidth_associate``)."""
    key, network = context.get("key"), context.get("network")
    where = network.address if network is not None else f"central network {key[1] if key else '?'}"
    reasons: list[str] = []
    for tie in _huawei_associations(model).get(key, ()):
        gcb_type = "huaweicloud_cc_global_connection_bandwidth"
        gcb = referenced(model.config, tie, "global_connection_bandwidth_id", gcb_type)
        if gcb is None:
            named = shown(tie.get("global_connection_bandwidth_id"))
            reasons.append(f"{tie.address}: global connection bandwidth {named} is not in this configuration")
            continue
        product, missing = huawei_bordercross(model, Link(PEERING, gcb, _NOWHERE, _NOWHERE))
        if product:
            return f"{product}, associated with {where} by {tie.address}", None
        reasons.append(str(missing))
    text = (
        f"{where} has no global connection bandwidth bought with bordercross = true associated "
        "(huaweicloud_cc_central_network_connection_bandwidth_associate)"
    )
    return None, f"{text} ({'; '.join(reasons)})" if reasons else text


HUAWEI_GA_AREAS = {"cm": (CN, "the Chinese mainland"), "outofcm": (OUTSIDE, "outside the Chinese mainland")}
HUAWEI_GA_MISSING = (
    "Huawei Cloud Global Accelerator records no licensed cross-border product or carrier for traffic "
    "between its acceleration area and an endpoint group on the other side of the border (whether Huawei "
    "sells GA cross-border acceleration over a licensed carrier line is UNVERIFIED); join the regions "
    "through a Cloud Connect central network with a global connection bandwidth bought with "
    "bordercross = true, or record the path as a circuit"
)


def _huawei_ga_area(accelerator: Resource | None, named: str) -> Endpoint:
    """The acceleration area of a GA accelerator: ``ip_sets { area = "CM" | "OUTOFCM" }``
    (huaweicloud_ga_accelerator docs: CM = Chinese mainland, OUTOFCM = outside it)."""
    if accelerator is None:
        return Endpoint(None, named, f"accelerator {named} is not in this configuration, so its area is unknown")
    areas = [first(block.get("area")) for block in inline_blocks(accelerator, "ip_sets")]
    how = f"by ip_sets area of {accelerator.address}"
    known = [HUAWEI_GA_AREAS.get(str(a).lower()) for a in areas if is_resolved(a)]
    if not areas or len(known) != len(areas) or any(k is None for k in known):
        return Endpoint(None, ", ".join(shown(a) for a in areas) or "not set", f"{how} is not CM or OUTOFCM")
    sides = {k for k in known if k is not None}
    if len(sides) > 1:  # both areas: the mainland side is the one that can cross
        return Endpoint(CN, "CM", f"{how} (CM among its areas: the Chinese mainland)")
    jurisdiction, words = next(iter(sides))
    return Endpoint(jurisdiction, str(areas[0]), f"{how} ({words})")


def huawei_ga_links(model: NetworkModel) -> None:
    """A GA endpoint group (``region_id``) serves the accelerator of each listener it names
    (``listeners { id }`` -> ``huaweicloud_ga_listener.accelerator_id``); an acceleration area on the
    other side of the border from the endpoints' region is a crossing, reported on the endpoint group."""
    config = model.config
    for group in config.of_type("huaweicloud_ga_endpoint_group"):
        remote = region_endpoint("huaweicloud", group.attrs.get("region_id"), f"by region_id of {group.address}")
        seen: set[int] = set()
        for block in list(inline_blocks(group, "listeners")) or [{}]:  # no listener: an unknown accelerator
            listener = inline_ref(config, group, "id", block.get("id"), "huaweicloud_ga_listener")
            accelerator = (
                referenced(config, listener, "accelerator_id", "huaweicloud_ga_accelerator")
                if listener is not None
                else None
            )
            if accelerator is not None and accelerator.index in seen:
                continue
            named = shown(listener.get("accelerator_id") if listener is not None else block.get("id"))
            local = _huawei_ga_area(accelerator, named)
            if accelerator is not None:
                seen.add(accelerator.index)
            ties = [r for r in (listener, accelerator) if r is not None]
            link = Link(PEERING, group, local, remote, circuit_tags=circuit_tags(group, *ties))
            link.product_missing = HUAWEI_GA_MISSING
            model.add_link(link, *ties)


def huawei_er_links(model: NetworkModel) -> None:
    """An enterprise router carries the crossings of what attaches to it, so a route to the ER
    (``huaweicloud_vpc_route`` type er, an ER static route to one of its attachments) reaches them:
    a VPN gateway with ``attachment_type = "er"`` and ``er_id``, a global DC gateway peer link whose
    ``peer_site gateway_id`` is the ER, a central network policy listing it in ``er_instances``."""
    config = model.config
    routers = config.of_type("huaweicloud_er_instance")
    if not routers:
        return
    for gateway in config.of_type("huaweicloud_vpn_gateway"):
        router = referenced(config, gateway, "er_id", "huaweicloud_er_instance")
        if router is not None:
            model.add_via(router, model.links_via(gateway))
    for res, block, attr in (
        ("huaweicloud_dc_global_gateway_peer_link", "peer_site", "gateway_id"),
        ("huaweicloud_cc_central_network_policy", "er_instances", "enterprise_router_id"),
    ):
        for member in config.of_type(res):
            for item in inline_blocks(member, block):
                router = inline_ref(config, member, attr, item.get(attr), "huaweicloud_er_instance")
                if router is not None:
                    model.add_via(router, model.links_for(member))


# --- Volcengine ------------------------------------------------------------------------------------------

VOLC_PRODUCT = "Volcengine cross-border bandwidth package"
_VOLC_BUY = (
    "buy a " + VOLC_PRODUCT + " (volcengine_cen_bandwidth_package "
    'with local_geographic_region_set_id = "China" and peer_geographic_region_set_id = "Asia") and associate it'
)


def volcengine_package(model: NetworkModel, package: Resource) -> Product:
    """A package is cross-border when its two region sets differ (both default to China); a CEN
    package also names its carrier in ``line_operator`` (default ChinaUnicom), which must be approved."""
    local = package.get("local_geographic_region_set_id", "China")
    peer = package.get("peer_geographic_region_set_id", "China")
    if not (is_resolved(local) and is_resolved(peer)):
        return None, f"the geographic region sets of {package.address} are not known statically"
    if str(local).lower() == str(peer).lower():
        return None, f"{package.address} connects {local} with {peer}, so it is not a cross-border package"
    product = f"the {VOLC_PRODUCT} {package.address} ({local} <-> {peer})"
    if package.type == "volcengine_cen_bandwidth_package":
        operator = package.get("line_operator")
        named = "ChinaUnicom (provider default)" if operator is None else str(operator)
        if operator is not None and not is_resolved(operator):
            return None, f"line_operator of {package.address} is not known statically"
        if model.context.policy.approved_carrier(str(operator or "ChinaUnicom")) is None:
            return None, f"{package.address} line_operator = {named} is not an approved carrier of the policy"
        product = f"{product}, line_operator {named}"
    return product, None


VOLC_PACKAGES = (
    "volcengine_cen_bandwidth_package_associate",
    "cen_id",
    "volcengine_cen",
    "cen_bandwidth_package_id",
    "volcengine_cen_bandwidth_package",
)


def volcengine_cen(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A CEN member or inter-region bandwidth rides its own package, else the CEN's associated ones."""
    res = link.resource
    package = referenced(model.config, res, "cen_bandwidth_package_id", "volcengine_cen_bandwidth_package")
    if package is not None:
        return volcengine_package(model, package)
    key, network = context.get("key"), context.get("network")
    if key is None:
        target = referenced(model.config, res, "cen_id", "volcengine_cen")
        key = ("resource", target.index) if target is not None else None
        if key is None and is_resolved(res.get("cen_id")):
            key = ("id", str(res.get("cen_id")))
        network = target
    cen = network.address if network is not None else shown(res.get("cen_id"))
    return _packages(model, VOLC_PACKAGES).product(
        key,
        lambda p: volcengine_package(model, p),
        f"associated with CEN {cen}",
        f"CEN {cen} has no cross-border bandwidth package associated; " + _VOLC_BUY,
    )


def volcengine_transit_router(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A transit-router peering draws on ``transit_router_bandwidth_package_id``."""
    att = link.resource
    tr_package = "volcengine_transit_router_bandwidth_package"
    package = referenced(model.config, att, "transit_router_bandwidth_package_id", tr_package)
    if package is not None:
        return volcengine_package(model, package)
    if att.get("transit_router_bandwidth_package_id") is not None:
        named = shown(att.get("transit_router_bandwidth_package_id"))
        return None, (
            f"transit_router_bandwidth_package_id = {named} names a package outside this configuration, "
            "whose region sets cannot be checked"
        )
    return None, (
        f"no transit_router_bandwidth_package_id is set; buy a {VOLC_PRODUCT} "
        "(volcengine_transit_router_bandwidth_package with local_geographic_region_set_id = "
        '"China" and peer_geographic_region_set_id = "Asia") and set it'
    )


VOLC_AREAS = {"china": CN, "asia": OUTSIDE}


def volcengine_area(value: Any, how: str) -> Endpoint:
    """A geographic region set (``China``, ``Asia``; the provider's default is China)."""
    value = first(value)
    if value is None:
        return Endpoint(CN, "China", f"{how} not set: the provider's default China (the Chinese mainland)")
    if not is_resolved(value):
        return Endpoint(None, shown(value), f"{how} is not known statically")
    found = VOLC_AREAS.get(str(value).strip().lower())
    if found is None:
        return Endpoint(None, str(value), f"{how}: not a geographic region set")
    where = "the Chinese mainland" if found == CN else "outside the mainland"
    return Endpoint(found, str(value), f"{how} ({where})")


def volcengine_package_itself(model: NetworkModel, link: Link, **context: Any) -> Product:
    """A cross-border package is reported on itself: it passes, naming the product, when the
    configuration ties it to what crosses over it (a CEN association, an inter-region bandwidth or a
    transit-router peering that draws on it); otherwise what crosses cannot be tied to an approved route."""
    package = link.resource
    product, missing = volcengine_package(model, package)
    if product is None:
        return None, missing
    ties = _drawn_on(
        model,
        package,
        (
            "volcengine_cen_bandwidth_package_associate",
            "volcengine_cen_inter_region_bandwidth",
            "volcengine_transit_router_peer_attachment",
        ),
        ("cen_bandwidth_package_id", "transit_router_bandwidth_package_id"),
    )
    return _carrying(
        product,
        ties,
        "no CEN association, inter-region bandwidth or transit-router peering draws on it",
        "associate it here",
    )


# --- Azure -----------------------------------------------------------------------------------------------

_AZ_GATEWAY = "azurerm_virtual_network_gateway"
_AZ_CONNECTION = "azurerm_virtual_network_gateway_connection"


def _outside(value: Any, what: str) -> Endpoint:
    return Endpoint(None, shown(value), f"{what} outside this configuration")


def _azure_link(res: Resource, local: Endpoint, remote: Endpoint, what: str) -> Link:
    local, remote, impossible = azure_china(what)(local, remote)
    return Link(PEERING, res, local, remote, impossible=impossible, circuit_tags=circuit_tags(res))


def azure_internal_links(model: NetworkModel) -> None:
    """Virtual network peering, Vnet2Vnet and ExpressRoute connections stay inside one Azure cloud.

    A peering names its own network by name and resource group; both ends are placed by the
    networks' locations.
    """
    config = model.config
    vnets = {  # by name and resource group within one root module (another root is another configuration)
        (str(v.get("name", "")).lower(), str(v.get("resource_group_name", "")).lower(), config.root_of(v.scope)): v
        for v in config.of_type("azurerm_virtual_network")
    }
    for peering in config.of_type("azurerm_virtual_network_peering"):
        key = (
            str(peering.get("virtual_network_name", "")).lower(),
            str(peering.get("resource_group_name", "")).lower(),
            config.root_of(peering.scope),
        )
        own = referenced(config, peering, "virtual_network_name", "azurerm_virtual_network") or vnets.get(key)
        other = referenced(config, peering, "remote_virtual_network_id", "azurerm_virtual_network")
        local = cloud_endpoint(config, own if own is not None else peering)
        remote = (
            cloud_endpoint(config, other)
            if other is not None
            else _outside(peering.attrs.get("remote_virtual_network_id"), "a virtual network")
        )
        model.add_link(_azure_link(peering, local, remote, "virtual network peering"))
    for conn in config.of_type(_AZ_CONNECTION):
        kind = str(conn.get("type", "")).lower()
        if conn.get("type") is not None and not is_resolved(first(conn.get("type"))):
            # A type not known statically: the peer the connection names says which it may be.
            if conn.get("peer_virtual_network_gateway_id") is not None:
                kind = "vnet2vnet"
            elif conn.get("express_route_circuit_id") is not None:
                kind = "expressroute"
        if kind not in ("vnet2vnet", "expressroute"):
            continue
        vng = referenced(config, conn, "virtual_network_gateway_id", _AZ_GATEWAY)
        local = cloud_endpoint(config, vng if vng is not None else conn)
        if kind == "vnet2vnet":
            attr, types, what, noun = (
                "peer_virtual_network_gateway_id",
                _AZ_GATEWAY,
                "a Vnet2Vnet connection",
                "a gateway",
            )
        else:
            attr, types = "express_route_circuit_id", "azurerm_express_route_circuit"
            what, noun = "an ExpressRoute connection", "an ExpressRoute circuit"
        peer = referenced(config, conn, attr, types)
        remote = cloud_endpoint(config, peer) if peer is not None else _outside(conn.attrs.get(attr), noun)
        model.add_link(_azure_link(conn, local, remote, what))


def azure_forced_tunnelling(model: NetworkModel) -> None:
    """``default_local_network_gateway_id`` sends all Internet traffic of the gateway's network to a site."""
    config = model.config
    for vng in config.of_type(_AZ_GATEWAY):
        if vng.get("default_local_network_gateway_id") is None:
            continue
        lng = referenced(config, vng, "default_local_network_gateway_id", "azurerm_local_network_gateway")
        local = cloud_endpoint(config, vng)
        links = [link for link in model.links_via(vng) if lng is not None and link.peer_gateway is lng]
        if not links:
            if lng is None:
                remote = _outside(vng.get("default_local_network_gateway_id"), "local network gateway")
            else:
                address = (
                    lng.get("gateway_address") if lng.get("gateway_address") is not None else lng.get("gateway_fqdn")
                )
                remote = address_endpoint(address, model.context.policy, [lng])
            links = [Link(VPN, vng, local, remote, peer_gateway=lng)]
        target = lng.address if lng is not None else vng.get("default_local_network_gateway_id")
        what = f"forced tunnelling: default_local_network_gateway_id = {target} sends all Internet traffic to that site"
        model.add_exit(GeneralExit(vng, local, what, links))


# --- Tencent Cloud GAAP (appended) ---------------------------------------------------------------------

# GAAP names its acceleration and origin regions by area, not by region id: the valid values of
# access_region and realserver_region in the provider docs of tencentcloud_gaap_proxy, compared
# without case and punctuation (``SL_AZURE_EastUS`` is ``slazureeastus``). A name the docs do not
# list is resolved through the region catalogue, else it is unknown (judged as crossing). Earlier
# docs named areas (NorthChina, SL_TAIWAN, SL_UK ...) that the docs' own example still uses.
GAAP_MAINLAND = frozenset(
    {
        "beijing",
        "shanghai",
        "guangzhou",
        "chengdu",
        "chongqing",
        "nanjing",
        "changsha",
        "xian",
        "wuhan",
        "fuzhou",
        "shenyang",
        "zhengzhou",
        "jinan",
        "hangzhou",
        "shijiazhuang",
        "hefei",
        # Area names of earlier provider docs, still in the docs' own example (SouthChina to
        # NorthChina): North, East, South and Southwest China.
        "northchina",
        "eastchina",
        "southchina",
        "southwestchina",
    }
)
GAAP_OUTSIDE = {"hongkong": jurisdictions.HK, "taipei": jurisdictions.TW, "sltaiwan": jurisdictions.TW}
GAAP_ABROAD = frozenset(
    {
        "southeastasia",
        "korea",
        "europe",
        "northamerica",
        "canada",
        "westindia",
        "thailand",
        "virginia",
        "japan",
        "jakarta",
        "saopaulo",
        "slazurenorthuae",
        "slazureeastaus",
        "slazurenorthcentralusa",
        "slazuresouthindia",
        "slazuresouthbrazil",
        "slazurenorthzaf",
        "slazuresoutheastasia",
        "slazurecentralfrance",
        "slazuresouthengland",
        "slazureeastus",
        "slazurewestus",
        "slazuresouthcentralusa",
        "slazurenorwayeast",
        "slazurejapaneast",
        # earlier provider docs
        "slindia",
        "slaustralia",
        "sluk",
        "slsouthamerica",
        "slmiddleusa",
        "slviet",
        "russia",
        "slindonesia",
    }
)


def tencent_gaap_area(value: Any, how: str) -> Endpoint:
    """A GAAP area (``Beijing``, ``Hongkong``, ``NorthAmerica``...) as the provider docs list them,
    else a region id."""
    value = first(value)
    if not is_resolved(value):
        return Endpoint(None, shown(value), f"{how} is not known statically")
    key = re.sub(r"[^a-z]", "", str(value).lower())
    if key in GAAP_MAINLAND:
        return Endpoint(CN, str(value), f"{how} (a GAAP area in mainland China)")
    if key in GAAP_OUTSIDE:
        return Endpoint(GAAP_OUTSIDE[key], str(value), f"{how} (a GAAP area)")
    if key in GAAP_ABROAD:
        return Endpoint(OUTSIDE, str(value), f"{how} (a GAAP area outside the mainland)")
    return region_endpoint("tencentcloud", value, how)


# --- registries ------------------------------------------------------------------------------------------

ProductHook = Callable[..., Product]

PRODUCTS: dict[str, ProductHook] = {
    "alicloud-cen": alicloud_cen,
    "alicloud-transit-router": alicloud_transit_router,
    "alicloud-package": alicloud_package_itself,
    "alicloud-ga": alicloud_ga,
    "tencent-ccn": tencent_ccn,
    "huawei-inter-region": huawei_inter_region,
    "huawei-cloud-connection": huawei_cloud_connection,
    "huawei-bordercross": huawei_bordercross,
    "huawei-central-network": huawei_central_network,
    "volcengine-cen": volcengine_cen,
    "volcengine-transit-router": volcengine_transit_router,
    "volcengine-package": volcengine_package_itself,
}
AREAS: dict[str, Callable[[Any, str], Endpoint]] = {
    "huawei-areas": huawei_area,
    "alicloud-areas": alicloud_area,
    "volcengine-areas": volcengine_area,
    "tencent-gaap-areas": tencent_gaap_area,
}
LOCAL: dict[str, Callable[[NetworkModel, Resource], Endpoint]] = {"alicloud-access-point": alicloud_line_local}
LINK_HOOKS: dict[str, Callable[[NetworkModel], None]] = {
    "azure-internal-links": azure_internal_links,
    "huawei-ga-links": huawei_ga_links,
    "huawei-er-links": huawei_er_links,
}
EXIT_HOOKS: dict[str, Callable[[NetworkModel], None]] = {"azure-forced-tunnelling": azure_forced_tunnelling}
