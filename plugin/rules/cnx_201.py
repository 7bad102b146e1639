"""CKV_CNX_201: a foreign-made encrypted VPN device in mainland China needs an import licence.

Judged on the peer-gateway resources of every cloud (the device named by ``device_name``, a
descriptive attribute or the ``cn-crossborder:device`` tag, standing where its address is) and on
the VPN devices of network inventories. The device catalogue says who made a device and whether it
is an encrypted VPN device or a cipher machine; the policy's ``licences:`` say which imports are
licensed. A device whose location is unknown follows the policy's ``unknown_location`` (it cannot be
shown to be outside the mainland, so by default it is judged as if it stood there); a device at such a
site that cannot be identified fails unless the policy says ``unknown_device: pass``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from cn_crossborder.clouds.devices import device_location, device_text, is_candidate
from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.context import ScanContext
from cn_crossborder.domain.devices import CIPHER_MACHINE, POLICY, VPN_DEVICE, DeviceMatch, import_list
from cn_crossborder.domain.endpoints import DEVICE_TAG, LOCATION_TAG, Endpoint
from cn_crossborder.domain.policy import Licence
from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import NetworkModel
from cn_crossborder.rules import Rule
from cn_crossborder.sources.inventory import Device, Inventory
from cn_crossborder.verdicts import FAILED, PASSED, Verdict

LISTED = (VPN_DEVICE, CIPHER_MACHINE)


# ---------------------------------------------------------------------------------------- licences


def licence_status(
    context: ScanContext, named: str | None, devices: Sequence[tuple[str | None, str | None]]
) -> tuple[bool, list[str]]:
    """Whether a valid licence of the policy covers the device, with one line per licence considered.

    ``named`` is a licence id the inventory gives for the device; ``devices`` are the (vendor,
    model) spellings the device is known by (as written, and as the catalogue names it). A licence
    is valid when it covers the vendor (and, if it lists models, the model) and has not expired on
    the evaluation date.
    """
    policy, as_of = context.policy, context.as_of
    lines: list[str] = []

    def covers(lic: Licence) -> bool:
        return any(lic.covers(vendor, model) for vendor, model in devices)

    def scope(lic: Licence, expiry: bool = True) -> str:
        models = ", ".join(lic.models) if lic.models else "all models"
        until = f", expires {lic.expires.isoformat()}" if lic.expires and expiry else ""
        return f"{lic.vendor} ({models}{until})"

    if named:
        lic = next((x for x in policy.licences if x.id == named), None)
        if lic is None:
            where = policy.path or "the embedded default policy"
            lines.append(f"names licence {named!r}, which the policy's licences do not list ({where})")
        elif not covers(lic):
            lines.append(f"names licence {named}, which covers {scope(lic)}, not this device")
        elif not lic.active(as_of):
            lines.append(f"licence {named} for {scope(lic, False)} expired on {lic.expires}")
        else:
            return True, [f"covered by licence {named} for {scope(lic)}"]
    for lic in policy.licences:
        if lic.id == named or not covers(lic):
            continue
        if lic.active(as_of):
            return True, [*lines, f"covered by licence {lic.id} for {scope(lic)}"]
        lines.append(f"licence {lic.id} for {scope(lic, False)} expired on {lic.expires}")
    if not lines:
        shown = " / ".join(dict.fromkeys(f"{v} {m}".strip() for v, m in devices if v))
        lines.append(f"no licence in the policy covers {shown or 'this device'}")
    return False, lines


# ---------------------------------------------------------------------------------- acquisition

ACQUIRED_HINT = (
    "record the reference of the import licence the units entered under (yours, or your distributor's "
    "as importer) with a devices: entry (acquired: imported-under-licence, licence: ...) or under "
    "licences:, or declare with a devices: entry that they were bought in mainland China from a "
    "licensed importer (acquired: bought-in-mainland, source: ...), made there (acquired: "
    "made-in-mainland, source: ...) or are a mass-consumer product (acquired: mass-consumer)"
)


def declared_acquisition(match: DeviceMatch | None) -> str | None:
    """Why a policy ``devices:`` entry's ``acquired`` says the units need no licence of the user's.

    The licence belongs to the import and the importer: a unit imported under a licence (the user's
    or a distributor's), bought in the mainland from a licensed importer, made in the mainland, or a
    mass-consumer product, is lawfully there without a licence in the user's name. None when the
    entry declares nothing (or the device was recognised by the catalogue, which cannot know).
    """
    if match is None or match.origin != POLICY:
        return None
    evidence = f"{match.evidence}; " if match.evidence else ""
    if match.acquired == "imported-under-licence":
        return f"declared imported under licence {match.evidence} (policy devices: entry; the importer's licence)"
    if match.acquired == "bought-in-mainland":
        return (
            f"declared bought in mainland China from a licensed importer ({evidence}policy devices: entry), "
            "so the import licence is the importer's"
        )
    if match.acquired == "made-in-mainland":
        return f"declared made in mainland China ({evidence}policy devices: entry), so it was not imported"
    if match.acquired == "mass-consumer":
        return (
            "declared a mass-consumer product (policy devices: entry), exempt from import licensing: "
            f"{import_list().exemption}"
        )
    return None


# ------------------------------------------------------------------------------------------ verdict


def item_name(category: str) -> str:
    """``Encrypted VPN device`` -> ``encrypted VPN device``; categories off the list are named so."""
    item = import_list().items.get(category)
    return item.name_en[0].lower() + item.name_en[1:] if item else "not an import-list item"


def with_article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def origin_source(match: DeviceMatch) -> str:
    """Whose word the device's origin is: ``device catalogue: general knowledge — UNVERIFIED``."""
    entry = "policy devices: entry" if match.origin == "policy" else "device catalogue"
    trust = "" if match.verified or "UNVERIFIED" in match.source else " (UNVERIFIED)"
    return f"{entry}: {match.source}{trust}"


def describe_match(match: DeviceMatch, origin_note: str | None = None) -> str:
    """``Cisco ASA 5525-X: encrypted VPN device, made in US (device catalogue: ...)``."""
    name = f"{match.vendor} {match.model}".strip()
    origin = jurisdictions.describe(match.made_in or None)
    return f"{name}: {item_name(match.category)}, made in {origin} ({origin_note or origin_source(match)})"


def _declare_location(location: Endpoint) -> str:
    return location.declare or f"declare it with the {LOCATION_TAG} tag or a `locations` entry of the policy"


def location_out_of_scope(context: ScanContext, subject: str, location: Endpoint) -> Verdict | None:
    """A PASSED verdict when the device is not to be judged: outside the mainland, or its location is
    unknown and the policy says ``unknown_location: pass``. An unknown location is otherwise judged as
    mainland: it cannot be shown to be outside (no silent pass)."""
    if location.is_mainland:
        return None
    if location.jurisdiction is not None:
        return Verdict(PASSED, f"{subject}: the device is not in mainland China (out of scope)")
    if context.policy.unknown_location == "pass":
        return Verdict(
            PASSED, f"{subject}: the device's location is unknown and the policy says unknown_location: pass"
        )
    return None


def unidentified(context: ScanContext, subject: str, location: Endpoint, what: str, details: list[str]) -> Verdict:
    """A device at a mainland (or unknown) site that cannot be identified fails unless ``unknown_device: pass``."""
    declare = f"tag it {DEVICE_TAG} with the vendor and model, or add a `devices` entry to the policy"
    where = "at a mainland site" if location.is_mainland else "at a site not shown to be outside mainland China"
    if location.jurisdiction is None:
        where += f" ({_declare_location(location)})"
    if context.policy.unknown_device == "pass":
        why = f"{subject}: {what}; the VPN device {where} is not identified and the policy says unknown_device: pass"
        details.append(why + ".")
        return Verdict(PASSED, why, details)
    why = (
        f"{subject}: {what}, so the VPN device {where} cannot be shown not to need an import licence "
        f"(unknown_device: fail); {declare}"
    )
    details.append(why + ".")
    return Verdict(FAILED, why, details)


def judge_device(
    context: ScanContext,
    *,
    subject: str,
    location: Endpoint,
    match: DeviceMatch | None,
    named_by: str,
    mass_consumer: str | None,
    licence: str | None,
    origin_note: str | None = None,
    spellings: Sequence[tuple[str | None, str | None]],
    details: list[str],
) -> Verdict:
    """The CKV_CNX_201 verdict on one device, whatever described it (a gateway, an inventory)."""
    details.append(f"Device location: {location.describe()}")
    outside = location_out_of_scope(context, subject, location)
    if outside is not None:
        details.append(outside.reason + ".")
        return Verdict(outside.result, outside.reason, details)
    if match is None:
        # Named (an inventory's vendor and model, a device tag) but not in the catalogue: the
        # device is identified by whoever declared it; a devices: entry lets it be judged.
        why = (
            f"{subject}: {named_by} names no device the catalogue knows; if it is an imported VPN "
            "device, add a devices: entry to the policy so that it is judged"
        )
        details.append(why + ".")
        return Verdict(PASSED, why, details)
    details.append(f"Device: {named_by} -> {describe_match(match, origin_note)}")
    if match.category not in LISTED:
        name = f"{match.vendor} {match.model}".strip()
        why = f"{subject}: by the catalogue, {name} is not an encrypted VPN device or cipher machine"
        details.append(why + ".")
        return Verdict(PASSED, why, details)
    if not match.foreign:
        origin = "made in mainland China" if match.made_in == jurisdictions.CN else "of unknown origin"
        why = f"{subject}: the device is {origin}, so no import licence is needed"
        details.append(why + ".")
        return Verdict(PASSED, why, details)
    if mass_consumer:
        why = f"{subject}: declared a mass-consumer product ({mass_consumer}), exempt from import licensing"
        details.append(why + f". {import_list().exemption}.")
        return Verdict(PASSED, why, details)
    declared = declared_acquisition(match)
    if declared:
        why = f"{subject}: {declared}"
        details.append(why + ".")
        return Verdict(PASSED, why, details)
    licensed, lines = licence_status(context, licence, spellings)
    details += [f"Licence: {line}." for line in lines]
    if licensed:
        return Verdict(PASSED, f"{subject}: {lines[-1]}", details)
    item = import_list().items[match.category]
    name = f"{match.vendor} {match.model}".strip()
    located = "located in mainland China"
    if location.jurisdiction is None:
        located = f"not shown to be outside mainland China (its location is unknown; {_declare_location(location)})"
    why = (
        f"{subject}: {name} is {with_article(item_name(match.category))} ({item.name_zh}, on the commercial "
        f"encryption import licence list) made in {jurisdictions.describe(match.made_in)} and {located}, and "
        "the policy records neither the import licence it entered under nor that it "
        f"was acquired in a way that needs none: {'; '.join(lines)}; {ACQUIRED_HINT}"
    )
    details.append(why + ".")
    return Verdict(FAILED, why, details)


def evaluate(model: NetworkModel, res: Resource) -> Verdict | None:
    """An inventory device as its inventory declares it; a customer gateway by the device it names,
    where its address is, and the policy's licences."""
    inventory_item = model.inventory_device(res)
    if inventory_item is not None:
        return evaluate_inventory_device(model.context, *inventory_item)
    policy = model.context.policy
    location = device_location(model, res)
    found, unrecognised = device_text(res, policy.devices, model.config)
    if found is None:
        read = f" ({'; '.join(unrecognised)})" if unrecognised else ""
        details = [f"Device location: {location.describe()}"]
        outside = location_out_of_scope(model.context, res.address, location)
        if outside is not None:
            details.append(outside.reason + ".")
            return Verdict(outside.result, outside.reason, details)
        what = f"{res.address} names no device the catalogue recognises{read}"
        if is_candidate(res):  # a virtual machine whose image names no appliance is not a VPN device
            why = f"{what}, so it is not a VPN or firewall appliance"
            return Verdict(PASSED, why, [*details, why + "."])
        return unidentified(model.context, res.address, location, what, details)
    match = found.match
    mass = None
    if match is not None and match.mass_consumer:
        mass = "policy devices: entry"
    return judge_device(
        model.context,
        subject=res.address,
        location=location,
        match=match,
        named_by=f"{found.source} = {found.text!r}",
        mass_consumer=mass,
        licence=None,
        spellings=[(match.vendor, match.model)] if match else [],
        details=[],
    )


def evaluate_inventory_device(context: ScanContext, inventory: Inventory, device: Device) -> Verdict | None:
    """An inventory device of category ``vpn_device``; None for other devices (not reported)."""
    if device.category != VPN_DEVICE:
        return None
    site = inventory.site_of(device)
    where = f"{os.path.basename(device.file)}:{site.line}" if site else os.path.basename(device.file)
    location = Endpoint(
        site.country if site else None,
        f"site {device.site}" + (f" ({site.name})" if site and site.name else ""),
        f"by the site's declared country ({where})",
    )
    match = device.match(context.policy.devices)
    origin_note = None
    if match is not None and device.made_in_source == "inventory" and device.made_in is not None:
        match = replace(match, made_in=device.made_in)
        origin_note = "made_in declared in the inventory"
    mass = "mass_consumer: true in the inventory" if device.mass_consumer else None
    if mass is None and match is not None and match.mass_consumer:
        mass = "policy devices: entry"
    spellings = [(device.vendor, device.model)]
    if match is not None:
        spellings.append((match.vendor, match.model or device.model))
    return judge_device(
        context,
        subject=f"device {device.id}",
        location=location,
        match=match,
        named_by=f"vendor/model {device.description!r}",
        mass_consumer=mass,
        licence=device.licence,
        origin_note=origin_note,
        spellings=spellings,
        details=[],
    )


LIST_TEXT = """\
The import licence list: MOFCOM, the State Cryptography Administration and the General Administration
  of Customs published the Commercial Encryption Import Licence List (商用密码进口许可清单) with
  Announcement No. 63 of 2020, in force since 2021-01-01. It names four items: encrypted telephones,
  encrypted fax machines, cipher machines (including cipher cards) and encrypted VPN devices, caught
  when their key length (or, for some items, their encryption rate) reaches the list's thresholds.
  The only thresholds found are those of the telephone item (symmetric keys of 64 bits or more, RSA
  keys of 768 bits or more, elliptic-curve keys of 128 bits or more), read from a secondary source
  and UNVERIFIED against the official list; they serve as an indicator, for the other items too.
  Mass-consumer products are exempt (Encryption Law Art. 28(2); Commercial Cryptography Regulations
  2023 Art. 31(3))."""

LICENCE_TEXT = """\
Whose licence: the licence belongs to the import, and the importer applies to MOFCOM for it, as a
  dual-use items import licence (Commercial Cryptography Regulations 2023 Art. 32), with identity
  papers, the contract, a technical description of the product and an end-user/end-use certificate (Art. 34);
  MOFCOM decides within 45 working days together with the State Cryptography Administration. The
  licence is presented to Customs at import (Art. 33). When a distributor imported the units, the
  licence is the distributor's; a unit made in mainland China was never imported.

How to record it: list a licence under `licences:` in .cn-crossborder.yaml:
    licences:
      - id: IMP-2026-0007            # the licence number
        vendor: Cisco
        models: ["ASA 5525-X"]       # omitted: every model of the vendor
        expires: 2028-01-01
  An inventory device may also name it (`licence: IMP-2026-0007`). A licence past its expiry date no
  longer counts. Or say how the units were acquired with a `devices:` entry:
    devices:
      - vendor: Fortinet
        models: ["FortiGate 100F"]
        category: vpn_device
        made_in: US
        acquired: bought-in-mainland   # imported-under-licence | bought-in-mainland | made-in-mainland | mass-consumer
        source: "PO 2026-118 from a Beijing distributor that imported them under its licence"
  imported-under-licence needs `licence:` (the importer's licence reference); bought-in-mainland and
  made-in-mainland need `source:` (the evidence)."""

EXPLAIN = f"""\
{LIST_TEXT}

Why a device is on it: a site-to-site VPN peer is a VPN device; whether its cryptography reaches the
  list's thresholds for encrypted VPN devices cannot be checked, because those thresholds were not
  retrieved (UNVERIFIED), so the check treats an encrypted VPN device as caught. The device catalogue
  (cn_crossborder/data/devices.yaml) says which vendors and product families are VPN gateways or
  cipher machines and where each vendor's products are made (the vendor's home country, marked
  UNVERIFIED). That a foreign-made unit standing in mainland China was imported under a licence is an
  inference the check cannot confirm: the unit may have been made in the mainland, bought from a
  distributor that imported it, or imported before 2021 under the earlier catalogue. The check
  therefore asks for the licence or a declaration of how the units were acquired. Correct or extend
  the catalogue with a `devices:` entry in .cn-crossborder.yaml (vendor, family, models, category,
  made_in, mass_consumer, acquired), which takes precedence over it.

{LICENCE_TEXT} Name the device on a gateway whose name attributes do not: tag it
  cn-crossborder:device = "Cisco ASA 5525-X".

Where the device is: where its public address is (cn-crossborder:location tag, policy locations,
  circuit endpoints, then IP registration), not the gateway's cloud region. A device whose location
  is unknown is judged as mainland unless the policy says unknown_location: pass; a device that
  cannot be identified fails unless the policy says unknown_device: pass.
  Network inventories: VPN devices (category vpn_device) at a site
  whose country is CN, named by vendor and model; see docs/inventory.md."""


RULE = Rule(
    id="CKV_CNX_201",
    title="Foreign-made VPN device in mainland China must have been lawfully imported (importer's licence)",
    severity="HIGH",
    category="ENCRYPTION",
    protects=(
        "Encrypted VPN devices and cipher machines are items of the commercial encryption import licence "
        "list: importing one into the mainland needs a dual-use items import licence from MOFCOM, which "
        "the importer holds, unless it is a mass-consumer product. A VPN appliance at a mainland office "
        "or data centre that peers with a cloud VPN gateway is such a device. The list catches items by "
        "function and thresholds, not by maker; the check uses the vendor's home country as a sign that "
        "a unit was imported, and accepts a declaration that it was bought from a licensed importer in "
        "the mainland or made there."
    ),
    fails_when=(
        "a VPN device located in mainland China (by its address or declared location) is, by the device "
        "catalogue or the policy's devices entries, an encrypted VPN device or cipher machine made outside "
        "mainland China, and the policy records neither the import licence it entered under (a licence "
        "that has not expired covering its vendor and model, or a devices entry with acquired: "
        "imported-under-licence) nor that it was bought in mainland China from a licensed importer, made "
        "there, or is a mass-consumer product"
    ),
    legal=("encryption-28", "ccr-31-34", "announcement-63"),
    remediation=(
        "Record the import licence the units entered under (yours, or your distributor's as importer): "
        "under `licences:` in .cn-crossborder.yaml (id, vendor, models, expires), or as a `devices:` entry "
        "with `acquired: imported-under-licence` and `licence:`. If the units were bought in mainland China "
        "from a licensed importer or made there, say so with a `devices:` entry (`acquired: "
        "bought-in-mainland` or `made-in-mainland`, with `source:`); for a mass-consumer product use "
        "`acquired: mass-consumer`. If you import them yourselves, apply to MOFCOM for a dual-use items "
        "import licence (Commercial Cryptography Regulations Arts. 32-34). If the device stands outside "
        "the mainland, declare its location with the cn-crossborder:location tag."
    ),
    evaluate=evaluate,
    explain_extra=EXPLAIN,
)
