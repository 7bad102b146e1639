"""Checkov check modules of cn-crossborder; point ``--external-checks-dir`` here.

Checkov executes each file here as a top-level module named by its file stem, once per framework
runner, so every module is a two-line registration and stems carry the ``cnx_`` prefix.
"""
