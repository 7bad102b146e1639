"""CKV_CNX_101: a site-to-site VPN that crosses the mainland border must ride an approved carrier."""

from __future__ import annotations

from cn_crossborder.graph import Resource
from cn_crossborder.model import VPN, NetworkModel
from cn_crossborder.rules import Coverage, Rule
from cn_crossborder.verdicts import FAILED, PASSED, Verdict, crossing, endpoint_lines, termination


def evaluate(model: NetworkModel, res: Resource) -> Verdict:
    links = model.links_for(res, VPN)
    if not links:
        return Verdict(PASSED, f"{res.address} is not a site-to-site IPsec link (out of scope)")
    details: list[str] = []
    failures: list[str] = []
    for link in links:
        details += endpoint_lines(link)
        cross = crossing(link, model.context)
        if not cross.crosses:
            details.append(f"Not cross-border: {cross.reason}.")
            continue
        term = termination(link, model.context)
        if term.approved:
            details.append(f"Cross-border ({cross.reason}); terminates on an approved carrier: {term.how}.")
            continue
        why = f"Cross-border ({cross.reason}) self-built IPsec tunnel: " + "; ".join(term.problems) + "."
        details.append(why)
        failures.append(why)
    if failures:
        return Verdict(FAILED, failures[0], details)
    return Verdict(PASSED, details[-1], details)


RULE = Rule(
    id="CKV_CNX_101",
    title="Cross-border site-to-site VPN must terminate on an approved carrier",
    severity="HIGH",
    category="NETWORKING",
    protects=(
        "Mainland China allows international connections only through gateways run by the licensed "
        "carriers. An IPsec tunnel over the Internet between a mainland site or region and one "
        "outside the mainland is a self-built cross-border VPN, whichever side starts it."
    ),
    fails_when=(
        "a site-to-site VPN connection has one end in mainland China and the other outside it (Hong "
        "Kong, Macao and Taiwan count as outside) or unknown, and neither a carrier attribute, a "
        "cloud's licensed cross-border product, nor a valid circuit of the policy shows that it "
        "terminates on China Telecom, China Unicom or China Mobile"
    ),
    legal=("icge-6", "telecom-64", "circular-32", "interim-6"),
    remediation=(
        "Carry the traffic over an international private line or IP-VPN leased from China Telecom, "
        "China Unicom or China Mobile (or their international arms CTG, CUG, CMI) for internal office "
        "use, record it under `circuits` in .cn-crossborder.yaml with its filing reference and the "
        "public addresses it terminates on, and tag the peer gateway with cn-crossborder:circuit. "
        "If the peer is really in mainland China or outside scope, declare its location with the "
        "cn-crossborder:location tag or a `locations` entry."
    ),
    coverage=(
        Coverage("aws", "aws_vpn_connection", "region (v6) or provider region; customer_gateway_id; tags"),
        Coverage("aws", "aws_customer_gateway", "ip_address; tags cn-crossborder:location/circuit", False),
        Coverage("aws", "aws_vpn_gateway", "links default routes to the connection", False),
        Coverage("aws", "aws_ec2_transit_gateway", "links default routes to VPN attachments", False),
        Coverage(
            "azurerm",
            "azurerm_virtual_network_gateway_connection",
            "type = IPsec; virtual_network_gateway_id (location); local_network_gateway_id; tags",
        ),
        Coverage(
            "azurerm", "azurerm_local_network_gateway", "gateway_address / gateway_fqdn; tags", False
        ),
        Coverage("azurerm", "azurerm_virtual_network_gateway", "location, provider environment", False),
    ),
    evaluate=evaluate,
)
