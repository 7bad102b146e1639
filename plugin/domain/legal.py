"""The legal instruments the checks cite, each with its source and whether its text was verified.

Article numbers the research could not verify are kept out of findings; they appear only here,
marked, so that nobody mistakes them for a confirmed basis.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    key: str
    title: str
    text: str
    source: str
    verified: bool = True


CITATIONS: dict[str, Citation] = {
    c.key: c
    for c in (
        Citation(
            "icge-6",
            "Administrative Measures for International Communication Gateway Exchanges "
            "(国际通信出入口局管理办法, MII Order No. 22, 2002) Art. 6",
            "Engaging in international communications business within the PRC must go through an "
            "international communication gateway whose establishment the ministry approved; no "
            "organisation or individual may use any other route for international communication.",
            "https://gqvideo.com/product/2761.html (official text, mirror); "
            "http://www.lawinfochina.com/display.aspx?id=2407&lib=law (English)",
        ),
        Citation(
            "telecom-64",
            "Telecommunications Regulations (电信条例, 2016) Art. 64 (international telecommunications business)",
            "Engaging in international telecommunications business (国际通信业务) within the PRC must go "
            "through an international gateway exchange whose establishment the State Council's telecom "
            "authority approved; business with Hong Kong, Macao and Taiwan is handled the same way. The "
            "article governs carrying on that business, not every connection that reaches abroad.",
            "LawRefBook/Laws 行政法规/电信条例.md (2016-02-06 revision)",
        ),
        Citation(
            "telecom-58",
            "Telecommunications Regulations (电信条例, 2016) Art. 58(1)",
            "No one may carry on international or Hong Kong/Macao/Taiwan telecommunication business "
            "without authorisation by leasing international private lines, installing private "
            "switching equipment or other means.",
            "LawRefBook/Laws 行政法规/电信条例.md (2016-02-06 revision)",
        ),
        Citation(
            "circular-32",
            "MIIT Circular 32 (工信部信管函〔2017〕32号), item on cross-border business operations",
            "Without the telecom authority's approval, no one may build or lease private lines "
            "(including VPNs) or other channels to carry out cross-border business operations "
            "(跨境经营活动). International private lines that basic telecom operators lease to users are "
            "to be used only for the user's internal office work, and not to connect data centres or "
            "business platforms inside and outside China to operate telecom business.",
            "https://www.miit.gov.cn/jgsj/xgj/wjfb/art/2020/art_ac2095b32d054e22a03e8154c3a44d50.html",
        ),
        Citation(
            "interim-6",
            "Interim Provisions on International Networking of Computer Information Networks "
            "(计算机信息网络国际联网管理暂行规定, 1997) Art. 6",
            "International networking must use the gateway channels of the national public telecom "
            "network; no unit or individual may build or use any other channel.",
            "LawRefBook/Laws 行政法规/计算机信息网络国际联网管理暂行规定(1997-05-20).md",
        ),
        Citation(
            "miit-qa-2017",
            "MIIT answers on Circular 32 (2017-01-24)",
            "Foreign-trade companies and multinationals that need cross-border lines for their own "
            "office use may lease them from telecom operators that lawfully set up international "
            "gateways; the circular targets enterprises and individuals without a licence for "
            "international telecom business that lease lines or VPNs to run cross-border telecom "
            "business. (That the operators are China Telecom, China Unicom and China Mobile is from "
            "CAICT's 2018 briefing, not from the answers.)",
            "https://wap.miit.gov.cn/zwgk/zcjd/art/2020/art_6d942fea3c824343bdd1e01f2d6e12af.html; "
            "operators named: CAICT briefing 2018, asiaott.com/2018/01/12-154704.html (secondary)",
        ),
        Citation(
            "icge-19",
            "Administrative Measures for International Communication Gateway Exchanges, Art. 19 "
            "(article number UNVERIFIED)",
            "International private lines may be used only point-to-point, for the user's internal "
            "use, and not to operate telecom services.",
            "secondary summary; article numbering not verified against the official text",
            verified=False,
        ),
        Citation(
            "encryption-28",
            "Encryption Law (密码法, 2019) Art. 28",
            "Commercial cryptography bearing on national security and the public interest with an "
            "encryption-protection function is subject to import licensing; mass-consumer products "
            "are exempt.",
            "LawRefBook/Laws 行政法/密码法(2019-10-26).md",
        ),
        Citation(
            "ccr-31-34",
            "Regulations on the Administration of Commercial Cryptography (商用密码管理条例, 2023) Arts. 31-34",
            "Import licence list and mass-consumer exemption (Art. 31), licence applications to "
            "MOFCOM (Art. 32), presentation to Customs (Art. 33), documents required (Art. 34).",
            "LawRefBook/Laws 行政法规/商用密码管理条例(2023-04-27).md",
        ),
        Citation(
            "announcement-63",
            "MOFCOM/SCA/GAC Announcement No. 63 of 2020: Commercial Encryption Import Licence List",
            "Encrypted telephones, encrypted fax machines, cipher machines (including cipher cards) "
            "and encrypted VPN devices whose cryptography reaches the list's thresholds need an import "
            "licence, which the importer applies for (effective 2021-01-01).",
            "https://www.pillsburylaw.com/en/news-and-insights/import-export-control-license-lists-"
            "commercial-encryption.html (secondary; the official text and its thresholds were not obtained)",
        ),
    )
}


def cite(*keys: str) -> list[Citation]:
    return [CITATIONS[k] for k in keys]
