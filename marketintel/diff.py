"""What changed between two versions of the data: figures, CAGRs, shares, segments, sources, insights.

Pure functions of validated catalogs (``validate``): the upload shows them before a curator
applies a new edition, and the history records them with every version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .schema import Catalog, MarketData, flatten_segments


@dataclass(frozen=True)
class Change:
    """One difference: ``before`` None means added, ``after`` None means removed."""

    market_id: str
    what: str  # market | source | figure | cagr | dimension | segment | share | insight
    key: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "changed"

    def as_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind}


def _num(value: float | None, suffix: str = "") -> str | None:
    return None if value is None else f"{value:g}{suffix}"


def _facts(m: MarketData) -> dict[str, dict[str, str | None]]:
    """A market as comparable facts: ``{what: {key: value}}``."""
    facts: dict[str, dict[str, str | None]] = {
        "source": {s.id: s.publisher or s.title.en for s in m.spec.sources},
        "figure": {f"{f.source_id} {f.year}": _num(f.value) for f in m.figures},
        "cagr": {
            s.id: (f"{s.cagr.value_pct:g}% ({s.cagr.start_year}-{s.cagr.end_year})" if s.cagr else "not stated")
            for s in m.spec.sources
        },
        "dimension": {},
        "segment": {},
        "share": {f"{r.source_id} {r.dimension}/{r.segment} {r.year}": _num(r.share_pct, "%") for r in m.shares},
        "insight": {i.id: i.title.en for i in m.insights},
    }
    for d in m.spec.dimensions:
        src = m.dimension_source(d)
        facts["dimension"][f"{src} {d.key}"] = d.label.en
        for n in flatten_segments(d):
            facts["segment"][f"{src} {d.key}/{n.key}"] = n.label.en
    return facts


def market_changes(old: MarketData | None, new: MarketData | None) -> list[Change]:
    """Every difference between two versions of one market (either may be None: added or removed)."""
    if old is None and new is None:
        return []
    mid = (new or old).id  # type: ignore[union-attr]
    if old is None:
        return [Change(mid, "market", mid, None, new.spec.name.en)]  # type: ignore[union-attr]
    if new is None:
        return [Change(mid, "market", mid, old.spec.name.en, None)]
    out: list[Change] = []
    if old.spec.name.en != new.spec.name.en:
        out.append(Change(mid, "market", "name", old.spec.name.en, new.spec.name.en))
    a, b = _facts(old), _facts(new)
    for what in a:
        before, after = a[what], b[what]
        for key in sorted(set(before) | set(after)):
            if key not in after:
                out.append(Change(mid, what, key, before[key] or "", None))
            elif key not in before:
                out.append(Change(mid, what, key, None, after[key] or ""))
            elif before[key] != after[key]:
                out.append(Change(mid, what, key, before[key], after[key]))
    return out


def catalog_changes(old: Catalog, new: Catalog) -> list[Change]:
    """Every difference between two whole data sets, market by market."""
    a = {m.id: m for m in old.markets}
    b = {m.id: m for m in new.markets}
    out: list[Change] = []
    for mid in sorted(set(a) | set(b)):
        out += market_changes(a.get(mid), b.get(mid))
    return out


def summary(changes: list[Change]) -> str:
    """One line: how many of each kind of fact changed, e.g. ``2 figure(s) changed, 1 segment(s) added``."""
    if not changes:
        return "no change to figures, shares or segments"
    counts: dict[tuple[str, str], int] = {}
    for c in changes:
        counts[(c.what, c.kind)] = counts.get((c.what, c.kind), 0) + 1
    markets = sorted({c.market_id for c in changes})
    parts = [f"{n} {what}(s) {kind}" for (what, kind), n in counts.items()]
    return f"{', '.join(markets)}: " + ", ".join(parts)
