"""The biology, written once as array functions (numpy arrays or scalars in, arrays out).

Every executor (the vectorised tumour, the teaching view, in vitro wells) calls these functions;
the per-step order is environment -> signalling -> fate, see :mod:`xenosim.biology.signalling`.
"""
