"""Virtual-patient cohorts: clinical-trial questions posed to the same cell biology.

Each virtual patient carries measurable lesions whose cells draw their pathway activation (share
of Akt-activated cells, PI3K pathway status, adaptation to estrogen deprivation) from the
population of the config; drugs follow human PK; progression is RECIST 1.1 (+20 % and 5 mm of the
sum of lesion diameters over its nadir; a volume rule on request); arms are compared by
Kaplan-Meier medians and Cox hazard ratios.
``mode: patients`` in a config selects this runner (``xenosim run`` dispatches on it).
"""
