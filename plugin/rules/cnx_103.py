"""CKV_CNX_103: peering and transit across the mainland border need the licensed product."""

from __future__ import annotations

from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import PEERING, Link, NetworkModel
from cn_crossborder.rules import Rule
from cn_crossborder.verdicts import Verdict, crossing, judge_links, termination


def evaluate(model: NetworkModel, res: Resource) -> Verdict:
    def judge(link: Link) -> tuple[str, bool]:
        cross = crossing(link, model.context)
        if not cross.crosses:
            return f"Not cross-border: {cross.reason}.", False
        if link.impossible:
            return f"Cross-border ({cross.reason}): {link.impossible}", True
        term = termination(link, model.context)
        if term.approved:
            return f"Cross-border ({cross.reason}); {term.how}.", False
        problems = "; ".join(term.problems)
        return f"Cross-border ({cross.reason}) without the licensed cross-border product: {problems}.", True

    out_of_scope = f"{res.address} joins no regions across the border (out of scope)"
    return judge_links(model.links_for(res, PEERING), out_of_scope, judge)


RULE = Rule(
    id="CKV_CNX_103",
    title="Peering or transit across the mainland border must use the licensed cross-border product",
    severity="HIGH",
    category="NETWORKING",
    protects=(
        "Clouds that join mainland and overseas regions sell the cross-border leg as a separate product "
        "with its own compliance filing: Tencent CCN cross-border traffic needs China Unicom's approval of "
        "the account, and Huawei Cloud Connect cross-border bandwidth runs on China Unicom, which reviews "
        "and files the customer's papers; Volcengine offers China Unicom and China Telecom applications; "
        "for Alibaba CEN cross-border bandwidth packages the carrier behind the product is unverified. "
        "Peering across the border without the product is a cross-border channel outside the routes the "
        "regulators describe (a regulatory risk under the Interim Provisions Art. 6 and Circular 32). AWS "
        "and Azure China are separate partitions where such links cannot exist at all."
    ),
    fails_when=(
        "a peering, transit-router peering, CEN/CCN/Cloud Connect link joins a mainland region and a "
        "region outside it without the cloud's licensed cross-border product or a valid circuit, or "
        "tries to cross the China partition of AWS or Azure"
    ),
    legal=("interim-6", "circular-32", "icge-6"),
    remediation=(
        "Buy the cloud's cross-border bandwidth product (Alibaba CEN cross-border bandwidth package, "
        "whose carrier is unverified, so ask Alibaba Cloud which carrier files it; "
        "Tencent CCN cross-border with the compliance approval, Huawei Cloud Connect cross-border "
        "bandwidth package, Volcengine cross-border bandwidth package) and attach the link to it; on "
        "AWS and Azure connect the China partition through a carrier's line (Direct Connect or "
        "ExpressRoute via China Telecom, China Unicom or China Mobile) instead."
    ),
    evaluate=evaluate,
)
