"""The fused engine: one tumour step as two numba kernels over the struct-of-arrays state.

The biology is not rewritten here. The kernels call the scalar-friendly functions of
:mod:`xenosim.biology` (``akt_activity``, ``mtorc1_activity``, ``ser167_phosphorylation``,
``er_stimuli``, the cell cycle's ``cap_dependent_translation``, ``ires_compensation``,
``g1_drive``, ``switching_rates_per_h`` and ``apoptosis_by_status``, ``apoptosis_rate_per_h``,
``fates_from_uniform`` over the four competing hazards, ``inherited_level`` ...), compiled by
:func:`f32_njit`: the same source, with its float literals made float32, so that the kernel
computes in float32 throughout (as the numpy engine does on its float32 arrays) and LLVM can
vectorise eight cells per instruction. Adapted and ESR1-mutant cells (biology/adaptation.py) are
read per cell in the kernel: the LTED PI3K and ER factors, and the mutant's ER states (computed
once per step by ``signalling.mutant_occupancy``, as in the numpy pass); hypoxic cells keep the
step's ``hypoxic_akt_drive_kept`` of Akt's drive of mTORC1 (REDD1 / TSC2). The adaptation draws
(``Tumour.adapt``) and the ESR1 mutations of daughters stay in Python around the kernels, in
the numpy engine's order.

What differs from the numpy engine, by design (each is numerics, not biology):

* oxygen thresholds are depth thresholds, ``biology.oxygen.depth_at_oxygen``: a cell is
  oxygenated when its lattice radius is at least ``ball radius - depth / spacing``; no ``exp``
  per cell (cells within one float32 rounding of a threshold may fall on the other side);
* ``expm1`` of the competing-risks probability is :func:`expm1_neg`, a polynomial with 4
  doublings (relative error below ``EXPM1_REL_ERROR`` on ``x <= 0``, tested against
  ``numpy.expm1``);
* a daughter's expression is computed in float32 (numpy: float64, rounded to float32);
* the step's scalars combined inside the biology functions (``1 - er_weight``,
  ``drive_half ** hill`` ...) and the status weighting of apoptosis are float32 arithmetic here;
  numpy combines the Python-float scalars in float64 first (and weights apoptosis by boolean
  masks in float64).

Random numbers: the same streams, in the same order, as the numpy engine, all from the tumour's
``numpy.random.Generator``: one float32 uniform per cell (the numbers of
``rng.random(n, dtype=float32)``, drawn as 32-bit outputs by :func:`uniforms.uniform_bits` and
converted in kernel 1: competing fates of viable cells, clearance of dead ones), the adaptation
draws (a binomial count, then which cells), one float32 standard normal per daughter for each redrawn expression state, in
:data:`~xenosim.core.tumour.REDRAWN_STATES` order, then the ESR1 draws among the daughters.
So for a seed the fused engine is deterministic, and it draws exactly what the numpy engine draws;
its trajectories differ from the numpy engine's only where a float rounding puts a cell on the
other side of a threshold. Single-threaded (no ``prange``): results do not depend on the number of
threads or workers.

Step = kernel 1 (vectorised, branch-free): oxygen -> signalling -> fate draws -> clearance ->
new status and a copy count (0 cleared, 1 kept, 2 divided) per cell; it updates the status and
S6K1 arrays in place and writes Akt, mTORC1 and ER output over last step's values (no scratch
copy of the state: the memory target); a scan of the copy counts; kernel 2 (serial, a branch
per cell): the daughter-insertion update, in place in the state buffers (one set of buffers, no
fresh pages per step), or into new buffers when a reader holds a state array (that reader's
arrays then keep their values). Unlike the numpy engine, which makes new arrays each step, a
reader that holds a tumour's state arrays across a step may see them change: copy them to keep
them (snapshots and summaries read them between steps).
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from typing import Any

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - numba is a dependency; the numpy engine stays
    numba = None

from xenosim.biology import adaptation, akt, cellcycle, er, fate, heterogeneity, mtor, oxygen
from xenosim.biology.signalling import Exposure, mutant_occupancy, step_inputs
from xenosim.core import uniforms

AVAILABLE = numba is not None
#: LLVM fast-math flags that are safe here: no NaN/inf assumptions ('nnan', 'ninf' left out),
#: contraction into FMA, reciprocal division, signless zeros, reassociation, approximate functions.
FASTMATH = {"contract", "arcp", "nsz", "reassoc", "afn"}
#: Bound on the relative error of :func:`expm1_neg` on x <= 0 against numpy.expm1 in float64
#: (measured 2.7e-7, at x ~ -0.004: float32 rounding; tested).
EXPM1_REL_ERROR = 5e-7
_F32_NAME = "_xenosim_float32"


class _Float32Literals(ast.NodeTransformer):
    """Float literals -> ``float32(literal)``; annotations dropped (they are never run)."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if type(node.value) is float:
            return ast.copy_location(ast.Call(ast.Name(_F32_NAME, ast.Load()), [node], []), node)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.decorator_list = []
        node.returns = None
        for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            a.annotation = None
        self.generic_visit(node)
        return node


def f32_njit(func, **calls):
    """numba-compile a biology function from its own source with float32 literals.

    numba types a literal ``1.0`` as float64, which would promote every float32 expression it
    touches to float64 (half the SIMD lanes, and different numbers from the numpy engine). The
    source is parsed, each float literal wrapped in ``numpy.float32(...)``, and the result
    compiled in the function's own module namespace. Nothing else changes: it is the same
    function. (With numpy arrays the wrapped literal gives the same float32 arithmetic as the
    plain one, so the two versions agree.) ``calls``: compiled versions of the biology functions
    that ``func`` calls, by name."""
    source = textwrap.dedent(inspect.getsource(func))
    tree = _Float32Literals().visit(ast.parse(source))
    ast.increment_lineno(tree, func.__code__.co_firstlineno - 1)
    ast.fix_missing_locations(tree)
    namespace: dict[str, Any] = dict(func.__globals__)
    namespace[_F32_NAME] = np.float32
    namespace.update(calls)
    exec(compile(tree, inspect.getsourcefile(func) or "<biology>", "exec"), namespace)
    return numba.njit(namespace[func.__name__], inline="always", error_model="numpy",
                      fastmath=FASTMATH)


def _jit(**kw):
    def wrap(f):
        return numba.njit(cache=True, error_model="numpy", fastmath=FASTMATH, **kw)(f)
    return wrap


# Indices into the float32 parameter vector ``q`` of one step.
_Q_NAMES = (
    # signalling (biology/signalling.py step_inputs; adapted / ESR1-mutant cells)
    "PI3K", "CONSTITUTIVE", "FEEDBACK", "TORC2", "MTORC1_BASAL", "MTORC1_HALF", "MTORC1_INHIB",
    "SER167_W", "SER167_HALF", "SER167_HILL", "OCC_E2", "OCC_ANTI", "OCC_FREE", "MUT_E2",
    "MUT_ANTI", "MUT_FREE", "ER_SCALE", "EFF_E2", "EFF_TAM", "EFF_TAM167", "EFF_UNL167",
    "ADAPTED_PI3K", "ADAPTED_ER",
    # translation and G1 drive (biology/cellcycle.py)
    "TRANSL_HALF", "IRES_MAX", "REMAINING", "INHIBITED", "ER_WEIGHT", "GROWTH_FACTOR",
    "DRIVE_HALF", "DRIVE_HILL", "SWITCH_RATE",
    # fates, clearance, oxygen, inheritance
    "K_DIV", "APO_ON", "APO_BASAL", "APO_GAIN", "AKT_SURV", "HYPOXIC_APO", "ARRESTED_FACTOR",
    "NECROSIS", "DT", "CLEAR_APO", "CLEAR_NEC", "R_HYPOXIC", "R_ANOXIC", "SIGMA", "INHERIT",
    "HYPOXIC_KEPT",
)
N_Q = len(_Q_NAMES)
(Q_PI3K, Q_CONSTITUTIVE, Q_FEEDBACK, Q_TORC2, Q_MTORC1_BASAL, Q_MTORC1_HALF, Q_MTORC1_INHIB,
 Q_SER167_W, Q_SER167_HALF, Q_SER167_HILL, Q_OCC_E2, Q_OCC_ANTI, Q_OCC_FREE, Q_MUT_E2,
 Q_MUT_ANTI, Q_MUT_FREE, Q_ER_SCALE, Q_EFF_E2, Q_EFF_TAM, Q_EFF_TAM167, Q_EFF_UNL167,
 Q_ADAPTED_PI3K, Q_ADAPTED_ER,
 Q_TRANSL_HALF, Q_IRES_MAX, Q_REMAINING, Q_INHIBITED, Q_ER_WEIGHT, Q_GROWTH_FACTOR,
 Q_DRIVE_HALF, Q_DRIVE_HILL, Q_SWITCH_RATE,
 Q_K_DIV, Q_APO_ON, Q_APO_BASAL, Q_APO_GAIN, Q_AKT_SURV, Q_HYPOXIC_APO, Q_ARRESTED_FACTOR,
 Q_NECROSIS, Q_DT, Q_CLEAR_APO, Q_CLEAR_NEC, Q_R_HYPOXIC, Q_R_ANOXIC, Q_SIGMA,
 Q_INHERIT, Q_HYPOXIC_KEPT) = range(N_Q)
#: State and scratch buffers get 1/HEADROOM spare room, so a growing tumour updates in place for
#: a few steps between two (in-place) resizes; one set of state buffers: peak 46 B/agent at 1e6.
HEADROOM = 4
_HILL4 = np.float32(4.0)

if AVAILABLE:
    import llvmlite.binding as _llvm

    # numba gives LLVM no `noalias` on array arguments: kernel 1 reads and writes 13 arrays,
    # whose pairwise run-time overlap checks exceed LLVM's default budget (8 checks), and the
    # loop would stay scalar ("too many memory checks needed"). A larger budget lets it vectorise
    # (with the checks, which pass: the arrays never overlap). Compile-time only.
    for _opt in ("-runtime-memory-check-threshold=256", "-memory-check-merge-threshold=256"):
        _llvm.set_option("xenosim", _opt)

    _akt_activity = f32_njit(akt.akt_activity)
    _mtorc1_activity = f32_njit(mtor.mtorc1_activity)
    _s6k1_activity = f32_njit(mtor.s6k1_activity)
    _ser167 = f32_njit(er.ser167_phosphorylation)
    _er_stimuli = f32_njit(er.er_stimuli)
    _activity_per_stimulus = f32_njit(er.activity_per_stimulus)
    _cap_translation = f32_njit(cellcycle.cap_dependent_translation)
    _ires_compensation = f32_njit(cellcycle.ires_compensation)
    _g1_drive = f32_njit(cellcycle.g1_drive)
    _committed_fraction = f32_njit(cellcycle.committed_fraction)
    _switching_rates = f32_njit(cellcycle.switching_rates_per_h,
                                committed_fraction=_committed_fraction)
    _apoptosis_rate = f32_njit(fate.apoptosis_rate_per_h)
    _apoptosis_by_status = f32_njit(cellcycle.apoptosis_by_status)
    _is_viable = f32_njit(fate.is_viable)
    _scale_from_probability = f32_njit(fate.scale_from_probability)
    _fates_from_uniform = f32_njit(fate.fates_from_uniform)
    _inherited_level = f32_njit(heterogeneity.inherited_level)

    @numba.njit(inline="always", error_model="numpy", fastmath=FASTMATH)
    def expm1_neg(x):
        """``expm1(x)`` for float32 ``x <= 0``, branch-free (vectorises): the Taylor polynomial
        of degree 10 at ``z = x / 16`` (|z| <= 1.08 after clamping x at -17.25, below which
        expm1 is -1 in float32), then ``expm1(2z) = expm1(z) (expm1(z) + 2)`` four times (no
        cancellation for z <= 0). Relative error < :data:`EXPM1_REL_ERROR`."""
        z = max(x, np.float32(-17.25)) * np.float32(0.0625)
        y = np.float32(1.0 / 3628800.0)
        y = y * z + np.float32(1.0 / 362880.0)
        y = y * z + np.float32(1.0 / 40320.0)
        y = y * z + np.float32(1.0 / 5040.0)
        y = y * z + np.float32(1.0 / 720.0)
        y = y * z + np.float32(1.0 / 120.0)
        y = y * z + np.float32(1.0 / 24.0)
        y = y * z + np.float32(1.0 / 6.0)
        y = y * z + np.float32(0.5)
        y = y * z + np.float32(1.0)
        y = y * z
        for _ in range(4):
            y = y * (y + np.float32(2.0))
        return y

    @_jit()
    def expm1_neg_array(x):
        """:func:`expm1_neg` over a float32 array (for tests)."""
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = expm1_neg(x[i])
        return out

    @_jit()
    def signal_fate_kernel(status, s6k1, akt_expression, er_expression, adapted, esr1_mutant,
                           radius, bits, q, akt_out, mtorc1_out, er_out, counts):
        """Kernel 1: environment -> signalling -> fate -> clearance for every cell (see the
        module docstring). Hill coefficients of 4 (Ser167, restriction point) are passed as
        constants, so the squarings are chosen at compile time (a branch per cell would make
        the vectoriser compute the general power for every cell too)."""
        if q[Q_SER167_HILL] == _HILL4 and q[Q_DRIVE_HILL] == _HILL4:
            _cells(status, s6k1, akt_expression, er_expression, adapted, esr1_mutant,
                   radius, bits, q, akt_out, mtorc1_out, er_out, counts, _HILL4, _HILL4)
        else:
            _cells(status, s6k1, akt_expression, er_expression, adapted, esr1_mutant,
                   radius, bits, q, akt_out, mtorc1_out, er_out, counts, q[Q_SER167_HILL],
                   q[Q_DRIVE_HILL])

    @numba.njit(inline="always", error_model="numpy", fastmath=FASTMATH)
    def _cells(status, s6k1, akt_expression, er_expression, adapted, esr1_mutant, radius, bits, q,
               akt_out, mtorc1_out, er_out, counts, hill167, drive_hill):
        """The loop of kernel 1 (no reduction in it: that would stop vectorisation). Per cell,
        in the numpy engine's order: oxygen status (hypoxia overrides the cycle state,
        re-oxygenated cells cycle), signalling (adapted cells: the LTED PI3K and ER factors;
        ESR1-mutant cells: the mutant's ER states), translation and G1 drive, the four
        competing hazards (division, cycle switch, apoptosis, necrosis) on the cell's uniform
        (from its 32-bit output ``bits[i]``, as numpy's ``random``: :mod:`xenosim.core.uniforms`),
        clearance of the dead on the same uniform, new status and copy count."""
        pi3k, constitutive, feedback, torc2 = q[Q_PI3K], q[Q_CONSTITUTIVE], q[Q_FEEDBACK], q[Q_TORC2]
        m_basal, m_half, m_inhib = q[Q_MTORC1_BASAL], q[Q_MTORC1_HALF], q[Q_MTORC1_INHIB]
        w167, half167 = q[Q_SER167_W], q[Q_SER167_HALF]
        occ_e2, occ_anti, occ_free, er_scale = q[Q_OCC_E2], q[Q_OCC_ANTI], q[Q_OCC_FREE], q[Q_ER_SCALE]
        mut_e2, mut_anti, mut_free = q[Q_MUT_E2], q[Q_MUT_ANTI], q[Q_MUT_FREE]
        adapted_pi3k, adapted_er = q[Q_ADAPTED_PI3K], q[Q_ADAPTED_ER]
        eff_e2, eff_tam, eff_tam167, eff_unl167 = (q[Q_EFF_E2], q[Q_EFF_TAM], q[Q_EFF_TAM167],
                                                   q[Q_EFF_UNL167])
        transl_half, ires_max, remaining = q[Q_TRANSL_HALF], q[Q_IRES_MAX], q[Q_REMAINING]
        inhibited = q[Q_INHIBITED] != np.float32(0.0)
        er_weight, growth_factor = q[Q_ER_WEIGHT], q[Q_GROWTH_FACTOR]
        drive_half, switch_rate = q[Q_DRIVE_HALF], q[Q_SWITCH_RATE]
        k_div, apo_on = q[Q_K_DIV], q[Q_APO_ON] != np.float32(0.0)
        apo_basal, apo_gain, akt_surv = q[Q_APO_BASAL], q[Q_APO_GAIN], q[Q_AKT_SURV]
        hypoxic_apo, arrested_factor = q[Q_HYPOXIC_APO], q[Q_ARRESTED_FACTOR]
        necrosis_rate, dt = q[Q_NECROSIS], q[Q_DT]
        clear_apo, clear_nec = q[Q_CLEAR_APO], q[Q_CLEAR_NEC]
        r_hypoxic, r_anoxic = q[Q_R_HYPOXIC], q[Q_R_ANOXIC]
        hypoxic_kept = q[Q_HYPOXIC_KEPT]
        zero, one = np.float32(0.0), np.float32(1.0)
        uniform_scale = uniforms.SCALE
        for i in range(status.shape[0]):
            st = status[i]
            viable = _is_viable(st)
            r = radius[i]
            oxygenated = r >= r_hypoxic
            anoxic = r < r_anoxic
            # oxygen status first (numpy engine: Tumour._fate)
            st1 = st
            if viable and not oxygenated:
                st1 = np.uint8(fate.QUIESCENT)
            if st == fate.QUIESCENT and oxygenated:
                st1 = np.uint8(fate.CYCLING)
            cycling = st1 == fate.CYCLING
            arrested = st1 == fate.ARRESTED
            quiescent = st1 == fate.QUIESCENT
            is_adapted = adapted[i] != 0
            is_mutant = esr1_mutant[i] != 0
            # signalling
            a = _akt_activity(pi3k * adapted_pi3k if is_adapted else pi3k, constitutive,
                              s6k1[i], feedback, akt_expression[i], torc2)
            # hypoxic cells lose Akt's drive of mTORC1 (REDD1 / TSC2)
            m = _mtorc1_activity(a, m_basal, m_half, m_inhib,
                                 one if oxygenated else hypoxic_kept)
            s = _s6k1_activity(m)
            ser = _ser167(a, s, w167, half167, hill167)
            ee = er_expression[i] * er_scale
            ee = ee * adapted_er if is_adapted else ee
            s_e2, s_tam, s_167 = _er_stimuli(mut_e2 if is_mutant else occ_e2,
                                             mut_anti if is_mutant else occ_anti,
                                             mut_free if is_mutant else occ_free, ser, ee,
                                             eff_e2, eff_tam, eff_tam167, eff_unl167)
            stimulus = s_e2 + s_tam + s_167
            e = stimulus * _activity_per_stimulus(stimulus)
            akt_out[i] = a
            mtorc1_out[i] = m
            s6k1[i] = s  # in place: the feedback read last step's value first
            er_out[i] = e
            # translation (cap-dependent + IRES) and G1 drive -> cycle switching
            cap = _cap_translation(m, transl_half)
            comp = _ires_compensation(m, a, cap, transl_half, ires_max, remaining)
            t = cap + comp if inhibited else cap
            drive = _g1_drive(e, t, er_weight, growth_factor, a)
            arrest, release = _switching_rates(drive, drive_half, drive_hill, switch_rate)
            switch = arrest if cycling else (release if arrested else zero)
            division = k_div if cycling else zero
            signalled = _apoptosis_rate(e, a, apo_basal, apo_gain, akt_surv)
            hypoxic = _apoptosis_rate(e, a, apo_basal, zero, akt_surv) + hypoxic_apo
            apoptosis = _apoptosis_by_status(signalled, hypoxic, one if cycling else zero,
                                             one if arrested else zero,
                                             one if quiescent else zero, arrested_factor)
            apoptosis = apoptosis if apo_on else zero
            necrosis = necrosis_rate if (viable and anoxic) else zero
            total = division + switch + apoptosis + necrosis
            scale = _scale_from_probability(-expm1_neg(-total * dt), total)
            ui = np.float32(bits[i] >> np.uint32(8)) * uniform_scale
            divide, switched, apoptose, necrose = _fates_from_uniform(
                ui, division, switch, apoptosis, necrosis, scale)
            cleared = ((st == fate.APOPTOTIC) and (ui < clear_apo)) or (
                (st == fate.NECROTIC) and (ui < clear_nec))
            new = st1
            if switched and cycling:
                new = np.uint8(fate.ARRESTED)
            if switched and arrested:
                new = np.uint8(fate.CYCLING)
            if apoptose:
                new = np.uint8(fate.APOPTOTIC)
            if necrose:
                new = np.uint8(fate.NECROTIC)
            status[i] = new  # in place (read above)
            c = np.uint8(0) if cleared else (np.uint8(2) if divide else np.uint8(1))
            counts[i] = c

    @_jit()
    def _copies_and_daughters(counts):
        """Sums of a block's copy counts (vectorised; written inline in scan_kernel's block
        loop, LLVM left it scalar: 0.42 against 0.09 ns per cell)."""
        copies = 0
        daughters = 0
        for i in range(counts.shape[0]):
            c = counts[i]
            copies += c
            daughters += c >> 1
        return copies, daughters

    @_jit()
    def scan_kernel(counts):
        """The copy counts summed: (cells after the update, daughters, the first cleared cell,
        the first cell from which the in-place update may run backwards).

        A kept cell ``i`` goes to slot ``j(i)`` = copies of the cells before it. Backwards in
        place is safe for cells with ``j(i) >= i`` (they move right, onto slots already read);
        ``first_safe`` is one past the last kept cell with ``j(i) < i`` (0 if none: a growing
        tumour's cells only move right once a few daughters are behind them). Blocks of 1024
        cells are summed vectorised; then cells are scanned one by one only in the block that
        holds the first cleared cell and, from the last block backwards, in the blocks where
        ``j(i) - i`` may drop below 0 (by at most the block's number of cleared cells) until
        the last cell moving left is found. (Scanning every such block forwards was ~1 ns per
        cell where a cleared core makes most cells move left.)"""
        n = counts.shape[0]
        n_blocks = (n + 1023) // 1024
        block_start = np.empty(n_blocks, dtype=np.int64)  # j of each block's first cell
        block_cleared = np.empty(n_blocks, dtype=np.int64)
        j = 0
        n_daughters = 0
        first_cleared = n
        first_cleared_block = n_blocks
        for b in range(n_blocks):
            lo = b * 1024
            hi = min(lo + 1024, n)
            block_start[b] = j
            copies, daughters = _copies_and_daughters(counts[lo:hi])
            block_cleared[b] = (hi - lo) - (copies - daughters)
            if first_cleared_block == n_blocks and block_cleared[b] > 0:
                first_cleared_block = b
            j += copies
            n_daughters += daughters
        if first_cleared_block < n_blocks:
            lo = first_cleared_block * 1024
            for i in range(lo, min(lo + 1024, n)):
                if counts[i] == 0:
                    first_cleared = i
                    break
        first_safe = 0
        b = n_blocks - 1
        while b >= first_cleared_block:  # no cell before the first cleared one moves left
            lo = b * 1024
            hi = min(lo + 1024, n)
            if block_start[b] - lo < block_cleared[b]:
                jj = block_start[b]
                for i in range(lo, hi):
                    c = counts[i]
                    if c != 0 and jj < i:
                        first_safe = i + 1
                    jj += c
                if first_safe:
                    break
            b -= 1
        return j, n_daughters, first_cleared, first_safe

    @_jit()
    def update_kernel(counts, cell_id, status, akt_, mtorc1, s6k1, er_activity, akt_expression,
                      er_expression, adapted, esr1_mutant, z_akt, z_er, redraw, sigma,
                      inheritance, next_id, daughter_at, out_id, out_status, out_akt, out_mtorc1,
                      out_s6k1, out_er, out_akt_expression, out_er_expression, out_adapted,
                      out_esr1_mutant):
        """Kernel 2: cleared cells leave, each daughter goes right behind its mother with a new
        id and redrawn expression (``heterogeneity.inherited_level``; the k-th daughter in
        filling order takes the k-th normal); everything else is copied.

        One pass with a branch per cell (kept: one copy; divided: a second copy). Measured
        faster than a branch-free pass that writes every cell twice (5.4-5.7 against 7.4-8.1
        ns per cell at 1e5-1e6 agents): ~92 % of cells are kept and the branch is well
        predicted, and the double writes cost store bandwidth. The indices are unsigned, so
        numba adds no negative-index wraparound to the 20 accesses. Writes only the ``n_out``
        slots it returns. A daughter's expression is redrawn as it is written; its position is
        noted (``daughter_at``: the ESR1 draws among daughters read it)."""
        j = np.uint64(0)
        k = np.uint64(0)
        one = np.uint64(1)
        first_id = np.uint64(next_id)
        n = np.uint64(counts.shape[0])
        i = np.uint64(0)
        while i < n:
            c = counts[i]
            if c != 0:
                out_id[j] = cell_id[i]
                out_status[j] = status[i]
                out_akt[j] = akt_[i]
                out_mtorc1[j] = mtorc1[i]
                out_s6k1[j] = s6k1[i]
                out_er[j] = er_activity[i]
                out_akt_expression[j] = akt_expression[i]
                out_er_expression[j] = er_expression[i]
                out_adapted[j] = adapted[i]
                out_esr1_mutant[j] = esr1_mutant[i]
                j += one
                if c == 2:
                    ae, ee = akt_expression[i], er_expression[i]
                    if redraw:  # here, not in a second pass: the mother's values are at hand
                        ae = _inherited_level(ae, z_akt[k], sigma, inheritance)
                        ee = _inherited_level(ee, z_er[k], sigma, inheritance)
                    out_id[j] = np.uint32(first_id + k)
                    out_status[j] = status[i]
                    out_akt[j] = akt_[i]
                    out_mtorc1[j] = mtorc1[i]
                    out_s6k1[j] = s6k1[i]
                    out_er[j] = er_activity[i]
                    out_akt_expression[j] = ae
                    out_er_expression[j] = ee
                    out_adapted[j] = adapted[i]
                    out_esr1_mutant[j] = esr1_mutant[i]
                    daughter_at[k] = j
                    j += one
                    k += one
            i += one
        return j


    @_jit()
    def update_in_place_kernel(counts, n, n_out, n_daughters, first_cleared, first_safe,
                               cell_id, status, akt_, mtorc1, s6k1, er_activity, akt_expression,
                               er_expression, adapted, esr1_mutant, z_akt, z_er, redraw, sigma,
                               inheritance, next_id, daughter_at):
        """Kernel 2 in place: the same cells, ids, draws and ``daughter_at`` as
        :func:`update_kernel`, written into the state buffers themselves (capacity at least
        ``max(n, n_out)``; :func:`scan_kernel` gives the other arguments).

        One set of state buffers instead of two (peak 46 against 73 B per agent at 1e6; no
        fresh pages per step where the allocator would not reuse freed memory, as for arrays
        above glibc's 32 MiB mmap threshold); measured as fast as :func:`update_kernel`, not
        faster. Two phases keep every read ahead of the writes: (1) forwards, the cells before ``first_safe`` drop their cleared cells (they
        only move left); (2) backwards, every cell goes to its final slot with its daughter
        (they only move right from there: see :func:`scan_kernel`), first the cells from
        ``first_safe`` on, then the ones phase 1 compacted. Daughters are numbered in filling
        order, as in :func:`update_kernel`, counting down from the last. Returns the slots left
        unaccounted for (0: every cell placed; a check). The copies are written out: numba
        adds reference counting to every array passed to a helper, in the loop (measured 10x
        slower)."""
        zero, one = np.uint64(0), np.uint64(1)
        stop = np.uint64(first_safe)
        w = zero
        if stop > zero:  # phase 1 (only where some cell would move left)
            w = np.uint64(first_cleared)
            i = w
            while i < stop:
                c = counts[i]
                if c != 0:
                    cell_id[w] = cell_id[i]
                    status[w] = status[i]
                    akt_[w] = akt_[i]
                    mtorc1[w] = mtorc1[i]
                    s6k1[w] = s6k1[i]
                    er_activity[w] = er_activity[i]
                    akt_expression[w] = akt_expression[i]
                    er_expression[w] = er_expression[i]
                    adapted[w] = adapted[i]
                    esr1_mutant[w] = esr1_mutant[i]
                    counts[w] = c
                    w += one
                i += one
        j = np.uint64(n_out)
        k = np.uint64(n_daughters)
        first_id = np.uint64(next_id)
        # phase 2 over [lo, i): first [first_safe, n), then the compacted [0, w); once no
        # daughter is left, the cells below `unmoved` (none cleared) stay where they are
        lo = stop
        unmoved = np.uint64(first_cleared) if stop == zero else zero
        i = np.uint64(n)
        while True:
            if i == lo:
                if lo == zero:
                    break
                i, lo, unmoved = w, zero, w
                continue
            if k == zero and i <= unmoved:
                break
            i -= one
            c = counts[i]
            if c == 2:  # the daughter first: right behind her mother, above the mother's slot
                j -= one
                k -= one
                ae, ee = akt_expression[i], er_expression[i]
                if redraw:
                    ae = _inherited_level(ae, z_akt[k], sigma, inheritance)
                    ee = _inherited_level(ee, z_er[k], sigma, inheritance)
                cell_id[j] = np.uint32(first_id + k)
                status[j] = status[i]
                akt_[j] = akt_[i]
                mtorc1[j] = mtorc1[i]
                s6k1[j] = s6k1[i]
                er_activity[j] = er_activity[i]
                akt_expression[j] = ae
                er_expression[j] = ee
                adapted[j] = adapted[i]
                esr1_mutant[j] = esr1_mutant[i]
                daughter_at[k] = j
            if c != 0:
                j -= one
                if j != i:
                    cell_id[j] = cell_id[i]
                    status[j] = status[i]
                    akt_[j] = akt_[i]
                    mtorc1[j] = mtorc1[i]
                    s6k1[j] = s6k1[i]
                    er_activity[j] = er_activity[i]
                    akt_expression[j] = akt_expression[i]
                    er_expression[j] = er_expression[i]
                    adapted[j] = adapted[i]
                    esr1_mutant[j] = esr1_mutant[i]
        return j - i  # cells 0..i-1 stay where they are: 0 slots left unaccounted

    # the summary counts each status by name, in code order (0 .. N_STATUS - 1)
    assert (fate.CYCLING, fate.QUIESCENT, fate.APOPTOTIC, fate.NECROTIC,
            fate.ARRESTED) == tuple(range(fate.N_STATUS))

    #: Slots of :func:`summary_kernel`'s output: cells per status (fate.N_STATUS of them), then
    #: sums over viable cells, then counts over non-necrotic (IHC-scored) cells.
    SUMMARY_SLOTS = ("akt", "mtorc1", "s6k1", "er_activity", "share_e2", "share_tamoxifen",
                     "share_ser167", "mtorc1_high", "er_high", "adapted", "esr1_mutant",
                     "n_scored", "ps6", "pakt", "er_positive", "ps6_intensity",
                     "pakt_intensity")

    @_jit()
    def summary_kernel(status, akt_, mtorc1, s6k1, er_activity, er_expression,
                       adapted, esr1_mutant, q, high, er_positive_threshold, er_protein_scale,
                       genotype_er, intensity_step, out):
        """One pass for :meth:`Tumour.summary`: the counts by status, the viable-cell sums of
        the states and of the ER shares, the IHC counts (``out``, float64, see
        :data:`SUMMARY_SLOTS`). The ER shares are those of the numpy summary: of the ER output
        of the stored Akt and S6K1 (``signalling.er_output_of_state``), the same biology
        functions in float32, summed in float64. A Ser167 Hill coefficient of 4 is passed as a
        constant, as in kernel 1."""
        if q[Q_SER167_HILL] == _HILL4:
            _summary(status, akt_, mtorc1, s6k1, er_activity, er_expression,
                     adapted, esr1_mutant, q, high, er_positive_threshold, er_protein_scale,
                     genotype_er, intensity_step, out, _HILL4)
        else:
            _summary(status, akt_, mtorc1, s6k1, er_activity, er_expression,
                     adapted, esr1_mutant, q, high, er_positive_threshold, er_protein_scale,
                     genotype_er, intensity_step, out, q[Q_SER167_HILL])

    @numba.njit(inline="always", error_model="numpy", fastmath=FASTMATH)
    def _summary(status, akt_, mtorc1, s6k1, er_activity, er_expression,
                 adapted, esr1_mutant, q, high, er_positive_threshold, er_protein_scale,
                 genotype_er, intensity_step, out, hill167):
        """The loop of :func:`summary_kernel`."""
        ns = fate.N_STATUS
        w167, half167 = q[Q_SER167_W], q[Q_SER167_HALF]
        er_scale = q[Q_ER_SCALE]
        # the sums in local variables (registers), not in `out` (numba cannot tell that `out`
        # is no input array, so every `out[k] += x` went through memory), and no branch in the
        # loop: counts by status as comparisons, the viable / scored cells' terms as selects,
        # so the loop vectorises (its float64 sums are then added in lanes, in another order
        # than cell by cell: equal to rounding, not to the bit)
        n_cycling = n_quiescent = n_apoptotic = n_necrotic = n_arrested = 0
        n_ps6 = n_pakt = n_er_pos = n_mtorc1_high = n_er_high = 0
        n_adapted = n_mutant = 0
        ps6_intensity = pakt_intensity = 0.0
        sum_akt = sum_mtorc1 = sum_s6k1 = sum_er = sum_e2 = sum_tam = sum_167 = 0.0
        zero = np.float32(0.0)
        three = np.float32(3.0)
        for i in range(status.shape[0]):
            st = status[i]
            n_cycling += st == fate.CYCLING
            n_quiescent += st == fate.QUIESCENT
            n_apoptotic += st == fate.APOPTOTIC
            n_necrotic += st == fate.NECROTIC
            n_arrested += st == fate.ARRESTED
            scored = st != fate.NECROTIC
            viable = _is_viable(st)
            ak, sk = akt_[i], s6k1[i]
            n_ps6 += scored and sk > high
            n_pakt += scored and ak > high
            # as Tumour.ihc: expression x ER protein left x the genotype's ER multiplier
            er_protein = er_expression[i] * er_protein_scale * genotype_er
            n_er_pos += scored and er_protein > er_positive_threshold
            # H-scores: staining intensity floor(activity / step), at most 3 (tumour.h_score)
            ps6_intensity += min(np.floor(sk / intensity_step), three) if scored else zero
            pakt_intensity += min(np.floor(ak / intensity_step), three) if scored else zero
            is_adapted = adapted[i] != 0
            is_mutant = esr1_mutant[i] != 0
            # the ER output of the last step, from its stored Akt and S6K1 (as
            # signalling.er_output_of_state)
            ser = _ser167(ak, sk, w167, half167, hill167)
            ee = er_expression[i] * er_scale
            ee = ee * q[Q_ADAPTED_ER] if is_adapted else ee
            s_e2, s_tam, s_167 = _er_stimuli(
                q[Q_MUT_E2] if is_mutant else q[Q_OCC_E2],
                q[Q_MUT_ANTI] if is_mutant else q[Q_OCC_ANTI],
                q[Q_MUT_FREE] if is_mutant else q[Q_OCC_FREE], ser, ee, q[Q_EFF_E2],
                q[Q_EFF_TAM], q[Q_EFF_TAM167], q[Q_EFF_UNL167])
            scale = _activity_per_stimulus(s_e2 + s_tam + s_167)
            m, e = mtorc1[i], er_activity[i]
            sum_akt += ak if viable else zero
            sum_mtorc1 += m if viable else zero
            sum_s6k1 += sk if viable else zero
            sum_er += e if viable else zero
            sum_e2 += s_e2 * scale if viable else zero
            sum_tam += s_tam * scale if viable else zero
            sum_167 += s_167 * scale if viable else zero
            n_mtorc1_high += viable and m > high
            n_er_high += viable and e > high
            n_adapted += viable and is_adapted
            n_mutant += viable and is_mutant
        n_scored = status.shape[0] - n_necrotic
        by_status = (n_cycling, n_quiescent, n_apoptotic, n_necrotic, n_arrested)
        for k in range(ns):
            out[k] = by_status[k]
        out[ns], out[ns + 1], out[ns + 2], out[ns + 3] = sum_akt, sum_mtorc1, sum_s6k1, sum_er
        out[ns + 4], out[ns + 5], out[ns + 6] = sum_e2, sum_tam, sum_167
        out[ns + 7], out[ns + 8] = n_mtorc1_high, n_er_high
        out[ns + 9], out[ns + 10] = n_adapted, n_mutant
        out[ns + 11], out[ns + 12], out[ns + 13] = n_scored, n_ps6, n_pakt
        out[ns + 14], out[ns + 15], out[ns + 16] = n_er_pos, ps6_intensity, pakt_intensity


#: The states kernel 2 writes, in CELL_STATES order, and the ones it redraws for daughters.
KERNEL_STATES = ("cell_id", "status", "akt", "mtorc1", "s6k1", "er_activity", "akt_expression",
                 "er_expression", "adapted", "esr1_mutant")
KERNEL_REDRAWN = ("akt_expression", "er_expression")


def check_states(state_names: tuple[str, ...], redrawn: tuple[str, ...]) -> None:
    """The fused kernels name every cell state: a state declared in ``CELL_STATES`` but not here
    must be added to :func:`update_kernel` (else the fused engine would drop it)."""
    if tuple(state_names) != KERNEL_STATES or tuple(redrawn) != KERNEL_REDRAWN:
        raise RuntimeError(
            f"the fused engine (xenosim/core/fused.py) copies the states {KERNEL_STATES} and "
            f"redraws {KERNEL_REDRAWN}, but CELL_STATES declares {tuple(state_names)} (redrawn "
            f"{tuple(redrawn)}): add the new state to update_kernel, or use engine: numpy")


class FusedStepper:
    """The tumour's state buffers (private, updated in place), scratch buffers and the per-step
    parameter vector.

    The tumour's state arrays are views ``buffer[:n]`` of buffers this stepper owns, with
    1/HEADROOM spare room; the update writes into them in place and a buffer grows with
    ``ndarray.resize`` (realloc: only the new part is fresh memory). A buffer that anyone else
    still holds (a reader kept a state array across steps) is never written by the update:
    that step writes new buffers instead, and the reader keeps the old ones."""

    def __init__(self) -> None:
        if not AVAILABLE:
            raise RuntimeError("engine 'fused' needs numba (pip install numba); "
                               "use engine: numpy")
        self.capacity = 0
        self.bits = np.empty(0, dtype=np.uint32)
        self.counts = np.empty(0, dtype=np.uint8)
        self.daughter_at = np.empty(0, dtype=np.int32)
        self.q = np.zeros(N_Q, dtype=np.float32)
        self.buffers: dict[str, np.ndarray] = {}  # the state buffers
        self.views: dict[str, np.ndarray] = {}  # the views of them the tumour was given
        #: Steps updated in place / into new buffers (the benchmark and tests read them).
        self.steps_in_place = 0
        self.steps_copied = 0

    def __getstate__(self) -> dict:
        """Copies and pickles carry no buffers (the next step adopts the copied arrays)."""
        state = self.__dict__.copy()
        state.update(capacity=0, bits=np.empty(0, dtype=np.uint32),
                     counts=np.empty(0, dtype=np.uint8),
                     daughter_at=np.empty(0, dtype=np.int32), q=self.q.copy(), buffers={},
                     views={})
        return state

    def _claim(self, tumour, n: int, n_out: int) -> bool:
        """Make every state array of ``tumour`` the view ``buffer[:n]`` of a buffer of this
        stepper that holds at least ``max(n, n_out)`` cells and that nobody else holds; False
        (the arrays left as they were) where that would need a copy.

        Our own view held by nobody else is dropped and its buffer grown in place if need be; an
        array the tumour was given from elsewhere (a copy, ``Tumour.adapt``'s new flags, the
        initial state) becomes the buffer itself when it owns its memory and nobody else holds
        it. ``ndarray.resize`` refuses (ValueError) while any other reference exists."""
        need = max(n, n_out)
        if len(self.views) == len(KERNEL_STATES):  # the usual step: all as the last one left
            held = tumour.__dict__
            for name in KERNEL_STATES:
                view = self.views[name]
                # refs: the tumour, self.views, `view`, the call; the view, self.buffers, the call
                if (held[name] is not view or sys.getrefcount(view) != 4
                        or sys.getrefcount(self.buffers[name]) != 3 or view.base.shape[0] < need):
                    break
            else:
                return True
            del view
        cap = need + need // HEADROOM
        ok = True
        for name in KERNEL_STATES:
            arr = getattr(tumour, name)
            setattr(tumour, name, None)
            # our last view is dropped either way (gone unless a reader holds it)
            if arr is self.views.pop(name, None):
                pass  # the tumour's array is that view: its buffer is checked below
            elif (arr.base is None and arr.flags.c_contiguous and arr.ndim == 1
                  and sys.getrefcount(arr) == 2):  # refs: `arr`, the call
                self.buffers[name] = arr  # an array of the tumour's own: adopt it
            elif name in self.buffers and self._free(name) and self.buffers[name].shape[0] >= n:
                np.copyto(self.buffers[name][:n], arr)  # copy it into our free buffer
            else:
                setattr(tumour, name, arr)
                ok = False
                continue
            del arr
            if self._free(name) and self.buffers[name].shape[0] < need:
                self.buffers[name].resize(cap)  # refcheck: refused while anyone holds it
            if not self._free(name):
                ok = False
            setattr(tumour, name, self.buffers[name][:n])
        if ok:
            for name in KERNEL_STATES:
                self.views[name] = getattr(tumour, name)
        return ok

    def _free(self, name: str) -> bool:
        """Nobody but this stepper holds buffer ``name`` (no view of it exists)."""
        return sys.getrefcount(self.buffers[name]) == 2  # refs: the dict, the call

    def _scratch(self, n: int) -> None:
        if n > self.capacity:
            cap = max(n + n // HEADROOM, 1024)
            for name, dtype in (("bits", np.uint32), ("counts", np.uint8)):
                try:  # grown in place (realloc): no fresh pages for what was there
                    getattr(self, name).resize(cap)
                except ValueError:  # a view of it is still alive: a new one
                    setattr(self, name, np.empty(cap, dtype=dtype))
            self.capacity = cap

    def parameters(self, tumour, exposure: Exposure, dt_h: float,
                   q: np.ndarray | None = None) -> np.ndarray:
        """The step's scalars into ``q`` (default: the stepper's own vector), from the same
        helpers the numpy engine uses; no side effect on the tumour."""
        from xenosim.core import lattice

        p = tumour.p
        q = self.q if q is None else q
        s = step_inputs(exposure, tumour.genotype, p)
        q[Q_PI3K], q[Q_CONSTITUTIVE], q[Q_FEEDBACK] = (s.pi3k_drive, s.constitutive_akt_drive,
                                                       s.feedback_gain)
        q[Q_TORC2], q[Q_MTORC1_BASAL], q[Q_MTORC1_HALF] = (s.torc2_inhibition, s.mtorc1_basal,
                                                           s.mtorc1_akt_half)
        q[Q_MTORC1_INHIB], q[Q_SER167_W], q[Q_SER167_HALF] = (
            s.mtorc1_inhibition, s.ser167_weight_s6k1, s.ser167_half_input)
        q[Q_SER167_HILL], q[Q_OCC_E2], q[Q_OCC_ANTI] = s.ser167_hill, s.occ_e2, s.occ_anti
        q[Q_OCC_FREE], q[Q_ER_SCALE] = s.occ_free, s.er_scale
        self.occ_e2, self.er_protein = float(s.occ_e2), s.er_protein  # the last call's
        if tumour.esr1_mutant.any():
            q[Q_MUT_E2], q[Q_MUT_ANTI], q[Q_MUT_FREE] = mutant_occupancy(exposure, s, p)
        else:  # no mutant cell reads them
            q[Q_MUT_E2], q[Q_MUT_ANTI], q[Q_MUT_FREE] = s.occ_e2, s.occ_anti, s.occ_free
        q[Q_ADAPTED_PI3K] = adaptation.LTED_EFFECT.get("pi3k_multiplier", 1.0)
        q[Q_ADAPTED_ER] = adaptation.LTED_EFFECT.get("er_expression_multiplier", 1.0)
        q[Q_EFF_E2], q[Q_EFF_TAM] = p["efficacy_e2"], p["efficacy_tamoxifen_bound"]
        q[Q_EFF_TAM167], q[Q_EFF_UNL167] = (p["efficacy_tamoxifen_ser167"],
                                            p["efficacy_unliganded_ser167"])
        q[Q_TRANSL_HALF], q[Q_IRES_MAX] = p["translation_half_mtorc1"], p["ires_translation_max"]
        q[Q_INHIBITED] = 1.0 if exposure.mtorc1_inhibition else 0.0
        q[Q_REMAINING] = (cellcycle.uninhibited_share(exposure.mtorc1_inhibition)
                          if exposure.mtorc1_inhibition else 1.0)
        rates = tumour.rates
        q[Q_ER_WEIGHT], q[Q_GROWTH_FACTOR] = rates.er_weight, tumour.growth_factor
        q[Q_DRIVE_HALF], q[Q_DRIVE_HILL] = p["g1_drive_half"], p["g1_restriction_hill"]
        q[Q_SWITCH_RATE] = p["g1_switch_rate_per_h"]
        k_div = rates.division_rate_max_per_h
        if tumour.invivo:
            k_div *= p["invivo_cycling_factor"]
            q[Q_APO_ON] = 1.0
        else:  # in vitro the step has no apoptosis (wells add their own pass)
            q[Q_APO_ON] = 0.0
        q[Q_K_DIV] = k_div
        q[Q_APO_BASAL], q[Q_APO_GAIN] = (p["apoptosis_rate_invivo_per_day"],
                                         p["apoptosis_deprivation_gain"])
        q[Q_AKT_SURV] = p["akt_survival_max"]
        q[Q_HYPOXIC_APO] = p["hypoxic_apoptosis_per_day"] / 24.0
        q[Q_ARRESTED_FACTOR] = p["arrested_apoptosis_factor"]
        q[Q_NECROSIS], q[Q_DT] = p["necrosis_rate_per_day"] / 24.0, dt_h
        q[Q_CLEAR_APO] = fate.clearance_probability(p["apoptotic_clearance_half_life_h"], dt_h)
        q[Q_CLEAR_NEC] = fate.clearance_probability(
            p["necrotic_clearance_half_life_day"] * 24.0, dt_h)
        if tumour.invivo and tumour.hypoxia:
            ball = lattice.ball_radius(tumour.n_agents)
            pen = p["oxygen_penetration_mm"]
            d_hyp = oxygen.depth_at_oxygen(p["hypoxia_threshold"], pen)
            d_anox = oxygen.depth_at_oxygen(p["anoxia_threshold"], pen)
            # o2 >= threshold <=> depth <= d <=> radius >= ball - d / spacing
            q[Q_R_HYPOXIC] = ball - d_hyp / tumour.spacing_mm
            q[Q_R_ANOXIC] = ball - d_anox / tumour.spacing_mm
        else:  # oxygen 1 everywhere: every cell oxygenated, none anoxic
            q[Q_R_HYPOXIC], q[Q_R_ANOXIC] = -np.inf, -np.inf
        q[Q_SIGMA], q[Q_INHERIT] = p["expression_sigma_log"], p["expression_inheritance"]
        q[Q_HYPOXIC_KEPT] = s.hypoxic_akt_drive_kept
        return q

    def summary_sums(self, tumour, exposure: Exposure | None) -> np.ndarray | None:
        """:func:`summary_kernel` over ``tumour`` under ``exposure`` (None: no ER shares are
        asked for, the kernel gets this step's scalars), or None when ER protein is per cell
        (the numpy summary handles it)."""
        q = self.q if exposure is None else self.parameters(tumour, exposure, 12.0,
                                                             np.empty(N_Q, dtype=np.float32))
        er_protein = tumour.er_protein
        if np.ndim(er_protein) != 0:
            return None
        out = np.zeros(fate.N_STATUS + len(SUMMARY_SLOTS), dtype=np.float64)
        p = tumour.p
        summary_kernel(tumour.status, tumour.akt, tumour.mtorc1, tumour.s6k1,
                       tumour.er_activity, tumour.er_expression,
                       tumour.adapted, tumour.esr1_mutant, q,
                       np.float32(p["high_activity_threshold"]),
                       np.float32(p["er_positive_threshold"]), np.float32(er_protein),
                       np.float32(tumour.genotype.er_expression_multiplier),
                       np.float32(p["ihc_intensity_step"]), out)
        return out

    def step(self, tumour, exposure: Exposure, dt_h: float) -> None:
        """One step of ``tumour`` (a :class:`~xenosim.core.tumour.Tumour`) in place, drawing
        what the numpy engine draws in its order: the uniforms, the adaptation draws
        (``Tumour.adapt``, on the statuses after the fates), the daughters' normals, the ESR1
        mutations of daughters."""
        from xenosim.core import lattice

        n = tumour.n_agents
        self._scratch(n)
        q = self.parameters(tumour, exposure, dt_h)
        # as the numpy engine's signalling: adaptation and IHC read them
        tumour.occ_e2, tumour.er_protein = self.occ_e2, self.er_protein
        radius = lattice.site_radius(n)
        # the 32-bit outputs rng.random(n, float32) would use (kernel 1 makes the uniforms)
        bits = uniforms.uniform_bits(tumour.rng, n, self.bits)
        counts = self.counts[:n]
        # status and S6K1 are updated in place, Akt / mTORC1 / ER output written over last
        # step's values (no kernel scratch; the update below copies them into fresh arrays)
        signal_fate_kernel(
            tumour.status, tumour.s6k1, tumour.akt_expression, tumour.er_expression,
            tumour.adapted, tumour.esr1_mutant, radius, bits, q, tumour.akt, tumour.mtorc1,
            tumour.er_activity, counts)
        tumour.adapt(dt_h)  # on the statuses after the fates; may replace tumour.adapted
        n_out, n_daughters, first_cleared, first_safe = (int(x) for x in scan_kernel(counts))
        sigma = np.float32(q[Q_SIGMA])
        redraw = n_daughters > 0 and tumour.p["expression_sigma_log"] != 0.0
        if redraw:  # the numpy engine's draws, in its order (REDRAWN_STATES)
            z_akt = tumour.rng.standard_normal(n_daughters, dtype=np.float32)
            z_er = tumour.rng.standard_normal(n_daughters, dtype=np.float32)
        else:
            z_akt = z_er = np.zeros(1, dtype=np.float32)
        if self.daughter_at.shape[0] < n_daughters + 1:  # kernel 2 notes each daughter's slot
            self.daughter_at = np.empty(n_daughters + n_daughters // 4 + 64, dtype=np.int32)
        if self._claim(tumour, n, n_out):  # the usual case: in place, in our own buffers
            out = self.buffers
            if min(buf.shape[0] for buf in out.values()) < max(n, n_out):  # never
                raise AssertionError("fused update: state buffers too small")
            left = update_in_place_kernel(
                counts, n, n_out, n_daughters, first_cleared, first_safe, *out.values(),
                z_akt, z_er, redraw, sigma, q[Q_INHERIT], tumour.next_id, self.daughter_at)
            assert left == 0
            self.steps_in_place += 1
        else:  # someone holds a state array: new buffers (theirs keep their values)
            out = {name: np.empty(n_out + n_out // HEADROOM, dtype=getattr(tumour, name).dtype)
                   for name in KERNEL_STATES}
            written = update_kernel(
                counts, *(getattr(tumour, name) for name in KERNEL_STATES), z_akt, z_er,
                redraw, sigma, q[Q_INHERIT], tumour.next_id, self.daughter_at, *out.values())
            assert written == n_out
            self.buffers = out
            self.steps_copied += 1
        rate = tumour.p.get("esr1_mutation_rate_per_division", 0.0)
        if rate > 0.0 and n_daughters:  # acquired ESR1 mutations, in daughters (numpy: _update)
            daughters = self.daughter_at[:n_daughters]
            hit = daughters[adaptation.draw_events(tumour.rng, n_daughters, rate)]
            out["esr1_mutant"][hit] = 1
        for name in KERNEL_STATES:
            view = self.views[name] = self.buffers[name][:n_out]
            setattr(tumour, name, view)
        tumour.next_id += n_daughters
