"""Values the scan cannot read statically are named and judged as unknown, never as something else."""

from __future__ import annotations

from cn_crossborder.clouds.engine import unreadable_prefixes
from cn_crossborder.domain.endpoints import EXPRESSION_REGION, UNSET_REGION, known_region_endpoint, region_endpoint


def test_a_region_left_as_an_expression_is_not_known_statically() -> None:
    """Checkov leaves a function it cannot evaluate as text: that is no region id to add to the
    policy's ``regions``, but an expression to write statically."""
    for text in ('coalesce(,"eu-frankfurt")', "try(var.x,None)", "aws_vpc.x.region", "resource.aws_vpc.x.region"):
        end = known_region_endpoint("tencentcloud", text, "via region of x")
        assert end.jurisdiction is None, text
        assert end.declare == EXPRESSION_REGION, text
        assert "not known statically" in end.how, text


def test_region_ids_are_still_classified() -> None:
    assert known_region_endpoint("tencentcloud", "ap-shanghai", "via x").is_mainland
    assert known_region_endpoint("azurerm", "China East 2", "via x").is_mainland
    unknown = known_region_endpoint("tencentcloud", "ap-nowhere-9", "via x")
    assert unknown.jurisdiction is None and "regions" in unknown.declare
    assert region_endpoint("tencentcloud", "var.region", "via x").declare == UNSET_REGION


def test_cidr_values_that_are_references_cannot_be_read() -> None:
    """A destination or selector Checkov left as a reference may be 0.0.0.0/0."""
    assert unreadable_prefixes("aws_vpc.frankfurt.cidr_block")
    assert unreadable_prefixes(["10.0.0.0/8", "resource.tencentcloud_vpc.x.cidr_block"])
    assert unreadable_prefixes("tencentcloud_vpc.x[0].cidr_block")
    assert unreadable_prefixes("${cidrsubnet(var.base, 8, 1)}")
    assert unreadable_prefixes("var.cidr")


def test_cidrs_and_service_tags_are_read() -> None:
    assert not unreadable_prefixes(["10.0.0.0/8", "192.168.0.0/16"])
    assert not unreadable_prefixes("10.0.0.0/8,172.16.0.0/12")
    assert not unreadable_prefixes("2001:db8::/32")
    # An Azure route may name a service tag: no reference, no default route.
    assert not unreadable_prefixes("AzureCloud.ChinaEast2")
    assert not unreadable_prefixes("Storage")
