"""Control maps: assessed areas of control (DeepStateMap, ISW, …) as daily series, compared and set against claims.

Modules: :mod:`~geo.control.model` (sides, kinds, the equal-area projection),
:mod:`~geo.control.read` (importing daily files, folders, zips, ISW-style
layers), :mod:`~geo.control.series` (what is stored, a day's area, cached),
:mod:`~geo.control.change` (km² gained and lost between two dates, per
region, settlements), :mod:`~geo.control.check` (verdicts on capture claims
and aggregate claims), :mod:`~geo.control.cli` (``python -m geo control …``
and ``check``), :mod:`~geo.control.synthetic` (generated series for tests).
"""
