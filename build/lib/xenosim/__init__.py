"""xenosim: an agent-based in-silico xenograft laboratory.

Tumour-cell agents carry Akt / mTORC1 / S6K1 / ER signalling states and proliferate according to
estrogen and drug exposure; cohorts of virtual mice recreate xenograft studies such as
deGraffenried et al., Clin Cancer Res 2004.
"""

__version__ = "0.1.0"
