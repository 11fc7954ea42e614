"""Sweeps, virtual cohorts and calibration on Dask (``xenosim sweep``, ``xenosim calibrate``).

- :mod:`.config`: sweep configs (base experiment, varied parameters, design);
- :mod:`.design`: grid / random / Latin hypercube / Sobol / Morris points, task ids and seeds;
- :mod:`.task`: one task (a cohort study) run on a worker;
- :mod:`.runner`: Dask execution, Parquet datasets partitioned by task, resume, errors;
- :mod:`.analysis`: summaries, sensitivity indices, figures, report;
- :mod:`.calibrate`: fitting parameters to a caliper table (ABC on the same backend).
"""
