"""Checkov check modules of cn-crossborder; point ``--external-checks-dir`` here.

Checkov executes each file here as a top-level module named by its file stem, once per framework
runner. Each module is generated from its rule (``python docs/generate.py``), is named after the
rule id, and registers the rule's checks for every framework it covers.
"""
