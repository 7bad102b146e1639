"""What the Terraform reader adds to Checkov's graph, on small in-memory values (no Checkov):
``optional()`` defaults of object variables, and the root module a module instance belongs to."""

from __future__ import annotations

from typing import Any

from cn_crossborder.sources.optional import apply_optional_defaults, object_fields, optional_default
from cn_crossborder.sources.terraform import TerraformConfig

# How Checkov writes `object({ region = optional(string, "cn-north-1"), name = optional(string), cidr = string })`.
NET_TYPE = [
    "${object({'region': '${optional(string,\"cn-north-1\")}', 'name': '${optional(string)}', 'cidr': '${string}'})}"
]


def test_object_fields_and_optional_defaults() -> None:
    fields = object_fields(NET_TYPE)
    assert fields is not None and set(fields) == {"region", "name", "cidr"}
    assert optional_default(fields["region"]) == "cn-north-1"
    assert optional_default("${optional(number,3)}") == 3
    assert optional_default("${optional(bool,true)}") is True
    missing = optional_default(fields["name"])
    assert missing is optional_default(fields["cidr"])  # no default: the same marker
    assert object_fields(["${map(string)}"]) is None


def _apply(attrs: dict[str, Any], source: str, value: Any) -> dict[str, Any] | None:
    return apply_optional_defaults(
        attrs, lambda: source.splitlines(), lambda name: (value, NET_TYPE) if name == "net" else None
    )


def test_a_whole_object_rendered_for_a_field_takes_the_optional_default() -> None:
    value = {"cidr": "10.0.0.0/16"}
    assert _apply({"region": [value]}, 'provider "aws" {\n  region = var.net.region\n}', value) == {
        "region": ["cn-north-1"]
    }


def test_an_optional_field_without_default_stays_unknown_and_named() -> None:
    value = {"cidr": "10.0.0.0/16"}
    assert _apply({"name": [value]}, "  name = var.net.name", value) == {"name": ["var.net.name"]}


def test_a_field_that_is_itself_a_map_is_left_as_rendered() -> None:
    tags = {"Name": "x"}  # not the variable's whole value
    assert _apply({"tags": [tags]}, "  tags = var.net.tags", {"cidr": "10.0.0.0/16", "tags": tags}) is None


def test_a_module_instance_belongs_to_the_root_that_calls_it() -> None:
    config = TerraformConfig()
    inner = ("module", "/r/a/main.tf", "outer", None, None)
    nested = ("module", "/r/m/main.tf", "inner", None, inner)
    config.module_calls[inner] = ({}, ("root", "/r/a"))
    config.module_calls[nested] = ({}, inner)
    assert config.root_of(nested) == ("root", "/r/a")
    assert config.root_of(("root", "/r/b")) == ("root", "/r/b")
