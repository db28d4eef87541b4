"""Generate N synthetic markets through the real file format (for scale benchmarks)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml


def generate(root: Path, n_markets: int) -> Path:
    """Write ``n_markets`` valid market folders (plus concepts.yaml) under ``root``; return root."""
    if root.exists():
        shutil.rmtree(root)
    (root / "markets").mkdir(parents=True)
    shutil.copy(Path(__file__).resolve().parent.parent / "data" / "concepts.yaml", root / "concepts.yaml")
    dims = {
        "component": ["hardware", "software", "services"],
        "application": ["remote_patient_monitoring", "chronic_disease_management", "telehealth", "other_apps"],
        "region": ["americas", "emea", "asia_pacific"],
        "end_user": ["hospitals", "clinics", "home_care"],
    }
    concepts = {
        "hardware",
        "software",
        "services",
        "remote_patient_monitoring",
        "chronic_disease_management",
        "americas",
        "emea",
        "asia_pacific",
        "hospitals",
        "clinics",
        "home_care",
    }
    for i in range(n_markets):
        mid = f"synthetic-{i:04d}"
        folder = root / "markets" / mid
        folder.mkdir()
        spec = {
            "id": mid,
            "name": {"en": f"Synthetic market {i}", "zh": f"合成市场 {i}"},
            "currency": "USD",
            "unit": "billion",
            "sources": [
                {
                    "id": "s1",
                    "primary": True,
                    "kind": "synthetic",
                    "title": {"en": "Generated", "zh": "生成"},
                    "cagr": {"value_pct": 20.0, "start_year": 2025, "end_year": 2032},
                }
            ],
            "dimensions": [
                {
                    "key": d,
                    "label": {"en": d.title(), "zh": d},
                    "segments": [
                        {
                            "key": s,
                            "label": {"en": s.replace("_", " ").title(), "zh": s},
                            **({"concept": s} if s in concepts else {}),
                        }
                        for s in segs
                    ],
                }
                for d, segs in dims.items()
            ],
        }
        (folder / "market.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        base = 1 + i % 50
        rows = [
            "source_id,year,value,role,note",
            f"s1,2025,{base:.2f},base year,",
            f"s1,2032,{base * 1.2**7:.2f},forecast year,",
        ]
        (folder / "figures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        share_rows = ["source_id,dimension,segment,year,share_pct,rationale"]
        for d, segs in dims.items():
            for year, tilt in ((2025, 0), (2032, 2)):
                shares = [100 / len(segs)] * len(segs)
                shares[0] += tilt
                shares[-1] -= tilt
                share_rows += [f"s1,{d},{s},{year},{v:.4f},synthetic" for s, v in zip(segs, shares)]
        (folder / "shares.csv").write_text("\n".join(share_rows) + "\n", encoding="utf-8")
    return root
