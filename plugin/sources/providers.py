"""A provider block as Terraform would select it for a resource (shared by HCL and plan readers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProviderConfig:
    """A provider block as Terraform would select it for a resource, with the path that led there."""

    name: str
    alias: str | None
    attrs: Mapping[str, Any]
    file: str
    line: int
    via: tuple[str, ...]

    @property
    def address(self) -> str:
        return f"{self.name}.{self.alias}" if self.alias else self.name
