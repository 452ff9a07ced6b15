"""The two reference distributions the estimators need, from the standard library alone.

`normal_quantile` gives the z of a two-sided confidence bound; `chi_square_sf` gives the
p-value of a log-rank statistic. Both agree with scipy (`norm.ppf`, `chi2.sf`) to about
1e-15 on the values used here, so scipy stays a test-only dependency.
"""

import math
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()


def normal_quantile(p: float) -> float:
    """The standard normal quantile: `normal_quantile(0.975)` is 1.959963984540054."""
    return _STANDARD_NORMAL.inv_cdf(p)


def chi_square_sf(statistic: float, degrees_of_freedom: int) -> float:
    """P(X >= statistic) for X ~ chi-square with a whole number of degrees of freedom.

    This is the regularised upper incomplete gamma function Q(k/2, x/2), which for whole k
    has a closed form (Abramowitz & Stegun 6.5.13 and 26.4.4, 26.4.5):
    for even k, Q = exp(-h) * sum_{j<k/2} h^j / j!;
    for odd k,  Q = erfc(sqrt(h)) + sum_{j=1}^{(k-1)/2} exp(-h) h^(j-1/2) / Gamma(j+1/2),
    with h = x/2. Each term is summed in log space so that large statistics underflow to 0
    instead of overflowing.
    """
    k = int(degrees_of_freedom)
    if k != degrees_of_freedom or k < 1:
        raise ValueError(
            f"degrees_of_freedom must be a positive whole number; got {degrees_of_freedom!r}."
        )
    if math.isnan(statistic):
        return math.nan
    if statistic <= 0:
        return 1.0
    if math.isinf(statistic):
        return 0.0
    h = statistic / 2.0
    log_h = math.log(h)
    if k % 2 == 0:
        total = 0.0
        for j in range(k // 2):
            total += math.exp(-h + j * log_h - math.lgamma(j + 1))
        return min(total, 1.0)
    total = math.erfc(math.sqrt(h))
    for j in range(1, (k - 1) // 2 + 1):
        total += math.exp(-h + (j - 0.5) * log_h - math.lgamma(j + 0.5))
    return min(total, 1.0)
