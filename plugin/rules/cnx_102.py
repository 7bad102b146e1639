"""CKV_CNX_102: a dedicated line serving a mainland region must be an approved carrier's line."""

from __future__ import annotations

from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import DEDICATED, Link, NetworkModel
from cn_crossborder.rules import Rule
from cn_crossborder.verdicts import Verdict, declare_hint, judge_links, termination


def evaluate(model: NetworkModel, res: Resource) -> Verdict:
    def judge(link: Link) -> tuple[str, bool]:
        scope = "Dedicated line into a mainland region"
        if link.local.jurisdiction is None:  # not shown to stay outside: judged as mainland (no silent pass)
            region = f"the region the line serves, {link.local.label}, is unknown"
            if model.context.policy.unknown_location == "pass":
                return f"Out of scope: {region} and the policy says unknown_location: pass.", False
            hint = declare_hint(link, link.local)
            scope = f"Dedicated line into a region that may be in mainland China ({region}; {hint})"
        elif not link.local.is_mainland:
            return "Out of scope: the line does not serve a mainland China region.", False
        term = termination(link, model.context)
        if term.approved:
            return f"Terminates on an approved carrier: {term.how}.", False
        if link.far_end_proven_cn:
            return f"Domestic line: the far end is proven to be in mainland China ({link.far_end_proven_cn}).", False
        problems = "; ".join(term.problems)
        return (
            f"{scope} whose far end is not proven to be in mainland China: {problems}.",
            True,
        )

    out_of_scope = f"{res.address} is not a dedicated line (out of scope)"
    return judge_links(model.links_for(res, DEDICATED), out_of_scope, judge)


RULE = Rule(
    id="CKV_CNX_102",
    title="Dedicated line into a mainland region must be leased from an approved carrier",
    severity="HIGH",
    category="NETWORKING",
    protects=(
        "A dedicated line (Direct Connect, ExpressRoute, Express Connect, ...) that reaches a mainland "
        "China region from abroad is an international private line, which only China Telecom, China "
        "Unicom and China Mobile may provide. Lines from other operators are acceptable only when both "
        "ends are in the mainland."
    ),
    fails_when=(
        "a dedicated line serving a mainland region names no approved carrier (operator or provider "
        "attribute, or a valid circuit of the policy) and its far end is not proven to be in mainland "
        "China by a cn-crossborder:location tag, a registered circuit, or the provider's own attribute for "
        "the customer's end naming a mainland place (Alibaba peer_location, Tencent location)"
    ),
    legal=("icge-6", "telecom-64", "telecom-58", "circular-32"),
    remediation=(
        "Order the line from China Telecom, China Unicom or China Mobile and name the carrier where "
        "the provider records it (provider_name on AWS, service_provider_name on Azure, line_operator "
        'on Alibaba Cloud, Tencent Cloud and Volcengine, such as "CU" on Alibaba Cloud), or record the '
        "line as a circuit in .cn-crossborder.yaml; if the line is domestic, write the customer end's city in "
        "peer_location (Alibaba Cloud, Huawei Cloud, Volcengine) or location (Tencent Cloud), or tag "
        'the line or an interface over it cn-crossborder:location = "CN".'
    ),
    evaluate=evaluate,
)
