"""Healthcare technology market intelligence: curated data, validation, DuckDB, queries, charts.

The layers, each importable without the one above it:
data files -> ``validate`` -> ``db`` (DuckDB) -> ``queries`` -> ``charts`` -> pages / ``export``.
"""
