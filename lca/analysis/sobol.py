"""Fast, vectorised Sobol' sensitivity indices for many model outputs at once.

This module re-implements the estimators of :func:`SALib.analyze.sobol.analyze`
(SALib 1.6) so that an arbitrary stack of outputs -- e.g. 16 impact
categories times a few scenarios -- is analysed in one pass, with bootstrap
confidence intervals computed by array operations instead of Python loops.

The point estimates are numerically identical (to ~1e-12) to SALib's; the
confidence intervals follow the same bootstrap recipe but use their own
random draws from an explicit :class:`numpy.random.Generator`.

Groups of parameters (SALib's ``problem["groups"]``) are supported by both
:func:`sample` (the Saltelli design, identical to
:func:`SALib.sample.sobol.sample`, built with array operations) and
:func:`analyze` (one index per group): every parameter of a group is switched
from matrix A to matrix B together, so the design has ``N*(G+2)`` rows for
``G`` groups and the indices measure the group as a whole.
"""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist

import numpy as np

__all__ = ["analyze", "compile_groups", "design", "sample", "warnings_for"]

# Working-memory budget (bytes) for the temporary arrays of one chunk.
_CHUNK_BYTES = 32 * 2**20
_EPS = np.finfo(float).eps
# Precision of the resampled S2 sums (behind S2_conf only; S1/ST and every point estimate are
# float64). There are D*(D-1)/2 such terms per output, so float32 halves the cost of the largest
# matrix product; every term is formed in float64 first, so the half-widths agree with a float64
# computation to about 1e-6 relative (1e-7 absolute), far below the Monte Carlo error of a
# bootstrap (about 1/sqrt(2 * num_resamples), 7 % for 100 resamples).
_BOOT_DTYPE = np.float32


# A numeric kernel kept whole on purpose (docs/architecture.md): most of its length is the numpydoc,
# and the estimators read best next to each other, as in SALib's own analyze functions.
def analyze(
    Y,
    num_vars,
    *,
    calc_second_order=False,
    num_resamples=100,
    conf_level=0.95,
    seed=None,
    rng=None,
    groups=None,
    block_major=False,
):
    r"""Sobol' first-, second- and total-order indices with bootstrap CIs.

    Vectorised equivalent of :func:`SALib.analyze.sobol.analyze` for any
    number of outputs: the last axis of `Y` holds the model evaluations on a
    Saltelli/Sobol' design, all leading axes are independent outputs that are
    analysed simultaneously.

    Parameters
    ----------
    Y : array_like, shape (..., N*(D+2)) or (..., N*(2*D+2))
        Model outputs evaluated, in order, on the rows of
        ``SALib.sample.sobol.sample(problem, N, calc_second_order=...)``
        (or of :func:`sample`). For every base sample the rows are laid out
        as in SALib's ``separate_output_values``: ``A, AB_1, ..., AB_D,
        [BA_1, ..., BA_D,] B`` (the ``BA`` block only when
        `calc_second_order` is true). With `groups`, ``D`` is the number of
        groups ``G``. Any leading dimensions are treated as separate outputs.
    num_vars : int
        Number of parameters used when sampling (``problem["num_vars"]``).
        Without `groups` this is ``D``; the number of groups can also be
        given directly here, as the design only depends on it.
    calc_second_order : bool, optional
        Whether `Y` was generated with ``calc_second_order=True`` and
        second-order indices should be computed. Default False.
    num_resamples : int, optional
        Number of bootstrap resamples of the ``N`` base rows used for the
        confidence intervals (default 100). ``0`` skips the bootstrap and
        returns NaN confidence intervals; ``1`` is rejected (a standard
        deviation cannot be estimated from one resample).
    conf_level : float, optional
        Confidence level in (0, 1), default 0.95.
    seed : int, optional
        Seed for ``np.random.default_rng`` (ignored if `rng` is given).
    rng : numpy.random.Generator, optional
        Generator used for the bootstrap draws. Passing both `seed` and `rng`
        is an error.
    groups : sequence, optional
        One group name per parameter (length `num_vars`), as SALib's
        ``problem["groups"]``; the samples must come from a design built with
        the same groups. Indices are then returned per group, in the order of
        first appearance in `groups` (``compile_groups(groups)[0]``).
        Default None: one index per parameter.
    block_major : bool, optional
        If True, `Y` has shape ``(..., S, N)`` with ``S = D + 2`` (``2*D + 2``
        with second order): ``Y[..., t, i]`` is block ``t`` (``A, AB_1, ...,
        [BA_1, ...,] B``) of base row ``i``, i.e. the transpose of the
        default layout, as evaluating the factored design of :func:`design`
        block by block gives it. Default False (SALib's row order).

    Returns
    -------
    dict of numpy.ndarray
        ``"S1"``, ``"S1_conf"``, ``"ST"``, ``"ST_conf"`` with shape
        ``(..., D)`` (``(..., G)`` with `groups`); with `calc_second_order`
        also ``"S2"`` and ``"S2_conf"`` with shape ``(..., D, D)``, holding
        values only for ``j < k`` (the diagonal and lower triangle are NaN,
        as in SALib).
        ``*_conf`` is the half-width of the confidence interval,
        ``z * std(bootstrap estimates, ddof=1)`` with
        ``z`` the standard normal quantile at ``0.5 + conf_level / 2``.

    Raises
    ------
    ValueError
        If the length of the last axis of `Y` is not a positive multiple of
        ``D + 2`` (``2*D + 2`` with second order), if `groups` does not have
        one entry per parameter, or on invalid arguments.

    Notes
    -----
    Each output is first standardised, ``Y = (Y - Y.mean()) / Y.std()``,
    exactly as SALib 1.6 does (the first-order estimator is not invariant to
    a shift of `Y`). With ``V = var([A; B])`` (population variance over the
    ``2N`` values of blocks A and B):

    * first order (Saltelli et al. 2010): ``S1_j = mean(B * (AB_j - A)) / V``
    * total order (Jansen 1999): ``ST_j = 0.5 * mean((A - AB_j)**2) / V``
    * second order (Saltelli 2002):
      ``S2_jk = mean(BA_j * AB_k - A * B) / V - S1_j - S1_k``

    **Groups** (Jacques, Lavergne & Devictor 2006 [7]_; SALib's ``groups``).
    In ``AB_g`` every parameter of group ``g`` takes its value from B and all
    others from A, so the same estimators give the closed first-order index
    of the group, ``S1_g = V[E(Y | X_g)] / V``, and its total index
    ``ST_g = E[V(Y | X_~g)] / V``; ``S2`` is the second-order index of two
    groups. Groups are not a model change: for independent inputs,
    ``S1_g >= sum of S1_j`` over the members (the excess is the interactions
    inside the group) and ``ST_g <= sum of ST_j``.

    Bootstrap (Efron & Tibshirani 1993): each resample draws ``N`` base-row
    indices with replacement and re-evaluates the estimators on the selected
    rows (A, B, AB and BA rows move together). Because every estimator is a
    ratio of sample means, a resample is fully described by the count of
    times each row is drawn, so all resamples and outputs are evaluated with
    matrix products ``per_row_terms @ counts.T`` (chunked over rows to bound
    memory). The point estimates are float64 throughout; the resampled sums
    of the S2 terms (``D*(D-1)/2`` per output, most of the work) are
    accumulated in float32 after each term has been formed in float64, so
    ``S2_conf`` agrees with an all-float64 computation to about 1e-6
    relative (1e-7 absolute), far below the Monte Carlo error of the
    bootstrap itself; ``S1_conf`` and ``ST_conf`` are float64. The draws
    come only from `rng` / `seed`, so results are
    reproducible; they do not reproduce SALib's own (global-state) draws, so
    the intervals agree with SALib's only statistically.

    **Zero-variance outputs.** If an output is constant (all values equal up
    to a few ulps), every index and interval for that output is NaN, and no
    exception or warning is raised. Likewise, if ``var([A; B])`` of the
    standardised output is below machine epsilon, the corresponding indices
    are NaN. SALib instead returns 0 in these cases (with a
    ``RuntimeWarning``); NaN is used here because the indices are undefined,
    not zero. Non-finite values in `Y` propagate to NaN results.

    References
    ----------
    .. [1] Sobol', I. M. (2001). Global sensitivity indices for nonlinear
       mathematical models and their Monte Carlo estimates. Mathematics and
       Computers in Simulation, 55(1-3), 271-280.
       doi:10.1016/S0378-4754(00)00270-6
    .. [2] Saltelli, A. (2002). Making best use of model evaluations to
       compute sensitivity indices. Computer Physics Communications, 145(2),
       280-297. doi:10.1016/S0010-4655(02)00280-1
    .. [3] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., &
       Tarantola, S. (2010). Variance based sensitivity analysis of model
       output. Design and estimator for the total sensitivity index.
       Computer Physics Communications, 181(2), 259-270.
       doi:10.1016/j.cpc.2009.09.018
    .. [4] Jansen, M. J. W. (1999). Analysis of variance designs for model
       output. Computer Physics Communications, 117(1-2), 35-43.
       doi:10.1016/S0010-4655(98)00154-4
    .. [5] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the
       Bootstrap. Chapman & Hall/CRC, New York.
    .. [6] Herman, J., & Usher, W. (2017). SALib: An open-source Python
       library for sensitivity analysis. Journal of Open Source Software,
       2(9), 97. doi:10.21105/joss.00097
    .. [7] Jacques, J., Lavergne, C., & Devictor, N. (2006). Sensitivity
       analysis in presence of model uncertainty and correlated inputs.
       Reliability Engineering & System Safety, 91(10-11), 1126-1134.
       doi:10.1016/j.ress.2005.11.047

    Examples
    --------
    >>> from SALib.sample import sobol as sobol_sample
    >>> from SALib.test_functions import Ishigami
    >>> problem = {"num_vars": 3, "names": ["x1", "x2", "x3"],
    ...            "bounds": [[-np.pi, np.pi]] * 3}
    >>> X = sobol_sample.sample(problem, 1024, calc_second_order=False, seed=1)
    >>> Y = np.stack([Ishigami.evaluate(X), X.sum(axis=1)])   # 2 outputs
    >>> res = analyze(Y, 3, seed=42)
    >>> res["S1"].shape
    (2, 3)

    Grouped: x1 and x3 together (their interaction is inside the group).

    >>> X = sample(3, 1024, groups=["a", "b", "a"], seed=1) * 2 * np.pi - np.pi
    >>> res = analyze(Ishigami.evaluate(X), 3, groups=["a", "b", "a"], seed=42)
    >>> res["S1"].shape
    (2,)
    """
    D = _check_int(num_vars, "num_vars", minimum=1)
    if groups is not None:
        D = len(compile_groups(groups, D)[0])
    R = _check_int(num_resamples, "num_resamples", minimum=0)
    if R == 1:
        raise ValueError(
            "num_resamples=1 cannot give a confidence interval (std with "
            "ddof=1 needs >= 2 resamples); use 0 to skip the bootstrap or "
            ">= 2 (e.g. 100)."
        )
    if not 0.0 < float(conf_level) < 1.0:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}.")
    if rng is not None and seed is not None:
        raise ValueError("Pass either `seed` or `rng`, not both.")
    if rng is None:
        rng = np.random.default_rng(seed)
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}."
        )

    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim < (2 if block_major else 1):
        raise ValueError(
            "Y must have at least two dimensions (blocks, N) with block_major=True."
            if block_major else "Y must have at least one dimension."
        )
    step = 2 * D + 2 if calc_second_order else D + 2
    L = Y.shape[-1] * Y.shape[-2] if block_major else Y.shape[-1]
    if block_major and Y.shape[-2] != step:
        raise ValueError(
            f"Y has {Y.shape[-2]} blocks along its second-last axis, but with "
            f"{D} {'groups' if groups is not None else 'parameters'} and "
            f"calc_second_order={bool(calc_second_order)} the design has {step}."
        )
    if L == 0 or L % step:
        form = "N*(2*D+2)" if calc_second_order else "N*(D+2)"
        what = f"{D} groups" if groups is not None else f"num_vars={D}"
        raise ValueError(
            f"Y has {L} values along its last axis, but with {what} and "
            f"calc_second_order={bool(calc_second_order)} the expected length "
            f"is {form} = N*{step} (a positive multiple of {step}, e.g. "
            f"{1024 * step} for N=1024). Check that num_vars and "
            f"calc_second_order match the options used for sampling."
        )
    N = L // step
    lead = Y.shape[:-2] if block_major else Y.shape[:-1]
    M = math.prod(lead)
    Y2 = Y.reshape(M, L)
    # (M, step, N) view: block t of base row i is Yb[:, t, i]
    Yb = Y2.reshape(M, step, N) if block_major else Y2.reshape(M, N, step).transpose(0, 2, 1)

    # --- per-output standardisation (as SALib 1.6) and constant detection --
    mu = Y2.mean(axis=1)
    sd = np.sqrt(_sum_sq_dev(Y2, mu) / L)  # = Y2.std(axis=1), without an (M, L) temporary
    hi, lo = Y2.max(axis=1), Y2.min(axis=1)
    ptp = hi - lo
    scale = np.maximum(np.abs(hi), np.abs(lo))
    const = ~(sd > 0) | (ptp <= 4 * _EPS * scale)
    const &= np.isfinite(sd)  # non-finite outputs propagate NaN naturally
    sd = np.where(const, 1.0, sd)

    # --- per-row terms whose means give every estimator ---------------------
    # columns: 0: A+B, 1: A^2+B^2, 2..2+D: B*(AB_j-A), 2+D..2+2D: (A-AB_j)^2,
    # then (if second order) BA_j*AB_k - A*B for j<k (np.triu_indices order).
    jj, kk = np.triu_indices(D, 1) if calc_second_order else (None, None)
    P = len(jj) if calc_second_order else 0

    # --- bootstrap counts: counts[r, i] = times base row i is drawn ---------
    counts = None
    if R:
        counts = np.empty((R, N), dtype=_BOOT_DTYPE)  # integers: exact for N < 2**24
        rc = max(1, _CHUNK_BYTES // (8 * N))
        for r0 in range(0, R, rc):  # chunks of resamples bound memory
            r1 = min(R, r0 + rc)
            idx = rng.integers(0, N, size=(r1 - r0, N))
            idx += (np.arange(r1 - r0) * N)[:, None]
            counts[r0:r1] = np.bincount(
                idx.ravel(), minlength=(r1 - r0) * N
            ).reshape(r1 - r0, N)
            del idx

    # --- sums over base rows, in chunks (buffers reused across chunks) ------
    # Columns 0 .. 2+2D (variance, S1, ST) are formed in float64 and summed
    # with weights [1; counts] in one float64 matrix product: row 0 is the
    # full sample (the point estimates), rows 1.. the resamples. The S2
    # columns are many (D*(D-1)/2 per output): the full-sample sums are summed
    # in float64 as each term is formed, the resampled ones come from a
    # float32 product (see _BOOT_DTYPE), each term being formed in float64
    # before it is rounded.
    # The terms are built from the raw outputs where that is exact
    # (AB_j - A does not depend on the shift by the mean) and the scale
    # 1/sd is applied to the sums, so only A, B (and, for S2, AB and BA)
    # are standardised.
    K1 = 2 + 2 * D
    acc1 = np.zeros((M, K1, R + 1))
    acc2 = np.zeros((M, P, R + 1)) if calc_second_order else None
    nr = min(N, max(1, _CHUNK_BYTES // max(8 * M * K1, 4 * M * P, 8 * M * step, 8 * (R + 1))))
    bufs = None
    inv = (1.0 / sd)[:, None]
    for a in range(0, N, nr):
        b = min(N, a + nr)
        n = b - a
        if bufs is None or bufs[0].shape[-1] != n:
            W = np.empty((R + 1, n))
            W[0] = 1.0
            bufs = (np.empty((M, K1, n)), W, np.empty((M, 2, n)),
                    np.empty((M, 2 * D, n)) if calc_second_order else None,
                    np.empty((M, max(D - 1, 1), n)) if calc_second_order else None,
                    np.empty((M, P, n), dtype=_BOOT_DTYPE) if calc_second_order and R else None)
        F, W, AcBc, Ys, tmp, F2 = bufs
        Yc = Yb[:, :, a:b]
        np.subtract(Yc[:, [0, step - 1]], mu[:, None, None], out=AcBc)
        AcBc *= inv[:, :, None]
        A, B = AcBc[:, 0], AcBc[:, 1]
        np.add(A, B, out=F[:, 0])
        np.multiply(A, A, out=F[:, 1])
        F[:, 1] += B * B
        d1 = F[:, 2 : 2 + D]
        np.subtract(Yc[:, 1 : D + 1], Yc[:, :1], out=d1)  # raw AB_j - A (exact for a shift)
        np.square(d1, out=F[:, 2 + D :])  # (sd * (AB_j - A))^2: scaled by 1/sd^2 below
        d1 *= B[:, None]  # sd * B * (AB_j - A): scaled by 1/sd below
        if R:
            W[1:] = counts[:, a:b]
        acc1 += (F.reshape(M * K1, n) @ W.T).reshape(M, K1, R + 1)
        if calc_second_order:
            np.subtract(Yc[:, 1 : 2 * D + 1], mu[:, None, None], out=Ys)
            Ys *= inv[:, :, None]
            AB, BA = Ys[:, :D], Ys[:, D:]
            ab = A * B
            acc2[:, :, 0] -= ab.sum(axis=1)[:, None]
            off = 0
            for j in range(D - 1):  # pairs (j, k > j): one broadcast product each
                w = D - 1 - j
                t = tmp[:, :w]
                np.multiply(BA[:, j : j + 1], AB[:, j + 1 :], out=t)
                acc2[:, off : off + w, 0] += t.sum(axis=-1)  # full sample, float64
                if R:
                    np.subtract(t, ab[:, None], out=F2[:, off : off + w], casting="same_kind")
                off += w
            if R:
                acc2[:, :, 1:] += (F2.reshape(M * P, n) @ counts[:, a:b].T).reshape(M, P, R)
    del bufs
    acc1[:, 2 : 2 + D] *= inv[:, :, None]
    acc1[:, 2 + D :] *= (inv * inv)[:, :, None]

    # acc[0]: full sample, acc[1:]: resamples; shape (R + 1, M, K)
    parts = [acc1] if acc2 is None else [acc1, acc2]
    acc = np.concatenate(parts, axis=1).transpose(2, 0, 1)
    mean_y = acc[..., 0] / (2 * N)
    var = acc[..., 1] / (2 * N) - mean_y**2
    var = np.where(var > _EPS, var, np.nan)[..., None]
    S1 = acc[..., 2 : 2 + D] / N / var
    ST = 0.5 * acc[..., 2 + D : 2 + 2 * D] / N / var
    if calc_second_order:
        S2p = acc[..., 2 + 2 * D :] / N / var - S1[..., jj] - S1[..., kk]

    z = NormalDist().inv_cdf(0.5 + float(conf_level) / 2)

    def _conf(est):
        if not R:
            return np.full(est.shape[1:], np.nan)
        return z * np.std(est[1:], axis=0, ddof=1)

    out = {
        "S1": S1[0],
        "S1_conf": _conf(S1),
        "ST": ST[0],
        "ST_conf": _conf(ST),
    }
    if calc_second_order:
        S2 = np.full((M, D, D), np.nan)
        S2c = np.full((M, D, D), np.nan)
        S2[:, jj, kk] = S2p[0]
        S2c[:, jj, kk] = _conf(S2p)
        out["S2"], out["S2_conf"] = S2, S2c

    for key, v in out.items():
        v[const] = np.nan
        out[key] = v.reshape(lead + v.shape[1:])
    return out


def _sum_sq_dev(Y2, mu, chunk=2**15):
    """``((Y2 - mu[:, None])**2).sum(axis=1)`` (two-pass, as ``np.var``) in cache-sized pieces."""
    out = np.zeros(Y2.shape[0])
    buf = np.empty((Y2.shape[0], min(chunk, Y2.shape[1])))
    for a in range(0, Y2.shape[1], chunk):
        d = buf[:, : min(chunk, Y2.shape[1] - a)]
        np.subtract(Y2[:, a : a + chunk], mu[:, None], out=d)
        out += np.einsum("mn,mn->m", d, d)
    return out


def compile_groups(groups, num_vars=None):
    """Group names and each parameter's group, as SALib compiles ``groups``.

    Parameters
    ----------
    groups : sequence
        One group name per parameter (SALib's ``problem["groups"]``).
    num_vars : int, optional
        Number of parameters; if given, `groups` must have this length.

    Returns
    -------
    names : list
        The distinct group names in order of first appearance (as
        ``pandas.unique``, which SALib uses); the index order of the grouped
        results of :func:`analyze` and of the ``AB``/``BA`` blocks of
        :func:`sample`.
    member : numpy.ndarray of int, shape (num_vars,)
        ``member[j]`` is the position in `names` of parameter ``j``'s group.

    Raises
    ------
    ValueError
        If `groups` is empty, a string, or not of length `num_vars`.
    """
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__len__"):
        raise ValueError(
            f"groups must be a sequence with one group name per parameter, "
            f"got {groups!r}."
        )
    groups = list(groups)
    if not groups:
        raise ValueError("groups is empty: give one group name per parameter.")
    if num_vars is not None and len(groups) != num_vars:
        raise ValueError(
            f"groups has {len(groups)} entries but there are {num_vars} "
            f"parameters: give one group name per parameter."
        )
    position = {}
    member = np.array([position.setdefault(g, len(position)) for g in groups])
    return list(position), member


def sample(
    num_vars,
    N,
    *,
    calc_second_order=False,
    groups=None,
    scramble=True,
    seed=None,
):
    """Saltelli design on the unit hypercube, as SALib's Sobol' sampler.

    Builds, with array operations, the same matrix as
    ``SALib.sample.sobol.sample(problem, N, calc_second_order=...,
    scramble=..., seed=...)`` for a problem with `num_vars` parameters on
    ``[0, 1]`` and the given `groups` (bit-for-bit: the same
    :class:`scipy.stats.qmc.Sobol` base sequence of dimension
    ``2 * num_vars``, the same row layout). Map the columns through each
    parameter's quantile function to sample other distributions.

    Parameters
    ----------
    num_vars : int
        Number of parameters ``D`` (columns of the design).
    N : int
        Base sample size (a power of two keeps the Sobol' sequence balanced;
        scipy warns otherwise).
    calc_second_order : bool, optional
        Also add the ``BA`` blocks needed for second-order indices.
        Default False (note: SALib's default is True).
    groups : sequence, optional
        One group name per parameter (SALib's ``problem["groups"]``): the
        members of a group are switched between A and B together. Default
        None: every parameter on its own.
    scramble : bool, optional
        Scramble the Sobol' sequence (LMS + digital shift), default True.
    seed : {None, int, numpy.random.Generator}, optional
        Passed to :class:`scipy.stats.qmc.Sobol` as SALib does.

    Returns
    -------
    numpy.ndarray, shape (N*(G+2), D) or (N*(2*G+2), D)
        ``G`` is the number of groups (``D`` without groups). For base row
        ``i`` the rows are ``A_i, AB_1, ..., AB_G, [BA_1, ..., BA_G,] B_i``
        where ``A = base[:, :D]``, ``B = base[:, D:]``, ``AB_g`` is A with
        the columns of group ``g`` taken from B and ``BA_g`` is B with those
        columns taken from A.

    Notes
    -----
    SALib's sampler ignores `groups` when all parameters share one group
    (it then builds the ungrouped design); here one group gives the
    ``N*3`` design of a single factor, consistent with :func:`analyze`.
    Memory: the result holds ``N * (G + 2) * D`` floats.

    Examples
    --------
    >>> sample(3, 4, groups=["a", "b", "a"], seed=1).shape
    (16, 3)
    """
    A, B, from_b = design(num_vars, N, calc_second_order=calc_second_order, groups=groups,
                          scramble=scramble, seed=seed)
    D = A.shape[1]
    return np.where(from_b[None], B[:, None, :], A[:, None, :]).reshape(-1, D)


def design(
    num_vars,
    N,
    *,
    calc_second_order=False,
    groups=None,
    scramble=True,
    seed=None,
):
    """The Saltelli design of :func:`sample` in factored form: A, B and the block pattern.

    Every element of the design is an element of A or of B in the same
    column, so the design is fully described by the two base matrices and,
    for each block of rows, which columns come from B. A caller that maps
    the columns through quantile functions can therefore map only the
    ``2*N`` base rows (instead of ``N*(G+2)`` or ``N*(2*G+2)`` rows) and
    expand the blocks afterwards, which gives exactly the same numbers.

    Parameters
    ----------
    num_vars, N, calc_second_order, groups, scramble, seed
        As for :func:`sample`.

    Returns
    -------
    A, B : numpy.ndarray, shape (N, D)
        The two halves of the scrambled Sobol' base sample of dimension
        ``2*D`` (``A = base[:, :D]``, ``B = base[:, D:]``).
    from_b : numpy.ndarray of bool, shape (S, D)
        ``S = G + 2`` (``2*G + 2`` with second order) blocks in the order
        ``A, AB_1, ..., AB_G, [BA_1, ..., BA_G,] B``; ``from_b[t, j]`` says
        whether column ``j`` of block ``t`` is taken from B. Row ``i*S + t``
        of :func:`sample` is ``np.where(from_b[t], B[i], A[i])``.

    References
    ----------
    .. [1] Saltelli, A. (2002). Making best use of model evaluations to
       compute sensitivity indices. Computer Physics Communications, 145(2),
       280-297. doi:10.1016/S0010-4655(02)00280-1
    .. [2] Herman, J., & Usher, W. (2017). SALib: An open-source Python
       library for sensitivity analysis. Journal of Open Source Software,
       2(9), 97. doi:10.21105/joss.00097

    Examples
    --------
    >>> A, B, from_b = design(3, 4, groups=["a", "b", "a"], seed=1)
    >>> A.shape, from_b.astype(int).tolist()
    ((4, 3), [[0, 0, 0], [1, 0, 1], [0, 1, 0], [1, 1, 1]])
    """
    D = _check_int(num_vars, "num_vars", minimum=1)
    N = _check_int(N, "N", minimum=1)
    if groups is None:
        member = np.arange(D)
        G = D
    else:
        names, member = compile_groups(groups, D)
        G = len(names)
    base = _sobol_points(2 * D, N, scramble=scramble, seed=seed)
    in_group = member[None, :] == np.arange(G)[:, None]  # (G, D)
    blocks = [np.zeros((1, D), dtype=bool), in_group]
    if calc_second_order:
        blocks.append(~in_group)
    blocks.append(np.ones((1, D), dtype=bool))
    return base[:, :D], base[:, D:], np.concatenate(blocks)


_SOBOL_BITS = 30  # as scipy.stats.qmc.Sobol's default


def _sobol_points(d, n, *, scramble=True, seed=None):
    """``scipy.stats.qmc.Sobol(d, scramble=scramble, seed=seed).random(n)``, bit for bit.

    For an integer `seed` the points are built here with array operations, so that the
    scipy.stats package (about half a second to import) is not needed: Joe & Kuo's direction
    numbers (the file scipy ships them in) through the Bratley & Fox recurrence, scrambled by a
    random lower-triangular binary matrix and a digital shift drawn from
    ``numpy.random.default_rng(seed)`` in scipy's order, and the points in Gray-code order
    (point ``i`` is the shift XOR the direction integers of the bits of ``i ^ (i >> 1)``), built
    by reflection: ``q[h + i] = q[h - 1 - i] ^ v[h's bit]`` for ``h = 2**b``. Other seeds (None,
    a Generator) and sizes beyond the direction numbers use scipy itself. The test suite compares
    both with SALib's sampler.

    References
    ----------
    .. [1] Bratley, P., & Fox, B. L. (1988). Algorithm 659: Implementing Sobol's quasirandom
       sequence generator. ACM Transactions on Mathematical Software, 14(1), 88-100.
    .. [2] Joe, S., & Kuo, F. Y. (2008). Constructing Sobol sequences with better
       two-dimensional projections. SIAM Journal on Scientific Computing, 30(5), 2635-2654.
    .. [3] Matousek, J. (1998). On the L2-discrepancy for anchored boxes. Journal of
       Complexity, 14(4), 527-556. (Linear matrix scrambling with a digital shift.)
    """
    bits = _SOBOL_BITS
    table = _direction_table() if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None
    if table is None or d > len(table[0]) or n > 2**bits:
        from scipy.stats import qmc

        return qmc.Sobol(d=d, scramble=scramble, seed=seed).random(n)
    if n & (n - 1):
        warnings.warn("The balance properties of Sobol' points require n to be a power of 2.", stacklevel=3)
    poly, vinit = table
    msb = (bits - 1 - np.arange(bits)).astype(np.uint64)  # bit position of column k (MSB first)
    v = np.empty((d, bits), dtype=np.uint64)
    v[0] = 1
    for j in range(1, d):  # m_i = 2 a_1 m_{i-1} ^ 4 a_2 m_{i-2} ^ ... ^ 2^s m_{i-s} ^ m_{i-s}
        p = int(poly[j])
        s = p.bit_length() - 1
        m = [int(x) for x in vinit[j, :s]]
        for i in range(s, bits):
            new = m[i - s]
            for k in range(1, s + 1):
                if (p >> (s - k)) & 1:
                    new ^= m[i - k] << k
            m.append(new)
        v[j] = m
    v <<= msb[None, :]
    if scramble:
        rng = np.random.default_rng(seed)
        shift = rng.integers(2, size=(d, bits), dtype=np.uint32).astype(np.uint64) @ (
            np.uint64(1) << np.arange(bits, dtype=np.uint64))
        ltm = np.tril(rng.integers(2, size=(d, bits, bits), dtype=np.uint32)).astype(np.uint64)
        ltm[:, np.arange(bits), np.arange(bits)] = 1
        vbits = (v[:, :, None] >> msb[None, None, :]) & np.uint64(1)  # [j, i, k]: bit k (MSB first)
        v = (np.einsum("jpk,jik->jip", ltm, vbits) & np.uint64(1)) @ (np.uint64(1) << msb)
    else:
        shift = np.zeros(d, dtype=np.uint64)
    m = max(1, (n - 1).bit_length())
    q = np.empty((2**m, d), dtype=np.uint64)
    q[0] = shift
    for b in range(m):
        h = 2**b
        np.bitwise_xor(q[h - 1 :: -1][:h], v[:, b], out=q[h : 2 * h])
    return q[:n] * (1.0 / 2**bits)


#: scipy releases whose Sobol' generator (direction-number file, scrambling draw order) the array
#: version here reproduces; with any other scipy, scipy.stats.qmc.Sobol itself is used, so that a
#: change in scipy can never make our designs differ from SALib's (the tests compare both)
SCIPY_SOBOL_VERIFIED = ((1, 17), (1, 17))  # checked bit for bit against scipy 1.17.1


def _direction_table():
    """(poly, vinit) of Joe & Kuo's new-joe-kuo-6.21201, from scipy's data file, or None (no
    scipy, a release outside :data:`SCIPY_SOBOL_VERIFIED`, or no such file)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("scipy")
    if spec is None or not spec.submodule_search_locations:
        return None
    import scipy  # the package's own __init__ only (milliseconds); not scipy.stats

    try:
        release = tuple(int(x) for x in scipy.__version__.split(".")[:2])
    except ValueError:
        return None
    if not SCIPY_SOBOL_VERIFIED[0] <= release <= SCIPY_SOBOL_VERIFIED[1]:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "stats", "_sobol_direction_numbers.npz")
    try:
        with np.load(path) as f:
            return f["poly"], f["vinit"]
    except (OSError, KeyError, ValueError):
        return None


def warnings_for(result, n, conf_threshold=0.1):
    """Plain-language warnings about the reliability of a Sobol' result.

    Parameters
    ----------
    result : dict
        Output of :func:`analyze`.
    n : int
        Base sample size ``N`` that was passed to the Sobol' sampler.
    conf_threshold : float, optional
        Largest acceptable confidence half-width (the ``*_conf`` values, in
        absolute index units), default 0.1.

    Returns
    -------
    list of str
        One message per problem found (empty if none):

        * `n` is not a power of two (Sobol' sequences are balanced only for
          ``N = 2**k``);
        * some ``S1_conf``/``ST_conf``/``S2_conf`` exceeds `conf_threshold`;
          the suggested ``N`` assumes the half-width shrinks as
          ``1/sqrt(N)``;
        * some index is negative beyond its confidence interval
          (``S + S_conf < 0``), i.e. the estimator has not converged.

        Each message names the worst case and says how far to raise ``N``.
        NaN entries (e.g. constant outputs) are ignored.

    References
    ----------
    .. [1] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., &
       Tarantola, S. (2010). Variance based sensitivity analysis of model
       output. Computer Physics Communications, 181(2), 259-270.
    .. [2] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the
       Bootstrap. Chapman & Hall/CRC.
    """
    n = _check_int(n, "n", minimum=1)
    if not conf_threshold > 0:
        raise ValueError(f"conf_threshold must be > 0, got {conf_threshold!r}.")
    k_now = math.ceil(math.log2(n))
    msgs = []
    if n & (n - 1):
        msgs.append(
            f"N={n} is not a power of two: Sobol' sequences are balanced only "
            f"for N = 2**k, so convergence is degraded; raise N, e.g. to "
            f"2**{k_now} = {2**k_now}."
        )

    for key in ("S1", "ST", "S2"):
        ckey = key + "_conf"
        if key not in result or ckey not in result:
            continue
        S = np.asarray(result[key], dtype=float)
        C = np.asarray(result[ckey], dtype=float)
        per_pair = key == "S2"

        with np.errstate(invalid="ignore"):
            wide = C > conf_threshold
        if wide.any():
            cmax = np.nanmax(np.where(wide, C, np.nan))
            i = np.unravel_index(np.argmax(np.where(wide, C, -np.inf)), C.shape)
            where = _locate(i, per_pair)
            n_req = n * (cmax / conf_threshold) ** 2
            k = max(math.ceil(math.log2(n_req)), k_now + 1)
            msgs.append(
                f"{ckey}: {int(wide.sum())} of {int(np.isfinite(C).sum())} "
                f"confidence half-widths exceed {conf_threshold:g} (largest "
                f"{cmax:.3g} at {where}); raise N, e.g. to 2**{k} = {2**k} "
                f"(half-widths shrink roughly as 1/sqrt(N))."
            )

        with np.errstate(invalid="ignore"):
            upper = S + C
            neg = upper < 0
        if neg.any():
            i = np.unravel_index(np.argmin(np.where(neg, upper, np.inf)), S.shape)
            k = max(k_now, 1) + 2
            msgs.append(
                f"{key}: {int(neg.sum())} index value(s) are negative beyond "
                f"their confidence interval (worst {key} = {S[i]:.3g} "
                f"± {C[i]:.3g} at {_locate(i, per_pair)}); Sobol' indices "
                f"cannot be negative, so the estimate has not converged; "
                f"raise N, e.g. to 2**{k} = {2**k}."
            )
    return msgs


def _locate(index, per_pair):
    """Human-readable position of an element of an (..., D[, D]) array."""
    index = tuple(int(i) for i in index)
    if per_pair:
        out, par = index[:-2], f"parameters ({index[-2]}, {index[-1]})"
    else:
        out, par = index[:-1], f"parameter {index[-1]}"
    return f"output {out}, {par}" if out else par


def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)
