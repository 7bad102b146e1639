"""The only package that knows Checkov: check classes per framework registered from the rules, the
in-process runner, and every adaptation of Checkov internals (``internals``)."""
