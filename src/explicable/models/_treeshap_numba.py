"""Numba kernels of exact TreeSHAP over tree ensembles held as flat arrays (built by ``_sktrees``).

Nodes of all trees live in one set of arrays (``left``, ``right`` hold global indices, -1 at leaves; a row
goes left when ``x[feature] <= threshold``, or when it is NaN and ``missing_left``). ``value`` (n_nodes, v)
holds each leaf's contribution to the output columns ``columns[t] .. columns[t] + v - 1``. Each kernel fills
the rows ``lo:hi`` of ``out`` without the GIL; ``_sktrees`` runs row ranges in threads.

Path-dependent (Lundberg et al., 2020): the trees' covers stand in for the data. For a leaf with unique path
features U, the game is ``v(S) = value * prod_{j in S} o_j * prod_{j in U \\ S} z_j`` (o_j: the row
satisfies every split on j along the path; z_j: product of the cover ratios of those splits), whose Shapley
values are ``phi_i = value * (o_i - z_i) * int_0^1 prod_{j in U \\ i} (z_j + (o_j - z_j) t) dt`` (the Shapley
weights are Beta integrals). As in Linear TreeSHAP (Yu et al., NeurIPS 2022), the polynomials are carried down
the tree as values at quadrature points and their sums carried back up, so each node costs O(points), and a
leaf's term for i is credited at the deepest split on i above it. The integrands have degree < depth, which
Gauss-Legendre with ceil(depth / 2) points integrates exactly. One tree walk serves a block of rows, the
innermost loops running over the rows.

Interventional (Lundberg et al., 2020; Laberge & Pequignot, 2022): the game of a row x and one background row
z reaches a leaf iff every path feature is satisfied by x or by z. With b = path features x fails (z must
satisfy them) and a_z = path features x satisfies and z fails, the leaf gives each of the b features
``-value * a! (b-1)! / (a+b)!`` and each feature x satisfies and z fails ``+value * (a-1)! b! / (a+b)!``. b
depends on x only, so per row and leaf only the number of valid z for each a_z matters: the kernel walks each
tree once per row with the background as bitsets (64 rows a word), a_z held in bit-sliced counters, and prunes
the subtrees no background row can reach.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.core.errors import NumbaPerformanceWarning
from numba.extending import intrinsic

__all__ = ["COMPILE_WARNINGS", "interventional", "path_dependent"]

#: What compiling the kernels warns about: that ``parallel=_LEAN`` parallelises nothing, which is the point.
COMPILE_WARNINGS = NumbaPerformanceWarning

#: numba's parallel pipeline with every transformation off, for the two functions that hold the tree walks. No
#: loop runs in parallel (callers run row ranges in threads), but that pipeline's copy propagation drops the
#: reference counting numba otherwise emits for every array argument of every inlined helper call, an atomic
#: increment and decrement per array per tree node: with it the kernels run 1.8-2.3x faster. (A prange over the
#: rows gets the same speed, but doubles the first-call compile time.)
_LEAN: Any = {"comprehension": False, "prange": False, "setitem": False, "reduction": False, "numpy": False,
              "stencil": False, "fusion": False}

#: Rows per block of the path-dependent kernel.
_BLOCK = 64

# rows of the integer stack ``st``, one column per depth of the walk
_NODE, _STATE, _FEAT, _PREV, _HAS_R = 0, 1, 2, 3, 4
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_ZERO = np.uint64(0)


@intrinsic
def _ctpop(typingctx: Any, x: Any) -> Any:
    if x != types.uint64:
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


#: The number of set bits of a uint64 (LLVM's ctpop: one instruction on x86-64).
_popcount: Any = _ctpop


@njit(cache=True, inline="always")
def _goes_left(x: float, threshold: float, missing_left: bool) -> bool:
    if np.isnan(x):
        return missing_left
    return x <= threshold


# ---- path-dependent ----------------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _pd_enter(dd, c, n, Xt, left, feature, threshold, missing_left, cover, tq, q, st, zst, last, sat, P, S):
    """Push the edge ``n`` -> ``c`` at depth ``dd``: combined o (``sat``) and z (``zst``) of its feature, and P."""
    j = feature[n]
    is_left = c == left[n]
    prev = last[j]
    src = prev if prev >= 0 else 0  # depth 0 holds o = 1, z = 1: "no earlier split on j"
    zp = zst[src]
    zc = zp * (cover[c] / cover[n]) if cover[n] > 0.0 else 0.0
    B = Xt.shape[1]
    for b in range(B):
        step = _goes_left(Xt[j, b], threshold[n], missing_left[n]) == is_left
        sat[dd, b] = sat[src, b] if step else 0.0
    for k in range(q):  # P *= (new factor of j) / (its factor before this split)
        t = tq[k]
        f1p = zp + (1.0 - zp) * t  # > 0 for t in (0, 1)
        f0p = zp * (1.0 - t)
        r11 = (zc + (1.0 - zc) * t) / f1p
        r10 = zc * (1.0 - t) / f1p
        r00 = zc * (1.0 - t) / f0p if f0p > 0.0 else 0.0  # f0p = 0: P is already 0 there
        for b in range(B):
            r = r11 if sat[dd, b] > 0.0 else (r10 if sat[src, b] > 0.0 else r00)
            P[dd, k, b] = P[dd - 1, k, b] * r
    st[_NODE, dd] = c
    st[_STATE, dd] = 0
    st[_FEAT, dd] = j
    st[_PREV, dd] = prev
    st[_HAS_R, dd] = 0
    zst[dd] = zc
    last[j] = dd
    for v in range(S.shape[1]):
        for k in range(q):
            for b in range(B):
                S[dd, v, k, b] = 0.0


@njit(cache=True, inline="always")
def _pd_credit(dd, col0, tq, wq, q, st, zst, sat, S, R, phi, coef, acc):
    """Credit the feature of the edge at depth ``dd`` with the leaves whose deepest split on it is this edge."""
    j = st[_FEAT, dd]
    has_r = st[_HAS_R, dd] == 1
    zc = zst[dd]
    for k in range(q):  # w_k (o - z) / (z + (o - z) t_k), for o = 1 and o = 0
        t = tq[k]
        coef[1, k] = wq[k] * (1.0 - zc) / (zc + (1.0 - zc) * t)
        f0 = zc * (1.0 - t)
        coef[0, k] = -wq[k] * zc / f0 if f0 > 0.0 else 0.0
    B = sat.shape[1]
    for v in range(S.shape[1]):
        for b in range(B):
            acc[b] = 0.0
        for k in range(q):
            c1 = coef[1, k]
            c0 = coef[0, k]
            for b in range(B):
                s = S[dd, v, k, b] - R[dd, v, k, b] if has_r else S[dd, v, k, b]
                acc[b] += (c1 if sat[dd, b] > 0.0 else c0) * s
        for b in range(B):
            phi[j, col0 + v, b] += acc[b]


@njit(cache=True, inline="always")
def _pd_pop(dd, q, st, last, S, R):
    """Add the sums of depth ``dd`` to its parent and to the earlier split on its feature, then pop it."""
    prev = st[_PREV, dd]
    fresh = prev >= 0 and st[_HAS_R, prev] == 0
    # explicit loops: numba's slice expressions cost an allocation each, more than the arithmetic here
    for v in range(S.shape[1]):
        for k in range(q):
            for b in range(S.shape[3]):
                if dd > 1:
                    S[dd - 1, v, k, b] += S[dd, v, k, b]
                if prev >= 0:
                    R[prev, v, k, b] = S[dd, v, k, b] if fresh else R[prev, v, k, b] + S[dd, v, k, b]
    if prev >= 0:
        st[_HAS_R, prev] = 1
    last[st[_FEAT, dd]] = prev


@njit(cache=True, inline="always")
def _pd_tree(root, col0, q, tq, wq, Xt, left, right, feature, threshold, missing_left, cover, value,
             st, zst, last, sat, P, S, R, phi, coef, acc):
    """One tree over a block of rows: depth-first, children before their parent's credit."""
    st[_NODE, 0] = root
    st[_STATE, 0] = 0
    dd = 0
    while dd >= 0:
        n = st[_NODE, dd]
        s = st[_STATE, dd]
        if left[n] >= 0 and s < 2:
            st[_STATE, dd] = s + 1
            dd += 1
            _pd_enter(dd, left[n] if s == 0 else right[n], n, Xt, left, feature, threshold, missing_left, cover,
                      tq, q, st, zst, last, sat, P, S)
            continue
        if dd == 0:
            break
        if left[n] < 0:
            for v in range(value.shape[1]):
                for k in range(q):
                    for b in range(Xt.shape[1]):
                        S[dd, v, k, b] = value[n, v] * P[dd, k, b]
        _pd_credit(dd, col0, tq, wq, q, st, zst, sat, S, R, phi, coef, acc)
        _pd_pop(dd, q, st, last, S, R)
        dd -= 1


@njit(cache=True, nogil=True, parallel=_LEAN)
def _pd_block(X, lo, hi, left, right, feature, threshold, missing_left, cover, value, roots, depths, columns,
              gl_nodes, gl_weights, out):
    """All trees over the rows ``lo:hi``, written into ``out``."""
    B = hi - lo
    d = X.shape[1]
    D1 = depths.max() + 1
    qmax = gl_nodes.shape[0]
    Xt = np.empty((d, B))
    for b in range(B):
        for j in range(d):
            Xt[j, b] = X[lo + b, j]
    phi = np.zeros((d, out.shape[2], B))
    sat = np.ones((D1, B))
    P = np.ones((D1, qmax, B))
    S = np.zeros((D1, value.shape[1], qmax, B))
    R = np.zeros((D1, value.shape[1], qmax, B))
    st = np.zeros((5, D1), dtype=np.int64)
    zst = np.ones(D1)
    last = np.full(d, -1, dtype=np.int64)
    coef = np.zeros((2, qmax))
    acc = np.zeros(B)
    for t in range(roots.shape[0]):
        if left[roots[t]] >= 0:
            q = max(1, (depths[t] + 1) // 2)
            _pd_tree(roots[t], columns[t], q, gl_nodes[q - 1], gl_weights[q - 1], Xt, left, right, feature,
                     threshold, missing_left, cover, value, st, zst, last, sat, P, S, R, phi, coef, acc)
    for b in range(B):
        for j in range(d):
            for c in range(out.shape[2]):
                out[lo + b, j, c] = phi[j, c, b]


@njit(cache=True, nogil=True)
def path_dependent(X, lo, hi, left, right, feature, threshold, missing_left, cover, value, roots, depths, columns,
                   gl_nodes, gl_weights, out):
    """Path-dependent TreeSHAP values of the rows ``lo:hi`` of ``X`` into ``out`` (n, d, n_outputs).

    ``gl_nodes[q - 1, :q]`` and ``gl_weights[q - 1, :q]`` are the q-point Gauss-Legendre rule on [0, 1].
    """
    for start in range(lo, hi, _BLOCK):
        _pd_block(X, start, min(hi, start + _BLOCK), left, right, feature, threshold, missing_left, cover, value,
                  roots, depths, columns, gl_nodes, gl_weights, out)


# ---- interventional -----------------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _iv_enter(dd, c, n, x, bits, left, feature, threshold, missing_left, st, last, sat, BP, V, A, ZS):
    """Push the edge ``n`` -> ``c`` at depth ``dd`` for row ``x``; False (nothing pushed) if no z reaches it."""
    j = feature[n]
    is_left = c == left[n]
    prev = last[j]
    op = sat[prev] if prev >= 0 else 1
    oc = op if _goes_left(x[j], threshold[n], missing_left[n]) == is_left else 0
    nonempty = False
    for w in range(V.shape[1]):
        g = bits[n, w] if is_left else ~bits[n, w]
        zp = ZS[prev, w] if prev >= 0 else _ALL
        ZS[dd, w] = zp & g
        valid = V[dd - 1, w] if oc == 1 else V[dd - 1, w] & zp & g  # x fails j: z must satisfy it
        V[dd, w] = valid
        nonempty = nonempty or valid != _ZERO
    if not nonempty:
        return False
    A[dd] = A[dd - 1]
    b = BP[dd - 1, 0]
    p = BP[dd - 1, 1]
    if oc == 1:
        p += 1 if prev < 0 else 0
        for w in range(V.shape[1]):  # a_z += 1 for the z that satisfied j so far and fail this split
            zp = ZS[prev, w] if prev >= 0 else _ALL
            carry = zp & ~ZS[dd, w] & V[dd, w]
            for k in range(A.shape[1]):
                plane = A[dd, k, w]
                A[dd, k, w] = plane ^ carry
                carry = plane & carry
    elif op == 1:  # j leaves the x-satisfied set (or enters the path failed by x)
        b += 1
        p -= 1 if prev >= 0 else 0
    BP[dd, 0] = b
    BP[dd, 1] = p
    sat[dd] = oc
    st[_NODE, dd] = c
    st[_STATE, dd] = 0
    st[_FEAT, dd] = j
    st[_PREV, dd] = prev
    last[j] = dd
    return True


@njit(cache=True, inline="always")
def _iv_counts(dd, p, V, A, E, cnt):
    """``E[a]``: the valid background rows with a_z == a, and ``cnt[a]`` their number, for a = 0..p."""
    for a in range(p + 1):
        total = np.int64(0)
        for w in range(V.shape[1]):
            e = V[dd, w]
            for k in range(A.shape[1]):
                plane = A[dd, k, w]
                e &= plane if (a >> k) & 1 else ~plane
            E[a, w] = e
            total += np.int64(_popcount(e))
        cnt[a] = total


@njit(cache=True, inline="always")
def _iv_leaf(dd, n, col0, value, weights, st, last, sat, BP, V, A, ZS, E, cnt, phi):
    """Credit the path features of leaf ``n`` at depth ``dd``, summed over the valid background rows.

    Every split on the path computes a credit and only the deepest split of each feature keeps it: branch-free,
    because the data-dependent branches that would skip work mispredict often enough to cost more than it.
    """
    b = BP[dd, 0]
    p = BP[dd, 1]
    _iv_counts(dd, p, V, A, E, cnt)
    neg = 0.0
    for a in range(p + 1 if b > 0 else 0):
        neg += cnt[a] * weights[a, b - 1]
    for e_depth in range(1, dd + 1):
        j = st[_FEAT, e_depth]
        pos = 0.0
        for a in range(1, p + 1):  # the valid z with a_z == a that fail j
            fails = _ZERO
            for w in range(V.shape[1]):
                fails += _popcount(E[a, w] & ~ZS[e_depth, w])
            pos += np.float64(fails) * weights[a - 1, b]
        credit = pos if sat[e_depth] == 1 else -neg
        credit = credit if last[j] == e_depth else 0.0  # only the deepest split on j speaks for it
        for v in range(value.shape[1]):
            phi[j, col0 + v] += value[n, v] * credit


@njit(cache=True, inline="always")
def _iv_tree(x, root, col0, bits, left, right, feature, threshold, missing_left, value, weights, full,
             st, last, sat, BP, V, A, ZS, E, cnt, phi):
    """One tree for one row: depth-first, pruning edges that no background row can reach."""
    st[_NODE, 0] = root
    st[_STATE, 0] = 0
    V[0] = full
    A[0] = _ZERO
    BP[0, 0] = 0
    BP[0, 1] = 0
    dd = 0
    while dd >= 0:
        n = st[_NODE, dd]
        s = st[_STATE, dd]
        if left[n] >= 0 and s < 2:
            c = left[n] if s == 0 else right[n]
            st[_STATE, dd] = s + 1
            if _iv_enter(dd + 1, c, n, x, bits, left, feature, threshold, missing_left, st, last, sat, BP, V, A, ZS):
                dd += 1
            continue
        if left[n] < 0:
            _iv_leaf(dd, n, col0, value, weights, st, last, sat, BP, V, A, ZS, E, cnt, phi)
        if dd > 0:
            last[st[_FEAT, dd]] = st[_PREV, dd]
        dd -= 1


@njit(cache=True, nogil=True, parallel=_LEAN)
def interventional(X, lo, hi, bits, n_background, left, right, feature, threshold, missing_left, value, roots,
                   depths, columns, weights, out):
    """Interventional TreeSHAP values of the rows ``lo:hi`` of ``X`` into ``out`` (n, d, n_outputs).

    The mean over the background of each pair's values. ``bits[node, w]`` has bit ``r`` set when background row
    ``64 w + r`` goes left at ``node``; ``weights[a, c] = a! c! / (a + c + 1)!``.
    """
    d = X.shape[1]
    D1 = depths.max() + 1
    words = bits.shape[1]
    planes = 1
    while (1 << planes) <= D1:
        planes += 1
    full = np.zeros(words, dtype=np.uint64)
    for r in range(n_background):
        full[r >> 6] |= np.uint64(1) << np.uint64(r & 63)
    st = np.zeros((4, D1), dtype=np.int64)
    last = np.full(d, -1, dtype=np.int64)
    sat = np.zeros(D1, dtype=np.int64)
    BP = np.zeros((D1, 2), dtype=np.int64)
    V = np.zeros((D1, words), dtype=np.uint64)
    A = np.zeros((D1, planes, words), dtype=np.uint64)
    ZS = np.zeros((D1, words), dtype=np.uint64)
    E = np.zeros((D1 + 1, words), dtype=np.uint64)
    cnt = np.zeros(D1 + 1, dtype=np.int64)
    phi = np.zeros((d, out.shape[2]))
    for row in range(lo, hi):
        for j in range(d):
            for c in range(out.shape[2]):
                phi[j, c] = 0.0
        for t in range(roots.shape[0]):
            if left[roots[t]] >= 0:
                _iv_tree(X[row], roots[t], columns[t], bits, left, right, feature, threshold, missing_left, value,
                         weights, full, st, last, sat, BP, V, A, ZS, E, cnt, phi)
        for j in range(d):
            for c in range(out.shape[2]):
                out[row, j, c] = phi[j, c] / n_background
