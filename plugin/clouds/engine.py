"""The generic link builders every cloud spec feeds.

A cloud spec (``specs/<cloud>.yaml``, format in docs/cloud-specs.md) lists, per builder, which
resource types it reads and through which attributes. The builders here turn those entries into the
model's links and general exits, the same way for every cloud:

- ``vpn``: a site-to-site connection from the cloud side to a peer gateway's public address;
- ``selectors``: traffic selectors of such a connection that select all traffic (CKV_CNX_104);
- ``routes``: default routes whose next hop reaches a cross-border link (CKV_CNX_104);
- ``lines``: dedicated lines, their carrier attribute and the interfaces over them;
- ``peerings``: one resource joining its own region to a peer region;
- ``groups``: members of one network (CEN, CCN, Cloud Connect) in different regions;
- ``pairs``: one resource naming both regions it joins (bandwidth between two regions).

What is genuinely one cloud's (which bandwidth package is the licensed cross-border product, a
partition that no peering can leave) is a named hook in ``products``, referred to from the spec.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from cn_crossborder.clouds import products
from cn_crossborder.clouds.common import (
    GroupKey,
    attribute_far_end,
    circuit_tags,
    declared_far_end,
    group_key,
    inline_blocks,
    inline_ref,
    instances_named,
    is_default_route,
    member_pairs,
    network_key,
    referenced,
    shown,
    vpn_link,
)
from cn_crossborder.clouds.placement import cloud_endpoint, static_value
from cn_crossborder.clouds.spec import CloudSpec
from cn_crossborder.domain.endpoints import EXPRESSION_REGION, Endpoint, address_endpoint, region_endpoint
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import DEDICATED, PEERING, VPN, GeneralExit, Link, NetworkModel
from cn_crossborder.sources.plan import is_plan_file

Entry = dict[str, Any]


# --- reading values ---------------------------------------------------------------------------------


def types_of(entry: Entry) -> list[str]:
    value = entry["type"]
    return [value] if isinstance(value, str) else list(value)


def _ref(model: NetworkModel, res: Resource, spec: Entry | None) -> Resource | None:
    if not spec:
        return None
    return referenced(model.config, res, spec["attr"], *spec.get("types", ()))


def _first_set(res: Resource, attrs: Iterable[str]) -> Any:
    for attr in attrs:
        value = res.get(attr)
        if value is not None:
            return value
    return None


def _equals(spec: Entry) -> list[str]:
    """A filter's ``equals``: one value or a list of them, as a list."""
    wanted = spec["equals"]
    return [wanted] if isinstance(wanted, str) else list(wanted)


def _matches(value: Any, spec: Entry | None) -> bool:
    """``when``: the attribute's value is one of ``equals`` (case-insensitive)."""
    if not spec:
        return True
    return str(first(value) or "").lower() in {str(w).lower() for w in _equals(spec)}


def _scalars(value: Any) -> Iterator[Any]:
    """Every scalar of a value: nested lists flattened, comma- or space-separated text split."""
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, (list, tuple)):
            stack[:0] = list(item)
        elif isinstance(item, str):
            yield from (part for part in re.split(r"[,\s]+", item) if part)
        elif item is not None:
            yield item


def selects_all(value: Any) -> bool:
    """True when a CIDR, a list of them or comma-separated text includes 0.0.0.0/0 or ::/0."""
    return any(is_default_route(v) for v in _scalars(value))


def unresolved(value: Any) -> bool:
    """True when a destination or selector is set but cannot be read statically (``var.x``, a reference).

    Such a value may be 0.0.0.0/0: it is named and judged as selecting all traffic, never read as
    "not a default route".
    """
    items = list(_scalars(value))
    return bool(items) and any(not is_resolved(v) for v in items if isinstance(v, str))


# An expression Checkov left as text: a reference to a resource attribute (``aws_vpc.x.cidr_block``,
# ``resource.aws_vpc.x.cidr_block``), a function call or an interpolation. A service tag an Azure
# route may name (``AzureCloud.ChinaEast2``) is none of these.
_EXPRESSION = re.compile(
    r"\$\{|\(|^(?:resource\.)?(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.[A-Za-z0-9_]"
)


def unreadable_prefixes(value: Any) -> bool:
    """True when a destination or selector, which holds CIDRs, is not known statically: ``var.x``
    with no value, or an expression Checkov left as text because Terraform only knows its value at
    apply time (the attribute of a resource that computes it, a function). Such a value may be
    0.0.0.0/0, like an unresolved one."""
    return unresolved(value) or any(isinstance(v, str) and _EXPRESSION.search(v) for v in _scalars(value))


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in _scalars(value))
    return shown(value)


def placed(model: NetworkModel, res: Resource, gateway: Resource | None, local: str) -> Endpoint:
    """The cloud end of ``res``: its own region, or that of the gateway it uses (``local`` says which)."""
    if local == "gateway" and gateway is not None:
        return cloud_endpoint(model.config, gateway)
    if local == "own-region-else-gateway" and gateway is not None and not is_resolved(first(res.attrs.get("region"))):
        return cloud_endpoint(model.config, gateway)
    return cloud_endpoint(model.config, res)


# --- vpn ------------------------------------------------------------------------------------------------


def _peers(model: NetworkModel, conn: Resource, peer: Entry) -> list[tuple[Any, Resource | None]]:
    """Every peer gateway a connection names: its own attribute and each tunnel block's, once each."""
    attr, types = peer["attr"], peer.get("types", ())
    found: list[tuple[Any, Resource | None]] = []
    if conn.attrs.get(attr) is not None:
        found.append((conn.attrs.get(attr), referenced(model.config, conn, attr, *types)))
    if peer.get("tunnels"):
        for tunnel in inline_blocks(conn, peer["tunnels"]):
            value = tunnel.get(attr)
            if value is not None:
                found.append((first(value), inline_ref(model.config, conn, attr, value, *types)))
    peers: list[tuple[Any, Resource | None]] = []
    seen: set[Any] = set()
    for value, gateway in found:
        key = ("resource", gateway.index) if gateway is not None else ("id", str(first(value)))
        if key not in seen:
            seen.add(key)
            peers.append((value, gateway))
    return peers or [(None, None)]


def _unresolved_when(value: Any, spec: Entry | None) -> str | None:
    """How a ``when`` filter whose attribute cannot be resolved statically is read: as matching
    (fail closed), in these words; None when the value is known or not set."""
    if not spec or value is None or is_resolved(first(value)):
        return None
    wanted = " or ".join(_equals(spec))
    return f"{spec['attr']} = {shown(value)} cannot be resolved, so it may be {wanted}: judged as such"


def build_vpn(model: NetworkModel, entry: Entry, cloud: str) -> None:
    peer = entry["peer"]
    for conn in model.config.of_type(*types_of(entry)):
        when = entry.get("when")
        written = conn.attrs.get(when["attr"]) if when else None
        assumed = _unresolved_when(written, when)
        if not _matches(written, when) and assumed is None:
            continue
        gateway = _ref(model, conn, entry.get("gateway"))
        also = [_ref(model, conn, spec) for spec in entry.get("via", ())]
        local = placed(model, conn, gateway, entry.get("local", "own"))
        if "attr" not in peer:  # the peer's address is written on the connection itself
            address = _first_set(conn, peer["address"])
            remote = address_endpoint(address, model.context.policy, [conn])
            link = Link(VPN, conn, local, remote, peer_address=address, circuit_tags=circuit_tags(conn))
            link.assumed = assumed
            model.add_link(link, gateway, *also)
            continue
        peers = _peers(model, conn, peer)
        if assumed and peers == [(None, None)]:  # of that type only if it names a peer of it
            continue
        for value, cgw in peers:
            kind = peer.get("kind", "customer gateway")
            for address in _peer_addresses(cgw, peer):
                made = vpn_link(model, conn, local, cgw, address, value, gateway, *also, peer_kind=kind)
                made.assumed = assumed


def _peer_addresses(cgw: Resource | None, peer: Entry) -> list[Any]:
    """The peer's address, or with ``address_block`` each distinct address of its nested blocks
    (an Azure VPN site has one ``link`` per device or ISP line): one link per address."""
    if cgw is None:
        return [None]
    if not peer.get("address_block"):
        return [_first_set(cgw, peer["address"])]
    found: list[Any] = []
    for block in inline_blocks(cgw, peer["address_block"]):
        address = next((first(block.get(a)) for a in peer["address"] if block.get(a) is not None), None)
        if address not in found:
            found.append(address)
    return found or [None]


# --- selectors ------------------------------------------------------------------------------------------


def _selector(model: NetworkModel, conn: Resource, source: Entry) -> str | None:
    """What a selector source selects, when it selects all traffic."""
    attr = source["attr"]
    if "gateway" in source:
        gateway = _ref(model, conn, source["gateway"])
        value = gateway.attrs.get(attr) if gateway is not None else None
        return _selected(f"{attr} of {gateway.address}", value) if gateway else None
    if "block" in source:
        for block in inline_blocks(conn, source["block"]):
            found = _selected(f"{source['block']} {attr}", block.get(attr))
            if found:
                return found
        return None
    return _selected(attr, conn.attrs.get(attr)) if attr in conn.attrs else None


def _selected(name: str, value: Any) -> str | None:
    """How a selector's value selects all traffic: it says 0.0.0.0/0, or it cannot be resolved."""
    if selects_all(value):
        return f"{name} = {_text(value)} selects all traffic"
    if unreadable_prefixes(value):
        return f"{name} = {_text(value)} cannot be resolved, so it may select all traffic"
    return None


def _selector_sides(link: Link, cloud_side: Any, peer_side: Any) -> list[tuple[Any, Endpoint, str]]:
    """The sides of a VPN link whose selector may make a mainland network's general exit: the side in
    mainland China; with neither end there, each side whose location is unknown (were it mainland,
    the link would cross), so that an unknown end fails closed rather than passing unread."""
    if link.local.is_mainland:
        return [(cloud_side, link.local, "mainland cloud side")]
    if link.remote.is_mainland:
        return [(peer_side, link.remote, "mainland peer side")]
    sides = [(cloud_side, link.local, "cloud side"), (peer_side, link.remote, "peer side")]
    return [(sources, end, f"{side} (location unknown)") for sources, end, side in sides if end.jurisdiction is None]


def build_selectors(model: NetworkModel, entry: Entry, cloud: str) -> None:
    cloud_side, peer_side = entry.get("cloud_side", ()), entry.get("peer_side", ())
    for conn in model.config.of_type(*types_of(entry)):
        for link in model.links_for(conn, VPN):
            for sources, network, side in _selector_sides(link, cloud_side, peer_side):
                for source in sources:
                    found = _selector(model, conn, source)
                    if found:
                        what = f"{found} of the {side} into the tunnel"
                        model.add_exit(GeneralExit(conn, network, what, [link]))
                        break


# --- default routes -------------------------------------------------------------------------------------


def _reach(model: NetworkModel, target: Resource, how: str) -> list[Link]:
    """The links a route to ``target`` sends traffic over."""
    if how == "connection":
        return model.links_for(target, VPN)
    if how == "peering":
        return model.links_for(target, PEERING)
    if how == "line":  # the target is a dedicated line (or the gateway that is one)
        return model.links_for(target, DEDICATED)
    links = model.links_via(target)
    if how == "network":  # a CEN/CCN/Cloud Connect: each cross-border leg once, from its mainland end
        mainland = [link for link in links if link.local.is_mainland]
        return mainland or links
    return links


def _route_targets(
    model: NetworkModel, res: Resource, route: dict[str, Any], inline: bool, targets: list[Entry]
) -> tuple[str, list[Link]]:
    for spec in targets:
        when = spec.get("when")
        if when and not _matches(route.get(when["attr"]), when) and not _unresolved_when(route.get(when["attr"]), when):
            continue
        if spec.get("self"):  # the route is written on the link's own resource (a line, a member)
            links = _toward(route, spec, _reach(model, res, spec.get("reach", "gateway")))
            if links:
                return f"{res.address} itself", links
            continue
        if "same" in spec:  # every gateway of the route's root module that shares an attribute with it
            found = _sharing(model, res, spec)
            shared = [(g, _reach(model, g, spec.get("reach", "gateway"))) for g in found]
            links = [link for _, carried in shared for link in carried]
            if links:
                if when:
                    return f"{when['attr']} = {first(route.get(when['attr']))}", links
                return f"the same {spec['same']}: {', '.join(g.address for g, carried in shared if carried)}", links
            continue
        attr, types = spec["attr"], spec.get("types", ())
        written = route.get(attr) if inline else res.attrs.get(attr)
        if inline:
            target = inline_ref(model.config, res, attr, written, *types)
        else:
            target = referenced(model.config, res, attr, *types)
        # A next hop written with each./count.index whose instance cannot be told: any instance may
        # be the one, so the route reaches what each of them carries (never none of them).
        candidates = [target] if target is not None else instances_named(model.config, res, written, *types)
        reached: list[tuple[Resource, list[Link]]] = []
        named: list[Resource] = []
        for candidate in candidates:
            found_target, carried = _target_links(model, route, spec, candidate)
            if found_target is not None:
                named.append(found_target)
                reached += carried
        links = [link for _, found in reached for link in found]
        if links:
            hop = f"{when['attr']} {first(route.get(when['attr']))} " if when else f"{attr} = "
            if when and _unresolved_when(route.get(when["attr"]), when):
                hop = f"{hop}(not known statically, so it may be {' or '.join(_equals(when))}) "
            if target is None:
                one_of = ", ".join(dict.fromkeys(t.address for t in named))
                return (
                    f"{hop}{shown(written)} (one instance of a for_each or count whose instances cannot be "
                    f"listed statically, so any of {one_of})",
                    links,
                )
            by = [carrier.address for carrier, found in reached if found and carrier is not named[0]]
            attached = f" (attached by {', '.join(by)})" if by else ""
            return f"{hop}{named[0].address}{attached}", links
    return "", []


def _sharing(model: NetworkModel, res: Resource, spec: Entry) -> list[Resource]:
    """``same``: the resources of ``types`` in the root module of ``res`` whose ``same`` attribute has
    its value (case-insensitive), from an index built once per model rather than a scan per route."""
    attr = spec["same"]

    def key(r: Resource) -> tuple[str, Any]:
        return str(first(r.attrs.get(attr)) or "").lower(), model.config.root_of(r.scope)

    cache_key = f"same:{attr}:{','.join(spec['types'])}"
    if cache_key not in model.cache:
        index: dict[tuple[str, Any], list[Resource]] = defaultdict(list)
        for gateway in model.config.of_type(*spec["types"]):
            index[key(gateway)].append(gateway)
        model.cache[cache_key] = index
    return list(model.cache[cache_key].get(key(res), ()))


def _target_links(
    model: NetworkModel, route: dict[str, Any], spec: Entry, target: Resource | None
) -> tuple[Resource | None, list[tuple[Resource, list[Link]]]]:
    """The next hop a target spec reaches from ``target`` (after ``is`` and ``via``), and the links
    each resource carrying it carries; (None, []) when the spec does not apply to it."""
    kind = None
    if target is not None and spec.get("is"):
        if not _target_is(target, spec["is"]):
            return None, []
        kind = spec.get("kinds", {}).get(str(first(target.attrs.get(spec["is"]["attr"]))).lower())
    if target is not None and spec.get("via"):  # an attachment: the router or gateway behind it
        target = _ref(model, target, spec["via"])
    if target is None:
        return None, []
    carriers = _attached_by(model, target, spec["attached_by"]) if spec.get("attached_by") else [target]
    reached: list[tuple[Resource, list[Link]]] = []
    for carrier in carriers:
        links = _reach(model, carrier, spec.get("reach", "gateway"))
        if kind:  # an attachment of one kind carries only links of that kind
            links = [link for link in links if link.kind == kind]
        reached.append((carrier, _toward(route, spec, links)))
    return target, reached


def _attached_by(model: NetworkModel, target: Resource, spec: Entry) -> list[Resource]:
    """``attached_by``: the resources of ``types`` whose ``attr`` names the next hop (a CCN attachment
    of a VPN gateway); the route reaches what they carry. The attachments are indexed once per model
    by the resource they name, not scanned again for each route."""
    key = f"attached_by:{spec['attr']}:{','.join(spec['types'])}:{target.type}"
    if key not in model.cache:
        index: dict[int, list[Resource]] = defaultdict(list)
        for other in model.config.of_type(*spec["types"]):
            found = referenced(model.config, other, spec["attr"], target.type)
            if found is not None:
                index[found.index].append(other)
        model.cache[key] = index
    return list(model.cache[key].get(target.index, ()))


def _toward(route: dict[str, Any], spec: Entry, links: list[Link]) -> list[Link]:
    """``far_region``: only the links whose end outside the mainland is the region the route's
    attribute names (the next hop's region): a mainland network's traffic crosses only toward it.
    A region not known statically keeps every link, and so does a link whose far end is no region
    the scan could read (it cannot be shown to lead elsewhere)."""
    attr = spec.get("far_region")
    value = first(route.get(attr)) if attr else None
    if not attr or not is_resolved(value) or value is None:
        return links
    wanted = str(value).strip().lower()
    return [link for link in links if not link.remote.region or link.remote.region.strip().lower() == wanted]


def _target_is(target: Resource, spec: Entry) -> bool:
    """``is``: the next hop's own attribute is one of ``equals``; left unset it filters nothing
    (Huawei's ER attachments data source without ``type`` lists every attachment, a crossing one too)."""
    value = target.attrs.get(spec["attr"])
    return value is None or not is_resolved(first(value)) or _matches(value, spec)


def _routes_of(res: Resource, entry: Entry) -> list[tuple[dict[str, Any], bool]]:
    if res.type in entry.get("block_types", ()):
        return [(dict(block), True) for block in inline_blocks(res, entry["block"])]
    attrs = dict(res.attrs)
    if entry.get("destination_block"):  # the destinations are in nested blocks (``route_filter_prefixes { cidr }``)
        blocks = list(inline_blocks(res, entry["destination_block"]))
        for attr in entry.get("destination", ()):
            attrs[attr] = [block.get(attr) for block in blocks if block.get(attr) is not None]
    routes = [(attrs, False)]
    for hop in inline_blocks(res, entry["hops"]) if entry.get("hops") else ():  # ECMP next hops
        routes.append(({**dict(res.attrs), **dict(hop)}, True))
    return routes


def _default_destination(route: dict[str, Any], entry: Entry) -> Any:
    """The default route among the destinations (a list such as ``allowed_prefixes`` counts when any
    item is one); ``learned`` stands for routes the next hop advertises, which may include it."""
    if entry.get("learned"):
        return entry["learned"]
    for attr in entry.get("destination", ()):
        found = next((v for v in _scalars(route.get(attr)) if is_default_route(v)), None)
        if found is not None:
            return found
    return None


def _names_addresses(route: dict[str, Any], entry: Entry) -> bool:
    """``destination_when``: the destinations are addresses only when the route's attribute is one of
    these values (Azure's ``destinations_type = CIDR``); unset or not known statically, they may be."""
    when = entry.get("destination_when")
    if not when:
        return True
    value = first(route.get(when["attr"]))
    return value is None or not is_resolved(value) or _matches(value, when)


class _Lists:
    """``destination_list``: the prefixes of the lists routes name as their destination.

    A list holds its prefixes in nested blocks and in separate entry resources that name it; each
    entry resource is indexed once by the list it names, so a scan stays linear.
    """

    def __init__(self, model: NetworkModel, spec: Entry):
        self.model, self.spec = model, spec
        self.entries: dict[int, list[Resource]] = defaultdict(list)
        members: Entry = spec.get("entries") or {}
        for item in model.config.of_type(*members.get("types", ())):
            named = referenced(model.config, item, members["attr"], *spec["types"])
            if named is not None:
                self.entries[named.index].append(item)

    def prefixes(self, plist: Resource) -> list[Any]:
        """Every prefix of ``plist`` as written: its blocks' and its entry resources' ``address``."""
        address = self.spec["address"]
        blocks = inline_blocks(plist, self.spec["block"]) if "block" in self.spec else ()
        found = [block.get(address) for block in blocks]
        found += [item.attrs.get(address) for item in self.entries.get(plist.index, ())]
        return [value for value in found if value is not None]

    def destination(self, res: Resource, route: dict[str, Any], inline: bool) -> str | None:
        """How the list a route names may hold the default route, or None when it does not.

        A list outside the configuration (an id, a data source), an entry that cannot be resolved, or a
        list with no entry here (its entries are kept elsewhere) may hold 0.0.0.0/0: judged as one.
        """
        attr = self.spec["attr"]
        value = route.get(attr)
        if value is None:
            return None
        types = self.spec["types"]
        if inline:
            plist = inline_ref(self.model.config, res, attr, value, *types)
        else:
            plist = referenced(self.model.config, res, attr, *types)
        if plist is None:
            return (
                f"route to {attr} = {_text(value)}, a prefix list outside this configuration "
                "(its entries cannot be read, so it may hold 0.0.0.0/0)"
            )
        prefixes = self.prefixes(plist)
        found = next((v for v in _scalars(prefixes) if is_default_route(v)), None)
        if found is not None:
            return f"route {found} (an entry of the prefix list {plist.address})"
        if unreadable_prefixes(prefixes):
            return (
                f"route to the prefix list {plist.address}, whose entries {_text(prefixes)} cannot all be "
                "resolved (one may be 0.0.0.0/0)"
            )
        if not prefixes:
            return (
                f"route to the prefix list {plist.address}, which has no entry in this configuration "
                "(entries kept elsewhere may include 0.0.0.0/0)"
            )
        return None


def _named_default(route: dict[str, Any], entry: Entry) -> str | None:
    """``default_when``: the destination is named (Azure routing intent's ``Internet``), not a CIDR;
    one of the names is a default route, and a value that cannot be resolved may be one."""
    spec = entry.get("default_when")
    if not spec:
        return None
    attr, value = spec["attr"], route.get(spec["attr"])
    names = _equals(spec)
    found = next((v for v in _scalars(value) if str(v).lower() in {n.lower() for n in names}), None)
    if found is not None:
        return f"{attr} {found}, a default route"
    if unresolved(value):
        return f"{attr} {_text(value)} cannot be resolved, so it may be {' / '.join(names)}, a default route"
    return None


def _shown_destination(route: dict[str, Any], entry: Entry) -> str | None:
    """A default route among the destinations, or one that cannot be resolved, as a finding says it."""
    named = _named_default(route, entry)
    if named is not None:
        return named
    dest = _default_destination(route, entry)
    if dest is not None:
        return f"route {dest}"
    dest = next((first(route.get(a)) for a in entry.get("destination", ()) if unreadable_prefixes(route.get(a))), None)
    if dest is None:
        return None
    return f"route {dest} (destination {dest} cannot be resolved, so it may be 0.0.0.0/0)"


def build_routes(model: NetworkModel, entry: Entry, cloud: str) -> None:
    lists = _Lists(model, entry["destination_list"]) if entry.get("destination_list") else None
    for res in model.config.of_type(*types_of(entry)):
        for route, inline in _routes_of(res, entry):
            if not _names_addresses(route, entry):
                continue
            shown_dest = _shown_destination(route, entry)
            if shown_dest is None and lists is not None:
                shown_dest = lists.destination(res, route, inline)
            if shown_dest is None:
                continue
            target, links = _route_targets(model, res, route, inline, entry["targets"])
            if not links:
                continue
            what = f"{shown_dest} -> {target}".rstrip()
            network_from = entry.get("network")
            if network_from in ("link", "mainland-end"):
                # ``link``: each link's own cloud end is the network whose traffic leaves
                end_of = _mainland_end if network_from == "mainland-end" else _local_end
                for network, grouped in _by_end(links, end_of):
                    model.add_exit(GeneralExit(res, network, what, grouped))
                continue
            anchor = _ref(model, res, network_from) if isinstance(network_from, dict) else None
            network = cloud_endpoint(model.config, anchor if anchor is not None else res)
            model.add_exit(GeneralExit(res, network, what, links))


def _local_end(link: Link) -> Endpoint:
    return link.local


def _mainland_end(link: Link) -> Endpoint:
    """``network: mainland-end``: a link's end in mainland China, whichever side it is.

    A default route advertised over a link (to the far side, or learned from it) moves all traffic
    of one side across it: the mainland side's, or the far side's into the mainland network.
    """
    return link.remote if link.remote.is_mainland and not link.local.is_mainland else link.local


def _by_end(links: list[Link], end_of: Callable[[Link], Endpoint]) -> list[tuple[Endpoint, list[Link]]]:
    """The links grouped under the network ``end_of`` names for each (one general exit per network)."""
    grouped: dict[tuple[Any, str], tuple[Endpoint, list[Link]]] = {}
    for link in links:
        end = end_of(link)
        grouped.setdefault((end.jurisdiction, end.label), (end, []))[1].append(link)
    return list(grouped.values())


# --- dedicated lines ------------------------------------------------------------------------------------


def _join(
    model: NetworkModel,
    spec: Entry,
    interface_types: list[str],
    line_of: dict[int, Resource],
    beyond: dict[int, list[Resource | None]],
) -> None:
    """``joined_by``: a resource naming an interface (``attr``) and a router (``router``) joins them,
    so routes to that router reach the interface's line (Alibaba's ECR child instance of a VBR)."""
    for member in model.config.of_type(*types_of(spec)):
        interface = referenced(model.config, member, spec["attr"], *interface_types)
        line = line_of.get(interface.index) if interface is not None else None
        if line is not None:
            beyond[line.index].append(_ref(model, member, spec["router"]))


def build_lines(model: NetworkModel, entry: Entry, cloud: str) -> None:
    config = model.config
    over: dict[int, list[Resource]] = defaultdict(list)
    beyond: dict[int, list[Resource | None]] = defaultdict(list)  # gateways the interfaces attach to
    interfaces = entry.get("interfaces")
    if interfaces:
        line_of: dict[int, Resource] = {}
        for interface in config.of_type(*types_of(interfaces)):
            line = referenced(config, interface, interfaces["attr"], *types_of(entry))
            if line is not None:
                line_of[interface.index] = line
                over[line.index].append(interface)
                beyond[line.index] += [_ref(model, interface, spec) for spec in interfaces.get("via", ())]
        for spec in interfaces.get("joined_by", ()):
            _join(model, spec, types_of(interfaces), line_of, beyond)
    far = entry.get("far_label", {})
    local_hook = products.LOCAL[entry["local"]] if entry.get("local") else None
    for line in config.of_type(*types_of(entry)):
        ifaces = over.get(line.index, [])
        label = _first_set(line, far.get("attrs", ()))
        if is_resolved(label) and far.get("format"):
            label = far["format"].format(label)
        remote, proof = declared_far_end(label, line, *ifaces)
        far_end = entry.get("far_end")
        if far_end and far_end.get("proves_mainland") and remote.jurisdiction is None:
            by_attr = attribute_far_end(label, line, far_end["attr"])
            if by_attr is not None:
                remote, proof = by_attr
            else:
                attr, value = far_end["attr"], first(line.attrs.get(far_end["attr"]))
                if value is None:
                    note = f"{attr} is not set"
                elif not is_resolved(value):
                    note = f"{attr} is not known statically"
                else:
                    note = f"{attr} {str(value)!r} names no mainland place (or names Hong Kong, Macao or Taiwan)"
                remote = replace(remote, how=f"{remote.how}; {note}")
        peer_ip = interfaces.get("peer_ip") if interfaces else None
        peer_ips = {  # written with its prefix length (AWS customer_address), one per BGP peer in a template
            str(v).split("/")[0] for i in ifaces if peer_ip for v in _scalars(i.attrs.get(peer_ip)) if is_resolved(v)
        }
        link = Link(
            kind=DEDICATED,
            resource=line,
            local=local_hook(model, line) if local_hook else cloud_endpoint(config, line),
            remote=remote,
            peer_address=next(iter(peer_ips)) if len(peer_ips) == 1 else None,
            circuit_tags=circuit_tags(line, *ifaces),
            far_end_proven_cn=proof,
        )
        carrier = first(line.attrs.get(entry["carrier"])) if entry.get("carrier") else None
        if is_resolved(carrier):
            link.carrier_text, link.carrier_attr = str(carrier), entry["carrier"]
        else:
            for missing in entry.get("no_carrier", ()):
                if "when" not in missing or line.get(missing["when"]) is not None:
                    link.product_missing = missing["text"]
                    break
        gateways = [*beyond.get(line.index, ()), *(_ref(model, line, spec) for spec in entry.get("via", ()))]
        if entry.get("gateway"):
            gateways += [_ref(model, r, entry["gateway"]) for r in (line, *ifaces)]
        model.add_link(link, *ifaces, *gateways)


# --- peerings, groups, pairs ----------------------------------------------------------------------------


def _how(template: str, attr: str, res: Resource) -> str:
    return template.format(attr=attr, address=res.address)


def _remote(model: NetworkModel, res: Resource, local: Endpoint, cloud: str, spec: Entry) -> Endpoint:
    attr = spec["region"]
    how = _how(spec.get("how", "via {attr} of {address}"), attr, res)
    if spec.get("block"):  # the peer region is in a nested block (Huawei's peer_site)
        blocks = list(inline_blocks(res, spec["block"]))
        block = blocks[0] if blocks else {}
        where = _how(spec.get("how", "via {attr} of {address}"), f"{spec['block']} {attr}", res)
        return _region_end(cloud, block, block.get(attr), attr, where)
    if res.attrs.get(attr) is not None:
        return _region_end(cloud, res, res.attrs.get(attr), attr, how)
    other = _ref(model, res, spec.get("ref"))
    if other is not None:
        return cloud_endpoint(model.config, other)
    if spec.get("unset") == "same-region":
        return Endpoint(local.jurisdiction, local.label, f"({attr} not set: the same region)")
    if spec.get("ref"):
        named = shown(res.get(spec["ref"]["attr"]))
        return Endpoint(None, named, spec.get("unset_text", "a peer whose region is not set"))
    return region_endpoint(cloud, None, how)


def _with_product(model: NetworkModel, link: Link, entry: Entry, **extra: Any) -> Link:
    if entry.get("product"):
        link.product, link.product_missing = products.PRODUCTS[entry["product"]](model, link, **extra)
    elif entry.get("product_missing"):
        link.product_missing = entry["product_missing"]
    return link


def build_peerings(model: NetworkModel, entry: Entry, cloud: str) -> None:
    for res in model.config.of_type(*types_of(entry)):
        router = _ref(model, res, entry.get("local"))
        local = cloud_endpoint(model.config, router if router is not None else res)
        remote = _remote(model, res, local, cloud, entry["remote"])
        if entry.get("closure"):
            local, remote, impossible = products.CLOSURES[entry["closure"]](local, remote)
        else:
            impossible = None
        link = Link(PEERING, res, local, remote, impossible=impossible, circuit_tags=circuit_tags(res))
        model.add_link(_with_product(model, link, entry), router)


def _group(model: NetworkModel, res: Resource, spec: Entry) -> tuple[GroupKey | None, Resource | None]:
    """The network a member belongs to: the referenced resource, else its id as written."""
    target = _ref(model, res, spec)
    if spec.get("unresolved") == "by-text":
        return network_key(model.config, res, spec["attr"], *spec.get("types", ())), target
    return group_key(model.config, res, spec["attr"], *spec.get("types", ())), target


def _member_regions(res: Resource, entry: Entry) -> list[tuple[dict[str, Any], str | None, str]]:
    """Where a member is: ``region`` (one attribute or the first set of several) of the resource or of
    each nested ``block`` for ``block_types``, with what holds it; without ``region`` or for
    ``own_region_types``, its own region (no attribute)."""
    if "region" not in entry or res.type in entry.get("own_region_types", ()):
        return [({}, None, "")]
    attrs = [entry["region"]] if isinstance(entry["region"], str) else list(entry["region"])
    template = entry.get("how", "via {attr} of {address}")
    if res.type in entry.get("block_types", ()):
        sources = list(inline_blocks(res, entry["block"]))
        block = f"{entry['block']} "
    else:
        sources, block = [dict(res.attrs)], ""
    out: list[tuple[dict[str, Any], str | None, str]] = []
    for source in sources:
        written = next((a for a in attrs if a in source), attrs[0])  # written, maybe rendered as null
        attr = next((a for a in attrs if source.get(a) is not None), written)
        out.append((dict(source), attr, _how(template, block + attr, res)))
    return out


def _region_end(cloud: str, source: Resource | dict[str, Any], value: Any, attr: str, how: str) -> Endpoint:
    """A region attribute's end: ``try(a, b)`` read as Terraform would; an attribute that is written but
    that Checkov rendered as null (a conditional it could not evaluate) is an expression, not unset.
    ``source`` is what holds the attribute: the resource, or the nested block it was read from."""
    attrs = source.attrs if isinstance(source, Resource) else source
    value = static_value(value)
    if value is None and attr in attrs:
        return Endpoint(
            None,
            f"{attr} (an expression)",
            f"{how} is an expression the scan cannot evaluate (a conditional, or null)",
            declare=EXPRESSION_REGION,
        )
    return region_endpoint(cloud, value, how)


def _network_unknown(res: Resource, spec: Entry, key: GroupKey | None) -> str | None:
    """Why the network a member joins is not known statically, or None when it is.

    Its attribute names no resource of the configuration and no id (``var.x`` with no value), or it
    is an expression Checkov could not evaluate (a conditional, which it renders as null while it
    may still draw an edge to one of the branches): the member may join any network.
    """
    attr = spec["attr"]
    if attr in res.attrs and first(res.attrs.get(attr)) is None and not is_plan_file(res.file):
        return f"its {attr} is an expression the scan cannot evaluate (a conditional, or null)"
    if key is None or key[0] == "text":
        return f"its {attr} {shown(res.attrs.get(attr))} cannot be resolved statically"
    return None


def build_groups(model: NetworkModel, entry: Entry, cloud: str) -> None:
    """Members of one network in different regions, each mainland/overseas pair once.

    A member whose network is not known statically may join any network of its configuration: it is
    paired with the members of every network of its root module, and with the other such members,
    so a network is never shown to stay on one side of the border because its id could not be read.
    """
    members: dict[GroupKey, list[tuple[Resource, Endpoint]]] = defaultdict(list)
    networks: dict[GroupKey, Resource | None] = {}
    roots: dict[GroupKey, Any] = {}
    unknown: dict[Any, list[tuple[Resource, Endpoint]]] = defaultdict(list)  # root -> members
    unknown_keys: dict[Any, GroupKey] = {}
    written: dict[str, str] = {}  # endpoint label -> the region id as written, for product hooks
    for res in model.config.of_type(*types_of(entry)):
        key, network = _group(model, res, entry["group"])
        why = _network_unknown(res, entry["group"], key)
        root = model.config.root_of(res.scope)
        if key is None:
            key = ("text", shown(res.attrs.get(entry["group"]["attr"])), root)
        networks[key] = network
        for source, attr, how in _member_regions(res, entry):
            # no region attribute: the member is in its own (provider's) region
            value = source.get(attr) if attr else None
            end = cloud_endpoint(model.config, res) if attr is None else _region_end(cloud, source, value, attr, how)
            written.setdefault(end.label, shown(value) if attr else end.label)
            if why is None:
                members[key].append((res, end))
                roots.setdefault(key, root)
            else:
                note = f"{why}, so it may join any network of this configuration"
                unknown[root].append((res, replace(end, how=f"{end.how}; {res.address}: {note}")))
                unknown_keys.setdefault(root, key)
    groups = [(key, group + unknown.get(roots[key], [])) for key, group in members.items()]
    groups += [(key, unknown[root]) for root, key in unknown_keys.items()]
    seen: set[tuple[int, str, str]] = set()
    for key, group in groups:
        network = networks.get(key)
        for res, mainland, own in member_pairs(group):
            if (res.index, mainland.label, own.label) in seen:
                continue
            seen.add((res.index, mainland.label, own.label))
            link = Link(PEERING, res, mainland, own, circuit_tags=circuit_tags(network))
            regions = (written.get(mainland.label, mainland.label), written.get(own.label, own.label))
            found = _with_product(model, link, entry, key=key, network=network, member=res, regions=regions)
            model.add_link(found, network)


def _pair_ends(res: Resource, cloud: str, entry: Entry) -> list[Endpoint] | None:
    spec = entry["regions"]
    how_template = entry.get("how", "via {attr} of {address}")
    read = products.AREAS[entry["areas"]] if entry.get("areas") else None

    def end(value: Any, attr: str) -> Endpoint:
        how = _how(how_template, attr, res)
        return read(value, how) if read else _region_end(cloud, res, value, attr, how)

    if "list" in spec:
        raw = res.attrs.get(spec["list"])
        values = [v for v in _scalars(raw)] if raw is not None else []
        if spec.get("exactly") and (not isinstance(raw, list) or len(values) != spec["exactly"]):
            return None
        ends = [end(v, spec["list"]) for v in values[:2]]
        while len(ends) < 2:
            ends.append(Endpoint(None, "not set", f"{_how(how_template, spec['list'], res)}: two regions expected"))
    else:
        if any(res.attrs.get(attr) is None for attr in spec.get("require", ())):
            return None
        ends = [end(res.attrs.get(attr), attr) for attr in spec["attrs"]]
    if entry.get("mainland_first", True):
        ends.sort(key=lambda ep: not ep.is_mainland)
    return ends


def build_pairs(model: NetworkModel, entry: Entry, cloud: str) -> None:
    for res in model.config.of_type(*types_of(entry)):
        ends = _pair_ends(res, cloud, entry)
        if ends is None:
            continue
        key, network = _group(model, res, entry["group"]) if entry.get("group") else (None, None)
        link = Link(PEERING, res, ends[0], ends[1], circuit_tags=circuit_tags(network if network else res))
        model.add_link(_with_product(model, link, entry, key=key, network=network, member=res), network)


# --- one cloud ------------------------------------------------------------------------------------------


Builder = Callable[[NetworkModel, Entry, str], None]

# Links in a fixed order (VPNs and lines before the groups and routes that look for them), then exits.
LINK_BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("vpn", build_vpn),
    ("lines", build_lines),
    ("pairs", build_pairs),
    ("peerings", build_peerings),
    ("groups", build_groups),
)
EXIT_BUILDERS: tuple[tuple[str, Builder], ...] = (("selectors", build_selectors), ("routes", build_routes))


def _run(model: NetworkModel, spec: CloudSpec, builders: tuple[tuple[str, Builder], ...], hooks: str) -> None:
    for section, build in builders:
        for entry in spec.entries(section):
            build(model, entry, spec.cloud)
    registry = products.LINK_HOOKS if hooks == "links" else products.EXIT_HOOKS
    for name in spec.hooks(hooks):
        registry[name](model)


def add_links(model: NetworkModel, spec: CloudSpec) -> None:
    _run(model, spec, LINK_BUILDERS, "links")


def add_exits(model: NetworkModel, spec: CloudSpec) -> None:
    _run(model, spec, EXIT_BUILDERS, "exits")
