"""A synthetic province on PostgreSQL, built with the real schema and migrations.

`build_province` is what `benchmarks/province.py` runs and what `bench_scale.py`
and the consistency test call: see that script's docstring for the sizes and
docs/performance.md for how the data is shaped.
"""

from benchmarks.province_builder.build import BuildReport, build_province
from benchmarks.province_builder.instance import Instance
from benchmarks.province_builder.plan import Plan

__all__ = ["BuildReport", "Instance", "Plan", "build_province"]
