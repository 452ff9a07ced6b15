"""The normal quantile and chi-square tail from the standard library agree with scipy."""

import math

import pytest
from scipy import stats

from osseo.survival.distributions import chi_square_sf, normal_quantile


@pytest.mark.parametrize("p", [0.5, 0.9, 0.95, 0.975, 0.995, 0.9995, 1e-6])
def test_the_normal_quantile_equals_scipy(p):
    assert normal_quantile(p) == pytest.approx(stats.norm.ppf(p), rel=1e-13)


@pytest.mark.parametrize("degrees_of_freedom", [*range(1, 13), 19, 20, 49, 50, 199])
def test_the_chi_square_tail_equals_scipy(degrees_of_freedom):
    for statistic in [1e-8, 0.01, 0.5, 1, 2.7, 3.84, 7.5, 15, 40, 100, 400, 1500]:
        expected = stats.chi2.sf(statistic, degrees_of_freedom)
        assert chi_square_sf(statistic, degrees_of_freedom) == pytest.approx(
            expected, rel=1e-10, abs=1e-14
        )


def test_the_chi_square_tail_of_the_textbook_critical_values_is_five_percent():
    assert chi_square_sf(3.841458820694124, 1) == pytest.approx(0.05, abs=1e-15)
    assert chi_square_sf(5.991464547107979, 2) == pytest.approx(0.05, abs=1e-15)


def test_the_chi_square_tail_is_one_at_zero_and_zero_at_infinity():
    assert chi_square_sf(0.0, 3) == 1.0
    assert chi_square_sf(-1.0, 3) == 1.0
    assert chi_square_sf(math.inf, 3) == 0.0
    assert math.isnan(chi_square_sf(math.nan, 3))


@pytest.mark.parametrize("degrees_of_freedom", [0, -1, 1.5])
def test_the_chi_square_tail_refuses_degrees_of_freedom_that_are_not_positive_whole(
    degrees_of_freedom,
):
    with pytest.raises(ValueError, match="positive whole number"):
        chi_square_sf(1.0, degrees_of_freedom)
