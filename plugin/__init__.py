"""cn-crossborder: Checkov checks for China cross-border networking and encryption-import rules."""

__version__ = "0.2.0"
