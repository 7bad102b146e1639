"""tencentcloud: links and general exits of this cloud (filled in per resource family)."""

from __future__ import annotations

from cn_crossborder.model import NetworkModel


def add_links(model: NetworkModel) -> None:
    """Add this cloud's links to the model."""


def add_exits(model: NetworkModel) -> None:
    """Add this cloud's general exits (default routes, all-traffic selectors) to the model."""
