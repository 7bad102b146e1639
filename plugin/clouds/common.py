"""Helpers every cloud adapter needs: reading references, CIDRs and tags the same way."""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cn_crossborder.domain.endpoints import CIRCUIT_TAG, LOCATION_TAG, Endpoint, address_endpoint
from cn_crossborder.domain.jurisdictions import CN
from cn_crossborder.domain.places import mainland_place
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import VPN, Link, NetworkModel
from cn_crossborder.sources.instances import uses_repetition
from cn_crossborder.sources.plan import is_plan_file
from cn_crossborder.sources.terraform import TerraformConfig

# ``resource.`` is Terraform's explicit prefix for a managed resource (``resource.aws_vpc.x.id`` is
# ``aws_vpc.x.id``; Terraform's addrs.parseRef): Checkov draws no edge for it, so the text is read.
_REF = re.compile(
    r"^\$?\{?(?:resource\.)?(?P<addr>(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)(?P<index>\[[^\]]*\])?"
    r"\.[A-Za-z0-9_]+\}?$"
)
_MODULE_OUTPUT_TEXT = re.compile(
    r"^module\.(?P<module>[A-Za-z0-9_-]+)(?:\[(?P<index>[^\]]+)\])?\.(?P<output>[A-Za-z0-9_-]+)$"
)
_NUMERIC_INDEX = re.compile(r'^\[\s*"?(\d+)"?\s*\]$')

# Identity of a network (a CEN, a CCN) its members name: ("resource", index), or ("id"|"text", id, root).
GroupKey = tuple[Any, ...]


def _instance_key(index: str | None) -> str:
    """An instance key as Checkov writes it in addresses: ``["0"]`` and ``[0]`` are ``[0]``."""
    if not index:
        return ""
    numeric = _NUMERIC_INDEX.match(index)
    return f"[{numeric.group(1)}]" if numeric else index.replace(" ", "")


def _named_instance(config: TerraformConfig, target: Resource, text: Any) -> Resource:
    """The instance an indexed reference names (``x[1].id``) in the module of ``target``.

    Checkov links ``aws_customer_gateway.x[1].id`` to the first instance it finds; the text says which.
    """
    text = first(text)
    match = _REF.match(text.strip()) if isinstance(text, str) else None
    if match is None or not match.group("index"):
        return target
    wanted = match.group("addr") + _instance_key(match.group("index"))
    at = target.address.rfind(f"{target.type}.")
    prefix = target.address[:at] if at >= 0 else ""
    if target.address == prefix + wanted:
        return target
    for candidate in config.by_address.get(prefix + wanted, ()):
        if candidate.scope == target.scope:
            return candidate
    return target


def _module_prefix(res: Resource) -> str:
    """The module part of ``res``'s address (``module.a.``, or empty at the root), which a reference
    written inside that module is relative to."""
    return res.address[: -len(f"{res.type}.{res.address.rsplit('.', 1)[-1]}")]


def is_default_route(value: Any) -> bool:
    """True for 0.0.0.0/0 and ::/0 written in any equivalent form (``0.0.0.0/0``, ``::0/0``)."""
    value = first(value)
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def referenced(config: TerraformConfig, res: Resource, attr: str, *types: str) -> Resource | None:
    """The resource that ``res.attr`` points at, by graph edge or else by the reference text."""
    target = res.ref(attr)
    if target is not None and (not types or target.type in types):
        return _named_instance(config, target, res.attrs.get(attr))
    if is_plan_file(res.file):  # plan JSON: Terraform's own references, even for known values
        target = config.plan_referenced(res, attr, *types)
        if target is not None:
            return target
    text = first(res.attrs.get(attr))
    if not isinstance(text, str):
        return None
    output = _MODULE_OUTPUT_TEXT.match(text.strip())
    if output is not None:  # a module's output the reader resolved (in a nested block)
        key = (res.scope, output["module"], output["index"], output["output"])
        found = config.module_outputs.get(key)
        return found if found is not None and (not types or found.type in types) else None
    match = _REF.match(text.strip())
    if not match:
        return None
    local = match.group("addr") + _instance_key(match.group("index"))
    module_prefix = _module_prefix(res)
    for candidate in config.by_address.get(module_prefix + local, ()):
        if candidate.scope == res.scope and (not types or candidate.type in types):
            return candidate
    return None


def instances_named(config: TerraformConfig, res: Resource, value: Any, *types: str) -> list[Resource]:
    """Every instance of the resource a reference names when the instance is written with ``each.``
    or ``count.index`` and cannot be told statically (``aws_vpn_connection.office[each.value.office].id``
    in a block whose collection cannot be listed): any of them may be the one, so each is a candidate.
    Empty for a reference written otherwise."""
    text = first(value)
    if not isinstance(text, str) or not uses_repetition(text):
        return []
    match = _REF.match(text.strip())
    if match is None or not match.group("index"):
        return []
    module_prefix = _module_prefix(res)
    base = module_prefix + match.group("addr")
    return [
        candidate
        for rtype in types or (match.group("addr").rsplit(".", 1)[0],)
        for candidate in config.by_type.get(rtype, ())
        if candidate.scope == res.scope and re.sub(r"\[[^\]]*\]$", "", candidate.address) == base
    ]


def circuit_tags(*resources: Resource | None) -> list[tuple[str, Resource]]:
    out = []
    for res in resources:
        if res is None:
            continue
        value = res.tags().get(CIRCUIT_TAG)
        if value:
            out.append((str(value), res))
    return out


def inline_blocks(res: Resource, key: str) -> Iterable[dict[str, Any]]:
    """Nested blocks (``route { ... }``) as dicts, whatever list nesting the parser produced."""
    value = res.attrs.get(key)
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            yield item
        elif isinstance(item, list):
            stack[:0] = item


def group_key(config: TerraformConfig, res: Resource, attr: str, *types: str) -> GroupKey | None:
    """What makes two resources name the same instance (a CEN): the referenced resource, else its id
    within the resource's root module (another root module is another configuration: the same id
    text there, often a placeholder, joins nothing)."""
    target = referenced(config, res, attr, *types)
    if target is not None:
        return ("resource", target.index)
    value = first(res.attrs.get(attr))
    if is_resolved(value):
        return ("id", str(value), config.root_of(res.scope))
    return None


def network_key(config: TerraformConfig, res: Resource, attr: str, *types: str) -> GroupKey:
    """``group_key``, else the id as written: members of one root module naming the same unresolved
    id are one network."""
    return group_key(config, res, attr, *types) or ("text", shown(res.attrs.get(attr)), config.root_of(res.scope))


def member_pairs(members: list[tuple[Resource, Endpoint]]) -> Iterator[tuple[Resource, Endpoint, Endpoint]]:
    """Cross-border pairs of one network's members, one per member and mainland region.

    The finding lands on the member outside the mainland (or unknown), whatever order the files
    list them in; several mainland members in the same region make one pair, not many.
    """
    seen: set[tuple[int, str]] = set()
    for res, mainland, own in cross_border_pairs(members):
        if (res.index, mainland.label) not in seen:
            seen.add((res.index, mainland.label))
            yield res, mainland, own


def declared_far_end(label: Any, *tagged: Resource | None) -> tuple[Endpoint, str | None]:
    """The customer end of a dedicated line, and the proof when it is declared CN.

    A cn-crossborder:location tag on the line or on an interface over it locates that end. Free-text
    locations locate nothing here; a spec's ``far_end`` may let the provider's own attribute for the
    customer's end prove a mainland place (``attribute_far_end``).
    """
    shown = str(first(label)) if is_resolved(first(label)) else "customer end"
    for res in tagged:
        value = res.tags().get(LOCATION_TAG) if res is not None else None
        if res is None or value is None:
            continue
        code, where = str(value).strip().upper(), f"on {res.address}"
        if len(code) != 2 or not code.isalpha():
            return Endpoint(None, shown, f"tag {LOCATION_TAG} {where} is {value!r}, not a country code"), None
        proof = f"tag {LOCATION_TAG} = CN {where}" if code == "CN" else None
        return Endpoint(code, shown, f"by tag {LOCATION_TAG} {where}"), proof
    return Endpoint(None, shown, f"not located: no {LOCATION_TAG} tag on the line or over it"), None


def attribute_far_end(label: Any, line: Resource, attr: str) -> tuple[Endpoint, str] | None:
    """The customer end of a line located by the provider's own attribute for that end.

    Only for attributes that describe the customer's side (a spec's ``far_end`` with
    ``proves_mainland``): a text naming a mainland place puts the end in CN. A text naming no
    listed place, or naming Hong Kong, Macao or Taiwan, proves nothing (None).
    """
    value = first(line.attrs.get(attr))
    if not is_resolved(value) or not isinstance(value, str):
        return None
    place = mainland_place(value)
    if place is None:
        return None
    shown = str(first(label)) if is_resolved(first(label)) else value
    how = f"by {attr} {value!r} naming a mainland place ({place})"
    return Endpoint(CN, shown, how), f"{attr} {value!r} names a mainland place ({place})"


def cross_border_pairs(
    members: list[tuple[Resource, Endpoint]],
) -> Iterator[tuple[Resource, Endpoint, Endpoint]]:
    """Pairs of members of one network (a CEN) with one end in the mainland and one outside it or unknown.

    Each pair is yielded as (member outside or unknown, mainland end, its own end), so the finding lands on
    the member that takes the network across the border, whatever order the files list them in. With
    no member known to be in the mainland, a member of unknown region is paired with another member:
    it may be the mainland end, so the network is not shown to stay outside (no silent pass).
    """
    mainland = [ep for _, ep in members if ep.is_mainland]
    for res, ep in members:
        if ep.is_mainland:
            continue
        for other in mainland:
            yield res, other, ep
    if mainland:
        return
    for res, ep in members:
        if ep.jurisdiction is not None:
            continue
        anchor = next((o for r, o in members if r is not res), None)
        if anchor is not None:
            yield res, anchor, ep


def shown(value: Any) -> str:
    """A value as a finding shows it."""
    value = first(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if value is not None else "not set"


def inline_ref(config: TerraformConfig, res: Resource, attr: str, value: Any, *types: str) -> Resource | None:
    """The resource an attribute of a nested block refers to (the graph only links top-level ones)."""
    text = first(value)
    if not isinstance(text, str):
        return None
    probe = Resource(res.index, res.type, res.address, res.file, 0, 0, {attr: text}, res.scope)
    return referenced(config, probe, attr, *types)


def vpn_link(
    model: NetworkModel,
    conn: Resource,
    local: Endpoint,
    peer: Resource | None,
    address: Any,
    reference: Any,
    *gateways: Resource | None,
    peer_kind: str = "customer gateway",
) -> Link:
    """Add the site-to-site link from ``conn`` to its peer gateway at ``address``.

    Every cloud's VPN connection reads the same way once its attributes are picked: the peer's
    address is located through the peer resource's tags and the policy; a peer that the
    configuration does not hold (``reference`` is what the connection names) is an unknown far end.
    """
    if peer is not None:
        remote = address_endpoint(address, model.context.policy, [peer])
    elif uses_repetition(reference):
        how = f"{peer_kind} of one instance of a for_each or count whose instances cannot be listed statically"
        remote = Endpoint(None, shown(reference), how)
    else:
        remote = Endpoint(None, shown(reference), f"{peer_kind} outside this configuration")
    link = Link(
        kind=VPN,
        resource=conn,
        local=local,
        remote=remote,
        peer_address=address if peer is not None else None,
        peer_gateway=peer,
        circuit_tags=circuit_tags(conn, peer),
    )
    model.add_link(link, peer, *gateways)
    return link


class CenPackages:
    """Bandwidth packages tied to each CEN instance (Alibaba attachments, Volcengine associations)."""

    def __init__(
        self, config: TerraformConfig, tie_type: str, cen_attr: str, cen_type: str, package_attr: str, package_type: str
    ):
        self.by_cen: dict[GroupKey, list[tuple[Any, Resource | None]]] = defaultdict(list)
        for tie in config.of_type(tie_type):
            key = group_key(config, tie, cen_attr, cen_type)
            if key is not None:
                package = referenced(config, tie, package_attr, package_type)
                self.by_cen[key].append((tie.get(package_attr), package))

    def product(
        self,
        key: GroupKey | None,
        judge: Callable[[Resource], tuple[str | None, str | None]],
        tied: str,
        missing: str,
    ) -> tuple[str | None, str | None]:
        """(the licensed product a CEN rides, or why it rides none); ``judge`` reads one package."""
        reasons = []
        for value, package in self.by_cen.get(key, []) if key is not None else ():
            if package is None:
                reasons.append(f"bandwidth package {shown(value)} is outside this configuration")
                continue
            product, why = judge(package)
            if product:
                return f"{product}, {tied}", None
            reasons.append(str(why))
        return None, f"{missing} ({'; '.join(reasons)})" if reasons else missing
