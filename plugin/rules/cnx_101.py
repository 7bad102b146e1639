"""CKV_CNX_101: a site-to-site VPN that crosses the mainland border should ride an approved carrier."""

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
        return (
            f"Cross-border ({cross.reason}) self-built IPsec tunnel, outside the compliant routes "
            "(a regulatory risk, not a settled violation): " + "; ".join(term.problems) + ".",
            True,
        )

    out_of_scope = f"{res.address} is not a site-to-site IPsec link (out of scope)"
    return judge_links(model.links_for(res, VPN), out_of_scope, judge)


RULE = Rule(
    id="CKV_CNX_101",
    title="Cross-border site-to-site VPN must terminate on an approved carrier",
    severity="HIGH",
    category="NETWORKING",
    protects=(
        "The compliant route that MIIT (its 2017 answers on Circular 32) and CAICT describe for a "
        "company's own cross-border network is an international private line or IP-VPN leased from "
        "China Telecom, China Unicom or China Mobile, for internal office use. An IPsec tunnel over the "
        "Internet between a mainland site or region and one outside the mainland, whichever side starts "
        "it, is a cross-border VPN the company builds itself, outside that route. This is a regulatory "
        "risk, not a settled violation: the Interim Provisions Art. 6 say no unit may build or use its "
        "own channel for international networking, and Circular 32 says no one may build or lease private "
        "lines or VPNs to carry out cross-border business operations without approval; MIIT has said "
        "publicly that the rules target unlicensed cross-border telecom business, not ordinary "
        "cross-border Internet access, and no authority has ruled on tunnels of this kind."
    ),
    fails_when=(
        "a site-to-site VPN connection has one end in mainland China and the other outside it (Hong "
        "Kong, Macao and Taiwan count as outside) or unknown, and neither a carrier attribute, a "
        "cloud's licensed cross-border product, nor a valid circuit of the policy shows that it "
        "terminates on China Telecom, China Unicom or China Mobile"
    ),
    legal=("interim-6", "circular-32", "miit-qa-2017"),
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
