"""Compiled kernels: turning points, the ASTM E1049-85 §5.4.4 stack, damage and binning.

Everything here works on plain numpy arrays and carries its state in small arrays, so the same
code serves the whole-signal functions and the streaming counter (a chunk boundary is invisible
to it). The public, checked API is in `rainflow.py` and `damage.py`; these functions trust their
callers (capacities, dtypes, finite parameters).

Compiled with `numba.njit(cache=True)`: the first call in a fresh environment compiles (a few
seconds) and writes the machine code next to this module in `__pycache__`; later processes load it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Layout of the detector state (one float64 and one int64 array, so it can cross the
# numba boundary and be copied cheaply).
F_CURRENT = 0  # last distinct value (h == 0) or the candidate extreme (h > 0)
F_SLOPE = 1  # the previous non-zero difference (h == 0); its sign is what matters
F_ANCHOR = 2  # the first sample (h > 0: the direction is not known until it is left by h)
F_SIZE = 3
I_SEEN = 0  # samples consumed so far
I_DIRECTION = 1  # h > 0: 0 before the signal has left the anchor by h, then +1 rising, -1 falling
I_CANDIDATE = 2  # h > 0: sample index of the candidate extreme
I_TOP = 3  # number of points on the rainflow stack
I_BAD = 4  # index of the first non-finite sample, or -1
I_SIZE = 5

_BLOCK = 4096  # turning_points stages points through a buffer this size (stays in cache)
_FINITE_MAX = 1.7976931348623157e308


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _first_non_finite(x, lo, hi):
    """The index of the first NaN or infinite sample in x[lo:hi], or -1.

    x * 0 is 0 for finite x and NaN otherwise; the sum vectorises, the search runs only on a hit.
    """
    s = 0.0
    for j in range(lo, hi):
        s += x[j] * 0.0
    if s == 0.0:
        return -1
    for j in range(lo, hi):
        if not abs(x[j]) <= _FINITE_MAX:
            return j
    return -1


@njit(cache=True, nogil=True)
def detect(x, lo, hi, hysteresis, sf, si, pi, pv):
    """Append the turning points of x[lo:hi] to (pi, pv); return how many.

    hysteresis == 0 reproduces `rainflow.reversals` of the rainflow 3.2.0 package exactly:
    the first sample is a point; a run of equal samples is one point at its last index; the
    slope test is the package's `d_last * d_next < 0`; the last sample is added by `_last_point`.
    """
    np_ = np.int64(0)
    seen = si[I_SEEN]
    cur = sf[F_CURRENT]
    i = lo
    if seen == 0 and i < hi:
        v = x[i]
        if not abs(v) <= _FINITE_MAX:
            si[I_BAD] = i
            return 0
        pi[0] = 0
        pv[0] = v
        np_ = np.int64(1)
        cur = v
        sf[F_ANCHOR] = v
        si[I_CANDIDATE] = 0
        seen = 1
        i += 1
    base = seen - i  # global index of x[j] is base + j
    if i < hi:
        bad = _first_non_finite(x, i, hi)
        if bad >= 0:
            si[I_BAD] = bad
            hi = bad
    if hysteresis == 0.0:
        slope = sf[F_SLOPE]
        if seen == 1 and i < hi:
            v = x[i]
            slope = v - cur
            cur = v
            i += 1
        if i < hi:
            prev = cur
            one = np.uint64(1)
            u = np.uint64(i)
            end = np.uint64(hi)
            m = np.uint64(np_)
            at = base - 1  # global index of x[j - 1] is at + j
            while u < end:
                # Branch-free form of rainflow 3.2.0's loop (noisy samples make branches
                # unpredictable). The package compares with the last *distinct* value; that has
                # the value of the previous sample, so a repeated sample gives d == 0: no
                # reversal and no new slope. (Only the sign of a zero value can differ.)
                v = x[u]
                d = v - prev
                pi[m] = at + np.int64(u)
                pv[m] = prev
                m += one if slope * d < 0.0 else np.uint64(0)
                slope = slope if d == 0.0 else d
                prev = v
                u += one
            np_ = np.int64(m)
            cur = prev
        sf[F_SLOPE] = slope
    else:
        anchor = sf[F_ANCHOR]
        direction = si[I_DIRECTION]
        cand = si[I_CANDIDATE]
        for j in range(i, hi):
            v = x[j]
            if direction > 0:
                if v >= cur:
                    cur = v
                    cand = base + j
                elif cur - v >= hysteresis:
                    pi[np_] = cand
                    pv[np_] = cur
                    np_ += 1
                    direction = -1
                    cur = v
                    cand = base + j
            elif direction < 0:
                if v <= cur:
                    cur = v
                    cand = base + j
                elif v - cur >= hysteresis:
                    pi[np_] = cand
                    pv[np_] = cur
                    np_ += 1
                    direction = 1
                    cur = v
                    cand = base + j
            elif v - anchor >= hysteresis:
                direction = 1
                cur = v
                cand = base + j
            elif anchor - v >= hysteresis:
                direction = -1
                cur = v
                cand = base + j
        si[I_DIRECTION] = direction
        si[I_CANDIDATE] = cand
    sf[F_CURRENT] = cur
    si[I_SEEN] = base + hi
    return np_


@njit(cache=True, nogil=True)
def _last_point(hysteresis, sf, si, pi, pv):
    """Write the closing turning point (if any) to (pi[0], pv[0]); return 0 or 1.

    Fewer than three samples give no closing point, as in rainflow 3.2.0 (which yields only the
    first sample of a two-sample series). With a hysteresis gate the closing point is the last
    candidate extreme: a final move smaller than the gate is dropped like any other.
    """
    seen = si[I_SEEN]
    if seen < 3:
        return 0
    if hysteresis == 0.0:
        pi[0] = seen - 1
        pv[0] = sf[F_CURRENT]
        return 1
    if si[I_DIRECTION] == 0:
        return 0
    pi[0] = si[I_CANDIDATE]
    pv[0] = sf[F_CURRENT]
    return 1


@njit(cache=True, nogil=True)
def stack(pi, pv, npts, si, st_i, st_v, o_r, o_m, o_c, o_s, o_e, k):
    """Run turning points through the ASTM E1049-85 §5.4.4 three-point rule.

    The same rule as `rainflow.extract_cycles` of rainflow 3.2.0: with X the newest range and Y
    the one before it, X < Y reads on; a Y that holds the starting point is a half cycle and the
    start moves on; otherwise Y is a full cycle and its two points are removed. Cycles are written
    from position k of the output arrays; the new k is returned.

    The two newest stack points live in registers (a below b); memory holds them too, so the
    stack is always complete in st_i/st_v[:top].
    """
    # Unsigned indices: numba then skips the negative-index wrap-around on every access,
    # which makes this loop about a fifth faster.
    one, two = np.uint64(1), np.uint64(2)
    top = np.uint64(si[I_TOP])
    if npts == 0:
        return k
    kk = np.uint64(k)
    p = np.uint64(0)
    n = np.uint64(npts)
    while top < two and p < n:
        st_i[top] = pi[p]
        st_v[top] = pv[p]
        top += one
        p += one
    if top < two:
        si[I_TOP] = np.int64(top)
        return k
    ia = st_i[top - two]
    a = st_v[top - two]
    ib = st_i[top - one]
    b = st_v[top - one]
    while p < n:
        ic = pi[p]
        c = pv[p]
        p += one
        while True:
            y = abs(b - a)
            if abs(c - b) < y:
                st_i[top] = ic
                st_v[top] = c
                top += one
                ia, a, ib, b = ib, b, ic, c
                break
            o_r[kk] = y
            o_m[kk] = 0.5 * (a + b)
            o_s[kk] = ia
            o_e[kk] = ib
            if top == two:
                # Y holds the starting point: a half cycle; the start moves on to b.
                o_c[kk] = 0.5
                kk += one
                st_i[0] = ib
                st_v[0] = b
                st_i[1] = ic
                st_v[1] = c
                ia, a, ib, b = ib, b, ic, c
                break
            o_c[kk] = 1.0
            kk += one
            top -= two
            if top == one:
                st_i[1] = ic
                st_v[1] = c
                top = two
                ia, a, ib, b = st_i[0], st_v[0], ic, c
                break
            ia, a, ib, b = st_i[top - two], st_v[top - two], st_i[top - one], st_v[top - one]
    si[I_TOP] = np.int64(top)
    return np.int64(kk)


@njit(cache=True, nogil=True)
def turning_points(x, hysteresis, sf, si, out_i, out_v):
    """All turning points of x (a whole signal, fresh state), including the closing one."""
    n = x.shape[0]
    pi = np.empty(_BLOCK + 1, np.int64)
    pv = np.empty(_BLOCK + 1, np.float64)
    total = 0
    lo = 0
    while lo < n:
        hi = min(lo + _BLOCK, n)
        npts = detect(x, lo, hi, hysteresis, sf, si, pi, pv)
        out_i[total : total + npts] = pi[:npts]
        out_v[total : total + npts] = pv[:npts]
        total += npts
        if si[I_BAD] >= 0:
            return total
        lo = hi
    npts = _last_point(hysteresis, sf, si, pi, pv)
    if npts:
        out_i[total] = pi[0]
        out_v[total] = pv[0]
        total += 1
    return total


@njit(cache=True, nogil=True)
def close_residue(hysteresis, sf, si, st_i, st_v, o_r, o_m, o_c, o_s, o_e, k):
    """Add the closing point and count what is left on the stack as half cycles.

    Works on the arrays given: callers that want to keep streaming pass copies of the state.
    """
    pi = np.empty(1, np.int64)
    pv = np.empty(1, np.float64)
    npts = _last_point(hysteresis, sf, si, pi, pv)
    k = stack(pi, pv, npts, si, st_i, st_v, o_r, o_m, o_c, o_s, o_e, k)
    top = si[I_TOP]
    for j in range(top - 1):
        x1 = st_v[j]
        x2 = st_v[j + 1]
        o_r[k] = abs(x1 - x2)
        o_m[k] = 0.5 * (x1 + x2)
        o_c[k] = 0.5
        o_s[k] = st_i[j]
        o_e[k] = st_i[j + 1]
        k += 1
    si[I_TOP] = 0
    return k


LANES = 4  # independent partial sums in the damage accumulator


@njit(cache=True, nogil=True, inline="always")
def _ipow(r, e):
    """r ** e for a small positive integer e: products (a few ulps, many times pow's speed).

    The exponent is the same for every cycle, so the branches below are predicted perfectly
    (and usually hoisted out of the loop)."""
    if e == 3:
        return r * r * r
    if e == 4:
        r2 = r * r
        return r2 * r2
    if e == 5:
        r2 = r * r
        return r2 * r2 * r
    if e == 6:
        r3 = r * r * r
        return r3 * r3
    if e == 2:
        return r * r
    result = 1.0
    while e > 0:
        if e & 1:
            result *= r
        r *= r
        e >>= 1
    return result


@njit(cache=True, nogil=True, inline="always")
def _term(r, c, inverse_reference, m, e, mode):
    x = r * inverse_reference
    if mode == 1:
        return c * _ipow(x, e)
    if mode == 2:
        return c * _ipow(x, e) * np.sqrt(x)
    return c * x**m


@njit(cache=True, nogil=True, inline="always")
def _kahan(s, comp, term):
    """One Kahan-compensated addition (branch-free; the terms here are never negative)."""
    y = term - comp
    t = s + y
    return t, (t - s) - y


@njit(cache=True, nogil=True, inline="always")
def _accumulate(rng, count, inverse_reference, m, e, mode, acc):
    n = rng.shape[0]
    g = int(acc[2 * LANES])
    s0, s1, s2, s3 = acc[0], acc[1], acc[2], acc[3]
    c0, c1, c2, c3 = acc[4], acc[5], acc[6], acc[7]
    j = 0
    # Single cycles until the next one belongs to lane 0, then four at a time.
    while j < n and (g + j) % LANES != 0:
        term = _term(rng[j], count[j], inverse_reference, m, e, mode)
        lane = (g + j) % LANES
        if lane == 1:
            s1, c1 = _kahan(s1, c1, term)
        elif lane == 2:
            s2, c2 = _kahan(s2, c2, term)
        else:
            s3, c3 = _kahan(s3, c3, term)
        j += 1
    while j + LANES <= n:
        s0, c0 = _kahan(s0, c0, _term(rng[j], count[j], inverse_reference, m, e, mode))
        s1, c1 = _kahan(s1, c1, _term(rng[j + 1], count[j + 1], inverse_reference, m, e, mode))
        s2, c2 = _kahan(s2, c2, _term(rng[j + 2], count[j + 2], inverse_reference, m, e, mode))
        s3, c3 = _kahan(s3, c3, _term(rng[j + 3], count[j + 3], inverse_reference, m, e, mode))
        j += LANES
    if j < n:
        s0, c0 = _kahan(s0, c0, _term(rng[j], count[j], inverse_reference, m, e, mode))
    if j + 1 < n:
        s1, c1 = _kahan(s1, c1, _term(rng[j + 1], count[j + 1], inverse_reference, m, e, mode))
    if j + 2 < n:
        s2, c2 = _kahan(s2, c2, _term(rng[j + 2], count[j + 2], inverse_reference, m, e, mode))
    acc[0], acc[1], acc[2], acc[3] = s0, s1, s2, s3
    acc[4], acc[5], acc[6], acc[7] = c0, c1, c2, c3
    acc[2 * LANES] = g + n


@njit(cache=True, nogil=True)
def accumulate_damage(rng, count, inverse_reference, m, acc):
    """Add Σ count · (range · inverse_reference)^m to the accumulator acc.

    acc holds LANES Kahan-compensated partial sums (sums, then compensations) and, last, the
    number of cycles seen: cycle number g goes to lane g % LANES. The result is accurate for
    billions of cycles and identical, bit for bit, however the cycles are chunked.
    m that is a whole or half number up to 64 takes a fast path (products and a square root).
    """
    twice = 2.0 * m
    if twice == np.floor(twice) and 2.0 <= m <= 64.0:
        if m == np.floor(m):
            _accumulate(rng, count, inverse_reference, m, int(m), 1, acc)
        else:
            _accumulate(rng, count, inverse_reference, m, int(m), 2, acc)
    else:
        _accumulate(rng, count, inverse_reference, m, 0, 0, acc)


@njit(cache=True, nogil=True, inline="always")
def _neumaier(s, c, term):
    """One Neumaier-compensated addition: the new sum and compensation."""
    t = s + term
    if abs(s) >= abs(term):
        c += (s - t) + term
    else:
        c += (term - t) + s
    return t, c


@njit(cache=True, nogil=True)
def damage_total(acc):
    """The accumulated sum: the lanes' sums and compensations, added in a fixed order."""
    s = 0.0
    c = 0.0
    for j in range(2 * LANES):
        s, c = _neumaier(s, c, acc[j])
    return s + c


@njit(cache=True, nogil=True)
def _bin(edges, v):
    """numpy.histogram's bin of v (half-open bins, the last one closed), or -1 outside."""
    nb = edges.shape[0] - 1
    first = edges[0]
    last = edges[nb]
    if not (v >= first and v <= last):
        return -1
    if v == last:
        return nb - 1
    b = int((v - first) / (last - first) * nb)
    b = min(max(b, 0), nb - 1)
    while b > 0 and edges[b] > v:
        b -= 1
    while b < nb - 1 and edges[b + 1] <= v:
        b += 1
    return b


@njit(cache=True, nogil=True)
def accumulate_histogram(rng, mean, count, range_edges, mean_edges, matrix):
    """matrix[i, j] += count of the cycles whose range falls in bin i and mean in bin j."""
    for j in range(rng.shape[0]):
        a = _bin(range_edges, rng[j])
        if a < 0:
            continue
        b = _bin(mean_edges, mean[j])
        if b < 0:
            continue
        matrix[a, b] += count[j]
