"""Every dimension and segment the documents name is in the database, with a Chinese label.

The expected lists are copied by hand from the English text of the seed documents (the
report summaries' segmentation paragraphs and the article's "Market Segmentation Analysis"
and "Regional Outlook"). Labels compare case-insensitively, '&' counts as 'and', and an
abbreviation in brackets is ignored: "Augmented reality (AR)" matches "augmented reality".
"""

from __future__ import annotations

import re

import pytest

REPORT = {
    "metaverse-healthcare": "r2006494",
    "connected-healthcare": "r1993166",
    "telemedicine": "r2011682",
    "iomt": "r1997137",
}
ARTICLE = "art-2026-01-11"

# market -> source -> dimension -> {top-level segment: [children]}
EXPECTED = {
    "metaverse-healthcare": {
        REPORT["metaverse-healthcare"]: {
            "component": {
                "Hardware": [
                    "3D imaging and scanning equipment",
                    "Telepresence robots",
                    "VR headsets and AR glasses",
                    "Wearable feedback systems",
                ],
                "Services": ["Consulting services", "Implementation services"],
                "Software": ["Patient monitoring systems", "Simulation software"],
            },
            "application": {
                "Fitness and physical well-being": [],
                "Medical and general healthcare services": [],
                "Mental health support": [],
                "Training and education": [],
            },
            "end_user": {
                "Clinical laboratories": [],
                "Hospitals and clinics": [],
                "Research and academic institutions": [],
            },
            "region": {"Americas": [], "Europe, Middle East and Africa": [], "Asia-Pacific": []},
        },
        ARTICLE: {
            "component": {"Hardware": [], "Software": []},
            "technology": {"AR": [], "VR": [], "Mixed Reality": []},
            "application": {
                "Medical training": [],
                "Surgical simulation": [],
                "Mental health therapy": [],
                "Remote patient monitoring": [],
            },
            "end_user": {"Medical universities": [], "Private hospitals": [], "Wellness centers": []},
            "region": {"North America": [], "Asia-Pacific": ["South Korea", "Singapore"]},
        },
    },
    "connected-healthcare": {
        REPORT["connected-healthcare"]: {
            "component": {
                "Hardware": ["Devices", "Equipment"],
                "Devices": ["Diagnostic devices", "Monitoring devices", "Therapeutic devices", "Wearable devices"],
                "Services": ["Consulting", "Installation", "Maintenance"],
                "Software": ["Analytics", "Platform"],
            },
            "application": {
                "Chronic disease management": [],
                "Mobile health": [],
                "Remote patient monitoring": [],
                "Telehealth": [],
            },
            "end_user": {"Ambulatory centers": [], "Hospitals": [], "Home care": [], "Research institutes": []},
            "connectivity": {"Bluetooth": [], "Cellular": ["4G", "5G"], "Wi-Fi": []},
            "deployment": {"Cloud-based": [], "Hybrid": [], "On-premises": []},
            "region": {"Americas": [], "Europe, Middle East & Africa": [], "Asia-Pacific": []},
        },
    },
    "telemedicine": {
        REPORT["telemedicine"]: {
            "component": {"Hardware": [], "Services": [], "Software": []},
            "service_type": {
                "Teleconsultation": [],
                "Telediagnostics": [],
                "Telemonitoring": [],
                "Telepsychiatry": [],
                "Telerehabilitation": [],
            },
            "modality": {"Real-time": [], "Remote patient monitoring": [], "Store-and-forward": []},
            "technology": {
                "AI and machine learning": [],
                "AR and VR": [],
                "Blockchain": [],
                "Internet of Medical Things": [],
                "Telecommunication": [],
            },
            "application": {
                "Acute care": [],
                "Chronic disease management": [],
                "Mental health": [],
                "Remote patient monitoring": [],
            },
            "specialty": {
                s: []
                for s in (
                    "cardiology",
                    "dermatology",
                    "endocrinology",
                    "gastroenterology",
                    "gynecology & obstetrics",
                    "neurology",
                    "ophthalmology",
                    "orthopedics",
                    "pediatrics",
                    "psychiatry",
                    "pulmonology",
                )
            },
            "end_user": {"Clinics": [], "Home care": [], "Hospitals": []},
            "region": {
                "Americas": [],
                "Europe, Middle East & Africa": ["Europe", "Middle East", "Africa"],
                "Asia-Pacific": [],
            },
        },
    },
    "iomt": {
        REPORT["iomt"]: {
            "device_type": {"Implantable devices": [], "Stationary hospital equipment": [], "Wearables": []},
            "component": {"Connectivity modules": [], "Sensors": [], "Services": [], "Software": []},
            "application": {
                "Asset tracking": [],
                "Chronic disease management": [],
                "Drug delivery": [],
                "Remote patient monitoring": [],
                "Surgical telemetry": [],
            },
            "connectivity": {"Bluetooth Low Energy": [], "Cellular IoT": [], "LPWAN": [], "Wi-Fi": [], "Zigbee": []},
            "end_user": {"Clinics": [], "Diagnostics centers": [], "Home healthcare": [], "Hospitals": []},
            "deployment": {"Cloud": [], "On premises": []},
            "region": {"Americas": [], "EMEA": [], "Asia-Pacific": []},
        },
    },
}

# Abbreviations the documents use where our labels spell the name out.
ALIASES = {"emea": "europe middle east and africa", "ar": "augmented reality", "vr": "virtual reality"}


def norm(label: str) -> str:
    text = label.lower().replace("&", " and ")
    text = re.sub(r"\([^)]*\)", " ", text)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    return ALIASES.get(text, text)


def _segments(con, market, source, dimension):
    rows = con.execute(
        """SELECT g.segment, g.label_en, p.label_en FROM segments g
                          LEFT JOIN segments p ON p.market_id = g.market_id AND p.source_id = g.source_id
                               AND p.dimension = g.dimension AND p.segment = g.parent
                          WHERE g.market_id = ? AND g.source_id = ? AND g.dimension = ?""",
        [market, source, dimension],
    ).fetchall()
    return {norm(label): (norm(parent) if parent else None) for _, label, parent in rows}


CASES = [
    (mk, src, dim, tree)
    for mk, by_src in EXPECTED.items()
    for src, dims in by_src.items()
    for dim, tree in dims.items()
]


@pytest.mark.parametrize(
    "market,source,dimension,tree",
    CASES,
    ids=[f"{c[0]}-{'article' if c[1] == ARTICLE else 'report'}-{c[2]}" for c in CASES],
)
def test_documented_segments_are_present(con, market, source, dimension, tree):
    got = _segments(con, market, source, dimension)
    assert got, f"{market}: no {dimension} dimension for {source}"
    children = {c for kids in tree.values() for c in kids}
    for parent, kids in tree.items():
        assert norm(parent) in got, f"{market}/{dimension}: '{parent}' missing; have {sorted(got)}"
        if parent not in children:
            assert got[norm(parent)] is None, f"'{parent}' should be top-level"
        for kid in kids:
            assert norm(kid) in got, f"{market}/{dimension}: '{kid}' missing"
            assert got[norm(kid)] == norm(parent), f"'{kid}' should sit under '{parent}'"
    # and nothing the documents do not name
    assert set(got) == {norm(x) for x in tree} | {norm(x) for x in children}


@pytest.mark.parametrize("market", list(EXPECTED))
def test_every_documented_dimension_and_no_other(con, market):
    for source, dims in EXPECTED[market].items():
        got = {
            r[0]
            for r in con.execute(
                "SELECT dimension FROM dimensions WHERE market_id = ? AND source_id = ?", [market, source]
            ).fetchall()
        }
        assert got == set(dims)


def test_all_eleven_telemedicine_specialties(con):
    n = con.execute("""SELECT count(*) FROM segments WHERE market_id = 'telemedicine'
                       AND dimension = 'specialty'""").fetchone()[0]
    assert n == 11


def test_every_label_has_chinese(con):
    for table in ("segments", "dimensions", "markets"):
        missing = con.execute(
            f"SELECT * FROM {table} WHERE coalesce(trim(label_zh), '') = ''"
            if table != "markets"
            else "SELECT * FROM markets WHERE coalesce(trim(name_zh), '') = ''"
        ).fetchall()
        assert missing == [], f"{table} without a Chinese label: {missing}"
    documented = sum(len(set(tree) | {c for kids in tree.values() for c in kids}) for *_, tree in CASES)
    assert con.execute("SELECT count(*) FROM segments").fetchone()[0] == documented == 136
    assert con.execute("SELECT count(*) FROM concepts WHERE label_zh IS NULL").fetchone()[0] == 0


def test_dimension_labels_come_from_config(con, settings):
    keys = {r[0] for r in con.execute("SELECT DISTINCT dimension FROM dimensions").fetchall()}
    assert keys <= set(settings.dimensions)
