"""The network model of one configuration, built once from every cloud's resources and cached.

Checkov hands each check the graph it is running on; the first check to ask builds the model of
that graph and every later check of the run reuses it, so a scan grows linearly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cn_crossborder import clouds
from cn_crossborder.clouds.inventory import build_link_model
from cn_crossborder.domain.context import AS_OF_ENV, ScanContext, context_for
from cn_crossborder.domain.policy import POLICY_ENV
from cn_crossborder.domain.regions import declared_regions
from cn_crossborder.domain.resource import Resource
from cn_crossborder.domain.yamlsrc import InputError, Problem
from cn_crossborder.model import NetworkModel
from cn_crossborder.sources.cloudformation import read_template, template_region
from cn_crossborder.sources.inventory import Inventory, load_inventory
from cn_crossborder.sources.terraform import TerraformConfig, read_config


def build_model(config: TerraformConfig, context: ScanContext) -> NetworkModel:
    config.environ = dict(os.environ)
    config.default_regions = dict(context.policy.default_regions)
    model = NetworkModel(config, context)
    with declared_regions(context.policy.regions):  # the policy's `regions` win over the catalogue
        clouds.add_links(model)
        clouds.add_exits(model)
    return model


def _graph_key(graph: Any) -> tuple[Any, ...]:
    """The graph object and its size: Checkov refills the same graph object when it runs twice in
    one process, so identity alone would hand a second run the first run's model."""
    nodes = graph.num_nodes() if hasattr(graph, "num_nodes") else graph.number_of_nodes()
    edges = graph.num_edges() if hasattr(graph, "num_edges") else graph.number_of_edges()
    return (id(graph), nodes, edges, os.environ.get(POLICY_ENV), os.environ.get(AS_OF_ENV))


class _Cache:
    """The model of the graph Checkov is running on, keyed by the graph, its size and the policy."""

    def __init__(self, size: int = 4):
        self._entries: list[tuple[Any, tuple[Any, ...], NetworkModel]] = []
        self._size = size
        self._lock = threading.Lock()

    def get(self, graph: Any) -> NetworkModel:
        key = _graph_key(graph)
        with self._lock:
            for cached_graph, cached_key, model in self._entries:
                if cached_graph is graph and cached_key == key:
                    return model
            config = read_config(graph)
            model = build_model(config, context_for(config.files))
            self._entries.append((graph, key, model))
            del self._entries[: -self._size]
            return model

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _Cache()


class _TreeModels:
    """Models of whole trees read by cn-crossborder itself (Terraform JSON, which Checkov's graph
    leaves out), by tree, its inputs and the policy and date in force."""

    def __init__(self) -> None:
        self._entries: dict[tuple[Any, ...], NetworkModel] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], graph: Callable[[], Any]) -> NetworkModel:
        full = (*key, os.environ.get(POLICY_ENV), os.environ.get(AS_OF_ENV))
        with self._lock:
            model = self._entries.get(full)
            if model is None:
                config = read_config(graph())
                model = build_model(config, context_for(config.files))
                self._entries[full] = model
            return model

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_trees = _TreeModels()


def forget() -> None:
    """Drop every cached model: a new Checkov run in this process starts from its own inputs."""
    _cache.clear()
    _trees.clear()


def model_for(graph: Any) -> NetworkModel:
    return _cache.get(graph)


def tree_model(key: tuple[Any, ...], graph: Callable[[], Any]) -> NetworkModel:
    """The model of the tree ``key`` names, its graph built by ``graph()`` once per run."""
    return _trees.get(key, graph)


TemplateLoader = Callable[[str], "Mapping[str, Any] | None"]


class _TemplateModels:
    """Models by template path, modification time, size and the environment they were built for."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[Any, ...], NetworkModel | None]] = {}
        self._lock = threading.Lock()

    def get(self, path: str, load: TemplateLoader, environ: Mapping[str, str]) -> NetworkModel | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        env = tuple(sorted((k, v) for k, v in environ.items() if k.startswith("CN_CROSSBORDER_")))
        stamp = (stat.st_mtime_ns, stat.st_size, env, environ.get(AS_OF_ENV))
        with self._lock:
            cached = self._entries.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            template = load(path)
            model = None
            if template is not None:
                region, how = template_region(template, path, environ)
                config = read_template(path, template, region, how)
                model = build_model(config, context_for(config.files, environ))
            self._entries[path] = (stamp, model)
            return model


_templates = _TemplateModels()


def template_model(path: str, load: TemplateLoader, environ: Mapping[str, str] = os.environ) -> NetworkModel | None:
    """The network model of the CloudFormation template at ``path`` (None if it cannot be read)."""
    return _templates.get(path, load, environ)


@dataclass
class Loaded:
    """One inventory file, loaded once: its items and models, or every problem with it."""

    path: str
    inventory: Inventory | None
    problems: list[Problem]
    context: ScanContext | None = None
    model: NetworkModel | None = None
    item_resources: dict[str, Resource] = field(default_factory=dict)  # by ``links.<id>``, ``devices.<id>``


_inventory_lock = threading.Lock()
_inventories: dict[tuple[Any, ...], Loaded] = {}


def inventory_model(path: str) -> Loaded:
    """The inventory at ``path`` with its policy context and link model (cached per file version)."""
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    key = (
        os.path.abspath(path),
        stat.st_mtime_ns if stat else None,
        os.environ.get(POLICY_ENV),
        os.environ.get(AS_OF_ENV),
    )
    with _inventory_lock:
        cached = _inventories.get(key)
        if cached is not None:
            return cached
    try:
        inventory = load_inventory(path)
    except InputError as exc:
        loaded = Loaded(path, None, list(exc.problems))
    else:
        context = context_for([os.path.abspath(path)])
        loaded = Loaded(path, inventory, [], context)
        with declared_regions(context.policy.regions):
            loaded.model, loaded.item_resources = build_link_model(inventory, context)
    with _inventory_lock:
        _inventories[key] = loaded
    return loaded
