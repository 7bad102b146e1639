"""What the Terraform reader adds to Checkov's graph, on small in-memory values (no Checkov):
``optional()`` defaults of object variables, instances of blocks repeated over other resources'
instances, and the root module a module instance belongs to."""

from __future__ import annotations

import itertools
from typing import Any

from cn_crossborder.domain.resource import Resource, is_resolved
from cn_crossborder.sources.dynamic import BlockSource, expand_block
from cn_crossborder.sources.instances import expand_instances
from cn_crossborder.sources.optional import apply_optional_defaults, object_fields, optional_default
from cn_crossborder.sources.terraform import TerraformConfig
from cn_crossborder.verdicts import FAILED, PASSED, Verdict, judge_instances

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


def _resource(index: int, rtype: str, address: str, attrs: dict[str, Any]) -> Resource:
    return Resource(index, rtype, address, "/t/main.tf", 1, 2, attrs, ("root", "/t"))


def _config(*resources: Resource) -> TerraformConfig:
    config = TerraformConfig()
    for res in resources:
        config.resources.append(res)
        config.by_address[res.address].append(res)
    return config


def test_a_block_over_another_resources_instances_stands_for_one_instance_each() -> None:
    sha = _resource(
        0, "aws_customer_gateway", 'aws_customer_gateway.office["sha"]', {"ip_address": ["116.228.111.118"]}
    )
    fra = _resource(1, "aws_customer_gateway", 'aws_customer_gateway.office["fra"]', {"ip_address": ["85.214.10.1"]})
    conn = _resource(
        2,
        "aws_vpn_connection",
        "aws_vpn_connection.per_office",
        {
            "for_each": ["aws_customer_gateway.office"],
            "customer_gateway_id": ["each.value.id"],
            "tunnel_ip": ["each.value.ip_address"],
        },
    )
    conn.refs["for_each"] = [fra]  # Checkov's one edge, to the first instance
    config = _config(sha, fra, conn)
    created = expand_instances(config.resources, config.by_address, {}, itertools.count(10))
    assert [c.address for c in conn.instances] == [
        'aws_vpn_connection.per_office["fra"]',
        'aws_vpn_connection.per_office["sha"]',
    ]
    assert created == conn.instances
    by_key = {c.address: c for c in created}
    sha_conn = by_key['aws_vpn_connection.per_office["sha"]']
    assert sha_conn.ref("customer_gateway_id") is sha
    assert sha_conn.attrs["customer_gateway_id"] == ['aws_customer_gateway.office["sha"].id']
    assert sha_conn.attrs["tunnel_ip"] == ["116.228.111.118"]
    assert "for_each" not in sha_conn.attrs and sha_conn.instance_of is conn


def test_count_over_the_length_of_a_resource() -> None:
    gws = [
        _resource(i, "aws_customer_gateway", f"aws_customer_gateway.g[{i}]", {"ip_address": [ip]})
        for i, ip in enumerate(["116.228.111.118", "85.214.10.1"])
    ]
    conn = _resource(
        5,
        "aws_vpn_connection",
        "aws_vpn_connection.c",
        {
            "count": ["length(aws_customer_gateway.g)"],
            "customer_gateway_id": ["aws_customer_gateway.g[count.index].id"],
        },
    )
    conn.refs["customer_gateway_id"] = [gws[0]]
    config = _config(*gws, conn)
    expand_instances(config.resources, config.by_address, {}, itertools.count(10))
    assert [(c.address, c.ref("customer_gateway_id")) for c in conn.instances] == [
        ("aws_vpn_connection.c[0]", gws[0]),
        ("aws_vpn_connection.c[1]", gws[1]),
    ]


def test_a_repetition_that_cannot_be_listed_keeps_no_edge_to_one_instance() -> None:
    gw = _resource(0, "aws_customer_gateway", 'aws_customer_gateway.office["sha"]', {})
    conn = _resource(
        1,
        "aws_vpn_connection",
        "aws_vpn_connection.unlisted",
        {"for_each": [{}], "customer_gateway_id": ["aws_customer_gateway.office[each.key].id"]},
    )
    conn.refs["customer_gateway_id"] = [gw]
    config = _config(gw, conn)
    assert expand_instances(config.resources, config.by_address, {}, itertools.count(10)) == []
    assert conn.ref("customer_gateway_id") is None and not conn.instances


def test_a_block_fails_when_any_instance_fails_and_names_it() -> None:
    verdict = judge_instances(
        "x.y",
        [('x.y["a"]', Verdict(PASSED, "fine")), ('x.y["b"]', Verdict(FAILED, "crosses")), ('x.y["c"]', None)],
    )
    assert verdict is not None and verdict.result == FAILED
    assert verdict.reason == 'x.y["b"]: crosses'
    assert verdict.details[0] == 'x.y stands for 2 instance(s), each judged: x.y["a"], x.y["b"].'
    assert judge_instances("x.y", [('x.y["a"]', None)]) is None


def test_a_module_instance_belongs_to_the_root_that_calls_it() -> None:
    config = TerraformConfig()
    inner = ("module", "/r/a/main.tf", "outer", None, None)
    nested = ("module", "/r/m/main.tf", "inner", None, inner)
    config.module_calls[inner] = ({}, ("root", "/r/a"))
    config.module_calls[nested] = ({}, inner)
    assert config.root_of(nested) == ("root", "/r/a")
    assert config.root_of(("root", "/r/b")) == ("root", "/r/b")


def test_module_sources_are_looked_at_once_however_many_checks_ask(tmp_path: Any, monkeypatch: Any) -> None:
    import os

    from cn_crossborder.sources import terraform

    config = TerraformConfig()
    for i in range(3):
        attrs = {"source": [f"./m{i}"], "__resolved__": [], "file_path_": str(tmp_path / "main.tf")}
        attrs |= {"block_name_": f"m{i}", "__start_line__": i + 1}
        config.module_calls[("module", str(tmp_path / "main.tf"), f"m{i}", None, None)] = (attrs, ("root", "/"))
    looked: list[str] = []
    scandir = os.scandir
    monkeypatch.setattr(terraform.os, "scandir", lambda d: looked.append(d) or scandir(d))
    for _ in range(5):
        for i in range(3):
            found = config.unread_module_at("main.tf", f"m{i}")
            assert found is not None and "does not exist" in found.why
    assert len(looked) == 3


# --- dynamic blocks -----------------------------------------------------------------------------------


def _never_unset(_: str) -> bool:
    return False


def _dynamic(content: dict[str, Any], for_each: Any, iterator: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"content": content, "for_each": for_each}
    if iterator:
        spec["iterator"] = iterator
    return {"dynamic": {"route": spec}}


def test_a_dynamic_block_over_a_list_gives_one_block_per_element() -> None:
    attrs = _dynamic({"cidr_block": "route.value", "gateway_id": "vgw"}, ["0.0.0.0/0", "10.0.0.0/8"])
    assert expand_block(attrs, BlockSource({}), _never_unset)["route"] == [
        {"cidr_block": "0.0.0.0/0", "gateway_id": "vgw"},
        {"cidr_block": "10.0.0.0/8", "gateway_id": "vgw"},
    ]


def test_a_dynamic_block_reads_keys_fields_iterators_and_lookups() -> None:
    exits = {"internet": {"cidr": "0.0.0.0/0"}, "corp": {"cidr": "10.0.0.0/8"}}
    fields = _dynamic({"cidr_block": "${r.value.cidr}", "name": "r.key"}, exits, iterator="r")
    assert [b["cidr_block"] for b in expand_block(fields, None, _never_unset)["route"]] == ["0.0.0.0/0", "10.0.0.0/8"]
    assert [b["name"] for b in expand_block(fields, None, _never_unset)["route"]] == ["internet", "corp"]
    looked = _dynamic({"cidr_block": 'lookup(route.value,"cidr",None)', "x": 'lookup(route.value,"y","d")'}, exits)
    assert expand_block(looked, None, _never_unset)["route"][0] == {"cidr_block": "0.0.0.0/0", "x": "d"}


def test_static_blocks_beside_dynamic_ones_are_kept_with_their_rendered_values() -> None:
    # Checkov kept the static block, rendered, and appended the dynamic template.
    attrs = {
        **_dynamic({"cidr_block": "route.value"}, ["10.0.0.0/8"]),
        "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "vgw-1"}, {"cidr_block": "route.value"}],
    }
    source = BlockSource({"route": [{"cidr_block": ["0.0.0.0/0"], "gateway_id": ["${var.gw}"]}]})
    assert expand_block(attrs, source, _never_unset)["route"] == [
        {"cidr_block": "0.0.0.0/0", "gateway_id": "vgw-1"},
        {"cidr_block": "10.0.0.0/8"},
    ]
    # Checkov dropped the static block: it comes back from the source as written.
    dropped = {**attrs, "route": [{"cidr_block": "10.0.0.0/8"}]}
    assert expand_block(dropped, source, _never_unset)["route"][0] == {
        "cidr_block": "0.0.0.0/0",
        "gateway_id": "${var.gw}",
    }


def test_a_collection_that_cannot_be_listed_leaves_the_iterator_not_known_statically() -> None:
    unlisted = _dynamic({"cidr_block": "route.value", "gateway_id": "vgw"}, "var.routes")
    expected = [{"cidr_block": "${route.value}", "gateway_id": "vgw"}]
    assert expand_block(unlisted, None, _never_unset)["route"] == expected
    # An unset variable arrives rendered as an empty list: not "no element" when the source names it.
    empty = _dynamic({"cidr_block": "route.value"}, [])
    source = BlockSource({"dynamic": [{"route": {"for_each": ["${var.routes}"], "content": [{}]}}]})
    assert expand_block(empty, source, lambda text: "var.routes" in text)["route"] == [{"cidr_block": "${route.value}"}]
    assert expand_block(empty, source, _never_unset)["route"] == []
    # Without the for_each as written (a nested dynamic block, a source that cannot be parsed), an
    # empty collection cannot be told from such a variable: not read as "no element" either.
    assert expand_block(empty, None, _never_unset)["route"] == [{"cidr_block": "${route.value}"}]


def test_a_one_element_list_rendered_as_its_element_is_one_block() -> None:
    # for_each = each.value.links with one link: Checkov hands the link object, not a list of it.
    link = {"name": "dt", "ip": "85.214.10.1"}
    attrs = {"dynamic": {"link": {"content": {"ip_address": "link.value.ip"}, "for_each": link}}}
    assert expand_block(attrs, None, _never_unset)["link"] == [{"ip_address": "85.214.10.1"}]
    # A map of such objects is iterated.
    links = {"dt": link, "vf": {"name": "vf", "ip": "85.214.10.2"}}
    attrs = {"dynamic": {"link": {"content": {"ip_address": "link.value.ip"}, "for_each": links}}}
    assert [b["ip_address"] for b in expand_block(attrs, None, _never_unset)["link"]] == ["85.214.10.1", "85.214.10.2"]


def test_an_iterator_inside_a_reference_is_replaced_by_the_element() -> None:
    content = {
        "customer_gateway_id": "alicloud_vpn_customer_gateway.gw[tunnel.value.cgw].id",
        "note": "t ${tunnel.key}",
    }
    attrs = {"dynamic": {"tunnel": {"content": content, "for_each": [{"cgw": "master"}, {"cgw": {"x": 1}}]}}}
    blocks = expand_block(attrs, None, _never_unset)["tunnel"]
    assert blocks[0] == {"customer_gateway_id": 'alicloud_vpn_customer_gateway.gw["master"].id', "note": "t 0"}
    # Not a scalar: the reference stays written with the iterator, not known statically.
    assert blocks[1]["customer_gateway_id"] == "${alicloud_vpn_customer_gateway.gw[tunnel.value.cgw].id}"


def test_a_function_call_left_as_text_is_not_a_value() -> None:
    assert not is_resolved("cidrsubnet(0.0.0.0/0,0,0)")
    assert not is_resolved("values({'a': '0.0.0.0/0'})[0]")
    assert not is_resolved('lookup({"cn": "cn-north-1"},cn,"eu-west-1")')
    assert is_resolved("10.0.0.0/8") and is_resolved("Cisco ASA 5525-X (primary)")


def test_a_block_whose_source_two_steps_need_is_read_from_its_file_once(tmp_path: Any, monkeypatch: Any) -> None:
    import builtins

    import networkx as nx
    from cn_crossborder.sources import terraform

    main = tmp_path / "main.tf"
    main.write_text(
        'resource "aws_vpn_connection" "v" {\n'
        '  tags = { Name = "v" }\n'
        '  dynamic "tunnel" {\n'
        "    for_each = []\n"
        "    content {}\n"
        "  }\n"
        "}\n"
    )
    attrs = {
        "block_type_": "resource",
        "resource_type": "aws_vpn_connection",
        "block_name_": "aws_vpn_connection.v",
        "__address__": "aws_vpn_connection.v",
        "file_path_": str(main),
        "__start_line__": 1,
        "__end_line__": 7,
        "tags": [{"Name": "v"}],
        "dynamic": [{"tunnel": {"for_each": [], "content": {}}}],
    }
    graph = nx.DiGraph()
    graph.add_node(0, attr=attrs)
    opened: list[str] = []
    real_open = builtins.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(terraform, "open", counting_open, raising=False)
    terraform.read_config(graph)
    assert opened == [str(main)]


def test_a_block_is_found_by_its_address_whatever_its_instance_keys_hold() -> None:
    res = _resource(0, "aws_vpn_connection", 'module.m["a]b"].aws_vpn_connection.v["x]y"]', {})
    config = _config(res)
    assert config.block_at("/t/main.tf", 1, "aws_vpn_connection", "v") == [res]


def test_a_json_file_is_parsed_once_however_many_of_its_blocks_are_read(tmp_path: Any, monkeypatch: Any) -> None:
    import json

    import networkx as nx
    from cn_crossborder.sources import terraform

    main = tmp_path / "main.tf.json"
    body = {"dynamic": {"tunnel": {"for_each": "${[]}", "content": {}}}}
    main.write_text(json.dumps({"resource": {"aws_vpn_connection": {"a": body, "b": body}}}))
    graph = nx.DiGraph()
    for idx, name in enumerate("ab"):
        attrs = {
            "block_type_": "resource",
            "resource_type": "aws_vpn_connection",
            "block_name_": f"aws_vpn_connection.{name}",
            "__address__": f"aws_vpn_connection.{name}",
            "file_path_": str(main),
            "__start_line__": 1,
            "__end_line__": 1,
            "dynamic": [{"tunnel": {"for_each": [], "content": {}}}],
        }
        graph.add_node(idx, attr=attrs)
    parsed: list[str] = []
    loads = json.loads
    monkeypatch.setattr(terraform.json, "loads", lambda text: parsed.append(text) or loads(text))
    terraform.read_config(graph)
    assert len(parsed) == 1
