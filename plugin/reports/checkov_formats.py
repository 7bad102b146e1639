"""Checkov's own ``cli``, ``json`` and ``junitxml`` output, rendered again from reports we changed.

Checkov prints while it runs; when a baseline sets known findings aside after the run, the printed
text is out of date. This renders the same formats the way Checkov's runner registry does (one
JSON object for one report, a list for several, the bare summary for none), from the same
``Report`` methods, so tools that read Checkov's output read this too.
"""

from __future__ import annotations

import json
import re
from typing import Any

_ANSI = re.compile(r"(?:\x1B[@-_]|[\x80-\x9F])[0-9:;<=>?]*[ -/]*[@-~]")


def render_checkov_format(reports: list[Any], fmt: str) -> str:
    from checkov.common.output.report import Report  # loaded only when a scan ran
    from checkov.common.util.json_utils import CustomJSONEncoder

    shown = [rep for rep in reports if not rep.is_empty()]
    if fmt == "json":
        dicts = [rep.get_dict(is_quiet=False) for rep in shown]
        data: Any = dicts[0] if len(dicts) == 1 else (dicts or Report("").get_summary())
        return json.dumps(data, indent=4, cls=CustomJSONEncoder) + "\n"
    if fmt == "junitxml":
        return Report.get_junit_xml_string([rep.get_test_suite() for rep in shown]) + "\n"
    if fmt == "cli":
        return _ANSI.sub("", "".join(rep.print_console() for rep in shown))
    raise ValueError(f"no Checkov format {fmt!r}")
