"""CKV_CNX_202: an inventory device in mainland China that the import list catches needs a licence.

Unlike CKV_CNX_201, which reads what a cloud resource or the device catalogue says, this check judges
the facts an inventory declares for every device: its import-list category, where it was made, and
the algorithms it runs against the list's key-length thresholds. Two gaps are treated as caught,
because a compliance gate must not pass what it could not check and the author of the inventory can
close them in one line: a device with no ``algorithms`` (encrypted VPN gateways and cipher machines
commonly run keys above the list's indicative thresholds, which are themselves UNVERIFIED) and a device whose origin
neither the inventory (``made_in``) nor the catalogue gives.
"""

from __future__ import annotations

import os

from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.context import ScanContext
from cn_crossborder.domain.devices import NO_CATEGORY, exceeds_thresholds, import_list
from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import NetworkModel
from cn_crossborder.rules import Rule
from cn_crossborder.rules.cnx_201 import (
    ACQUIRED_HINT,
    LICENCE_TEXT,
    LIST_TEXT,
    declared_acquisition,
    item_name,
    licence_status,
    origin_source,
    with_article,
)
from cn_crossborder.sources.inventory import Device, Inventory
from cn_crossborder.verdicts import FAILED, PASSED, Verdict


def evaluate(model: NetworkModel, res: Resource) -> Verdict | None:
    """Inventory devices only: the gateways of Terraform and templates are CKV_CNX_201's."""
    inventory_item = model.inventory_device(res)
    if inventory_item is not None:
        return evaluate_inventory_device(model.context, *inventory_item)
    return Verdict(PASSED, f"{res.address}: CKV_CNX_202 judges network inventory devices only")


def _origin(context: ScanContext, device: Device) -> tuple[str | None, str]:
    """Where the device was made and on whose word: the inventory, else the policy or catalogue."""
    if device.made_in_source == "inventory" and device.made_in:
        return device.made_in, "made_in in the inventory"
    match = device.match(context.policy.devices)
    if match is not None and match.made_in:
        return match.made_in, origin_source(match)
    return None, "neither the inventory (made_in) nor the device catalogue says where it was made"


def evaluate_inventory_device(context: ScanContext, inventory: Inventory, device: Device) -> Verdict:
    """Every inventory device is reported; those outside the list's scope pass with the reason."""
    subject = f"device {device.id}"
    site = inventory.site_of(device)
    country = site.country if site else None
    where = f"{os.path.basename(device.file)}:{site.line}" if site else os.path.basename(device.file)
    details = [
        f"Device: {device.description} ({device.category}) at site {device.site}: "
        f"{jurisdictions.describe(country)} by the site's declared country ({where})"
    ]

    def passed(why: str) -> Verdict:
        details.append(f"{why}.")
        return Verdict(PASSED, f"{subject}: {why}", details)

    if country != jurisdictions.CN:
        return passed("the device is not in mainland China (out of scope)")
    if device.category == NO_CATEGORY or device.category not in import_list().items:
        return passed("its category is not an item of the import list (out of scope)")
    item = import_list().items[device.category]
    details.append(f"Import-list item: {item.name_en} ({item.name_zh}).")
    match = device.match(context.policy.devices)
    if device.mass_consumer:
        return passed(
            "declared a mass-consumer product (mass_consumer: true), exempt from import "
            f"licensing: {import_list().exemption}"
        )
    if match is not None and match.mass_consumer:
        return passed(
            "declared a mass-consumer product by the policy's devices: entry, exempt from "
            f"import licensing: {import_list().exemption}"
        )
    declared = declared_acquisition(match)
    if declared:
        return passed(declared)
    caught: list[str] = []
    made_in, how = _origin(context, device)
    if made_in == jurisdictions.CN:
        return passed(f"made in mainland China ({how}), so no import licence is needed")
    if made_in is None:
        caught.append(f"its origin is unknown ({how}); declare made_in to settle it")
    else:
        details.append(f"Made in: {jurisdictions.describe(made_in)} ({how}).")
    indicator = (
        ""
        if item.thresholds_verified
        else (
            " (UNVERIFIED: these key lengths are read from a secondary source for encrypted telephones "
            "and serve only as an indicator)"
        )
    )
    limits = ", ".join(f"{kind.replace('_', '-')} {bits} bits" for kind, bits in item.thresholds.items())
    if not device.algorithms:
        caught.append(
            f"the thresholds ({limits}) could not be checked: no algorithms are listed, and devices of "
            "this kind run keys above them as a rule"
        )
    else:
        over, reasons = exceeds_thresholds(item, device.algorithms)
        if not over:
            return passed(f"no listed algorithm reaches the import list's thresholds ({limits}){indicator}")
        details.append(f"Cryptography at or above the thresholds{indicator}: {'; '.join(reasons)}.")
    spellings = [(device.vendor, device.model)]
    if match is not None:
        spellings.append((match.vendor, match.model or device.model))
    licensed, lines = licence_status(context, device.licence, spellings)
    details += [f"Licence: {line}." for line in lines]
    if licensed:
        return Verdict(PASSED, f"{subject}: {lines[-1]}", details)
    origin = f"made in {jurisdictions.describe(made_in)}" if made_in else "of unknown origin"
    why = (
        f"{subject} ({device.description}) is {with_article(item_name(device.category))} in mainland China, "
        f"{origin}, that the commercial encryption import licence list catches, and neither the inventory "
        "nor the policy records the import licence it entered under or that it was acquired in a way "
        "that needs none: " + "; ".join([*caught, *lines, ACQUIRED_HINT])
    )
    details.append(f"{why}.")
    return Verdict(FAILED, why, details)


EXPLAIN = f"""\
{LIST_TEXT}

Why a device is on it: the inventory says what each device is (category), where it stands (its
  site's country) and what it runs (algorithms, with key lengths); where it was made comes from
  made_in, else the device catalogue (cn_crossborder/data/devices.yaml, or the policy's `devices:`
  entries, which take precedence). A device with no algorithms listed, or whose origin nobody gives,
  is treated as caught until the inventory says otherwise. See docs/inventory.md.

{LICENCE_TEXT}"""


RULE = Rule(
    id="CKV_CNX_202",
    title="Inventory device on the import list must have been lawfully imported (importer's licence)",
    severity="HIGH",
    category="ENCRYPTION",
    protects=(
        "Encrypted telephones, encrypted fax machines, cipher machines (including cipher cards and HSMs) "
        "and encrypted VPN devices are items of the commercial encryption import licence list: importing "
        "one whose cryptography reaches the list's thresholds needs a MOFCOM import licence, which the "
        "importer holds, unless it is a mass-consumer product. Network inventories describe the equipment "
        "in offices and data centres that no cloud configuration shows."
    ),
    fails_when=(
        "a device of a network inventory at a site in mainland China falls in an import-list category "
        "(encrypted telephone, encrypted fax, cipher machine or card, encrypted VPN device), was made "
        "outside mainland China (by its made_in, else the device catalogue; an unknown origin counts), "
        "uses cryptography at or above the list's indicative thresholds (a device listing no algorithms "
        "counts), and neither the inventory nor the policy records the import licence it entered under "
        "(its licence naming one of the policy's licences, a licence covering its vendor and model, or a "
        "devices entry with acquired: imported-under-licence), nor that it was bought in mainland China "
        "from a licensed importer, made there, or is a mass-consumer product"
    ),
    legal=("encryption-28", "ccr-31-34", "announcement-63"),
    remediation=(
        "Record the import licence the device entered under (yours, or your distributor's as importer) "
        "under `licences:` in .cn-crossborder.yaml and name it on the device (`licence: <id>`), or declare "
        "how it was acquired with a policy `devices:` entry (`acquired: bought-in-mainland` or "
        "`made-in-mainland` with `source:`, `imported-under-licence` with `licence:`). Declare what the "
        "inventory leaves open: `made_in` for the origin, `algorithms` (name, kind, key_bits) when the "
        "device runs only keys below the thresholds, `mass_consumer: true` for a mass-consumer product."
    ),
    evaluate=evaluate,
    explain_extra=EXPLAIN,
)
