"""AWS CloudFormation: which template types each rule reads, derived from the AWS adapter.

``cn_crossborder.sources.cloudformation`` reads every template type that has a Terraform twin as
that twin, so the AWS adapter builds the links of templates too; this module only derives, from the
same table, which template types each rule covers (for the checks, ``explain`` and the docs), and
says why the AWS spec's other types have no twin (``NO_TWIN``), so that what templates cannot be
judged on is written down next to what they can.
"""

from __future__ import annotations

from cn_crossborder.clouds import devices
from cn_crossborder.clouds.spec import all_specs, coverage_of
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.sources.cloudformation import AWS_TYPES

CLOUD = "aws (CloudFormation)"
STACK_REGION_HOW = "--region, else the Default of the Region parameter"
_REFERENCE = "CloudFormation Template Reference"

_HOSTED_VIF = (
    "no template type of its own: a hosted virtual interface is an AWS::DirectConnect::*VirtualInterface "
    "with Allocate*VirtualInterfaceRoleArn, owned by the stack's account on a connection or LAG of another "
    "account. It is read as a virtual interface, whose line is not in the template, so it gets no verdict "
    "(the Terraform accepter fails as carrier unknown)"
)

# Terraform types of the AWS spec that no template type is read as: (types, why, source).
NO_TWIN: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("aws_route_table",),
        "AWS::EC2::RouteTable has no routes of its own (VpcId and Tags only); each route is an "
        "AWS::EC2::Route, read as aws_route",
        f"{_REFERENCE}: AWS::EC2::RouteTable",
    ),
    (
        ("aws_default_route_table",),
        "no template type: the main route table comes with the VPC and a template cannot name it "
        "(AWS::EC2::VPC returns no route table); a route added to it is an AWS::EC2::Route, read as aws_route",
        "aws-cloudformation/cloudformation-coverage-roadmap#357",
    ),
    (
        ("aws_ec2_transit_gateway_route", "aws_ec2_transit_gateway_route_table_propagation"),
        "AWS::EC2::TransitGatewayRoute exists, but the only next hop the spec follows from it is a VPN "
        "connection's transit gateway attachment, which a template cannot name: AWS::EC2::VPNConnection "
        "returns only its VPN connection ID (Ref, Fn::GetAtt VpnConnectionId). Its "
        "TransitGatewayAttachmentId would always be an ID, a parameter or an import, so every such route "
        "would pass without its next hop being known (the same holds for the attachment of an "
        "AWS::EC2::TransitGatewayRouteTablePropagation)",
        f"{_REFERENCE}: AWS::EC2::VPNConnection, AWS::EC2::TransitGatewayRoute",
    ),
    (
        ("aws_ec2_transit_gateway_prefix_list_reference",),
        "no template type for a transit gateway prefix list reference was found among the "
        "AWS::EC2::TransitGateway* types (UNVERIFIED that none exists); were there one, its attachment "
        "could not be followed from a template, as for aws_ec2_transit_gateway_route",
        _REFERENCE,
    ),
    (
        ("aws_ec2_managed_prefix_list_entry",),
        "no template type of its own: a template's prefix list holds its entries (AWS::EC2::PrefixList "
        "Entries), read as the entry blocks of aws_ec2_managed_prefix_list",
        f"{_REFERENCE}: AWS::EC2::PrefixList",
    ),
    (
        ("aws_instance", "aws_launch_template"),
        "AWS::EC2::Instance and AWS::EC2::LaunchTemplate name the image only by ImageId (an AMI ID, or a "
        "Systems Manager parameter resolved at launch); the spec recognises a VPN or firewall appliance by "
        "the image's name through data.aws_ami, which a template has no counterpart of, so every instance "
        "would pass as no appliance without anything read to show it",
        f"{_REFERENCE}: AWS::EC2::Instance, AWS::EC2::LaunchTemplate",
    ),
    (
        ("aws_dx_hosted_connection", "aws_dx_connection_confirmation"),
        "no template type: the AWS::DirectConnect types are Connection, Lag, DirectConnectGateway, "
        "DirectConnectGatewayAssociation and the private, public and transit virtual interfaces, so a "
        "hosted connection is allocated and accepted outside the template",
        _REFERENCE,
    ),
    (
        (
            "aws_dx_hosted_private_virtual_interface",
            "aws_dx_hosted_public_virtual_interface",
            "aws_dx_hosted_transit_virtual_interface",
            "aws_dx_hosted_private_virtual_interface_accepter",
            "aws_dx_hosted_public_virtual_interface_accepter",
            "aws_dx_hosted_transit_virtual_interface_accepter",
        ),
        _HOSTED_VIF,
        f"{_REFERENCE}: AWS::DirectConnect::PrivateVirtualInterface",
    ),
    (
        ("aws_dx_gateway_association_proposal",),
        "no template type: an association with a Direct Connect gateway of another account is an "
        "AWS::DirectConnect::DirectConnectGatewayAssociation with "
        "AcceptDirectConnectGatewayAssociationProposalRoleArn, read as aws_dx_gateway_association",
        f"{_REFERENCE}: AWS::DirectConnect::DirectConnectGatewayAssociation",
    ),
)


def _reads(tf_type: str, cfn_type: str, where: str) -> str:
    names = AWS_TYPES[cfn_type][1]
    props = ", ".join(f"{prop} as {arg}" for prop, arg in names.items()) or "no properties"
    return f"read as {tf_type} ({props}); {where}"


def _coverage() -> dict[str, tuple[Coverage, ...]]:
    """The AWS adapter's coverage (spec entries and devices), for every template type read as a twin."""
    twins: dict[str, list[str]] = {}
    for cfn_type, (tf_type, _) in AWS_TYPES.items():
        twins.setdefault(tf_type, []).append(cfn_type)
    aws = next(spec for spec in all_specs() if spec.cloud == "aws")
    region = f"region: {STACK_REGION_HOW}"
    per_rule = {rule_id: [(cov, region) for cov in rows] for rule_id, rows in coverage_of(aws).items()}
    for rule_id, rows in devices.COVERAGE.items():  # a device stands where its address is, not in a region
        per_rule.setdefault(rule_id, []).extend((cov, cov.reads) for cov in rows if cov.cloud == "aws")
    out: dict[str, tuple[Coverage, ...]] = {}
    for rule_id, entries in per_rule.items():
        derived = [
            Coverage(CLOUD, cfn_type, _reads(cov.resource_type, cfn_type, where), cov.reported)
            for cov, where in entries
            for cfn_type in twins.get(cov.resource_type, ())
        ]
        if derived:
            out[rule_id] = tuple(derived)
    return out


def untwinned() -> list[tuple[str, str, str]]:
    """The AWS spec's types no template type is read as: (Terraform type, why, source)."""
    return [(tf_type, why, source) for types, why, source in NO_TWIN for tf_type in types]


COVERAGE = _coverage()

# The resource types each check reports on in CloudFormation templates.
CFN_RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    rule_id: tuple(c.resource_type for c in coverage if c.reported) for rule_id, coverage in COVERAGE.items()
}
