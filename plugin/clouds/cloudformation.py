"""AWS CloudFormation: which template resource types each rule reads (the model is built in cfn.py).

CloudFormation templates are not part of Checkov's Terraform graph, so this adapter adds nothing to
the graph's model; it declares coverage so ``explain`` and the docs list the template types, and
``cn_crossborder.cfn`` derives the types its checks register for from it.
"""

from __future__ import annotations

from cn_crossborder.coverage import Coverage
from cn_crossborder.model import NetworkModel

CLOUD = "aws (CloudFormation)"
STACK_REGION = "stack region from --region or the Region parameter's default"


def add_links(model: NetworkModel) -> None:
    """Templates are modelled per file by ``cn_crossborder.cfn``."""


def add_exits(model: NetworkModel) -> None:
    """Templates are modelled per file by ``cn_crossborder.cfn``."""


COVERAGE = {
    "CKV_CNX_101": (
        Coverage(CLOUD, "AWS::EC2::VPNConnection", f"{STACK_REGION}; CustomerGatewayId; Tags"),
        Coverage(CLOUD, "AWS::EC2::CustomerGateway", "IpAddress; Tags cn-crossborder:location/circuit", False),
    ),
    "CKV_CNX_102": (Coverage(CLOUD, "AWS::DirectConnect::Connection", f"{STACK_REGION}; ProviderName; Tags"),),
    "CKV_CNX_103": (Coverage(CLOUD, "AWS::EC2::TransitGatewayPeeringAttachment", f"{STACK_REGION}; PeerRegion"),),
    "CKV_CNX_104": (
        Coverage(
            CLOUD, "AWS::EC2::Route", "DestinationCidrBlock / DestinationIpv6CidrBlock; GatewayId; TransitGatewayId"
        ),
        Coverage(CLOUD, "AWS::EC2::VPNConnectionRoute", "DestinationCidrBlock; VpnConnectionId"),
        Coverage(CLOUD, "AWS::EC2::VPNConnection", "LocalIpv4NetworkCidr / RemoteIpv4NetworkCidr when written"),
    ),
}
