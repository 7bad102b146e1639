"""CKV_CNX_101: a site-to-site VPN that crosses the mainland border must ride an approved carrier."""

from __future__ import annotations

from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import VPN, Link, NetworkModel
from cn_crossborder.rules import Rule
from cn_crossborder.verdicts import Verdict, crossing, judge_links, termination


def evaluate(model: NetworkModel, res: Resource) -> Verdict:
    def judge(link: Link) -> tuple[str, bool]:
        cross = crossing(link, model.context)
        if not cross.crosses:
            return f"Not cross-border: {cross.reason}.", False
        term = termination(link, model.context)
        if term.approved:
            return f"Cross-border ({cross.reason}); terminates on an approved carrier: {term.how}.", False
        return f"Cross-border ({cross.reason}) self-built IPsec tunnel: " + "; ".join(term.problems) + ".", True

    out_of_scope = f"{res.address} is not a site-to-site IPsec link (out of scope)"
    return judge_links(model.links_for(res, VPN), out_of_scope, judge)


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
    evaluate=evaluate,
)
