"""Checks and converts the arrays handed to the survival estimators.

Every estimator in this package takes plain sequences or numpy arrays and turns them into
float64 durations plus integer or boolean event arrays here, so that each refuses bad input
with the same clear `ValueError`.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def durations_array(durations: ArrayLike, *, name: str = "durations") -> FloatArray:
    """Return `durations` as a 1-D float64 array; refuse NaN, infinite or negative values."""
    try:
        array = np.asarray(durations, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers (time since the start, e.g. years).") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}.")
    if np.isnan(array).any():
        raise ValueError(f"{name} contain NaN; every subject needs a follow-up time.")
    if np.isinf(array).any():
        raise ValueError(f"{name} contain an infinite value; follow-up times must be finite.")
    if (array < 0).any():
        raise ValueError(f"{name} contain a negative value; follow-up times start at 0.")
    return array + 0.0  # a copy, with -0.0 turned into 0.0


def event_flags(events: ArrayLike, *, name: str = "events") -> BoolArray:
    """Return `events` as a 1-D bool array; accept bools or the numbers 0 and 1 only."""
    array = np.asarray(events)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}.")
    if array.dtype == np.bool_:
        return array
    if array.size == 0:
        return np.zeros(0, dtype=np.bool_)
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be 0/1 or True/False; got values of type {array.dtype}.")
    valid = (array == 0) | (array == 1)
    if not valid.all():
        bad = array[~valid][0].item()
        raise ValueError(f"{name} must be 0 (censored) or 1 (event); found {bad!r}.")
    return array == 1


def event_codes_array(event_codes: ArrayLike, *, name: str = "event_codes") -> IntArray:
    """Return competing-risk codes as 1-D int64: 0 = censored, 1, 2, ... = the causes."""
    array = np.asarray(event_codes)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}.")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype == np.bool_:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be whole numbers (0 = censored); got type {array.dtype}.")
    if np.issubdtype(array.dtype, np.floating):
        if np.isnan(array).any():
            raise ValueError(f"{name} contain NaN; use 0 for a censored subject.")
        if (array != np.round(array)).any():
            raise ValueError(f"{name} must be whole numbers (0 = censored).")
    codes = array.astype(np.int64)
    if (codes < 0).any():
        raise ValueError(f"{name} must not be negative; use 0 for a censored subject.")
    return codes


def same_length(**arrays: Sequence[Any] | np.ndarray) -> None:
    """Refuse arrays of different lengths, naming each one and its length."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {length}" for name, length in lengths.items())
        raise ValueError(f"Inputs must have one entry per subject; {described}.")


def confidence_alpha(alpha: float) -> float:
    """Refuse an `alpha` outside (0, 1); 0.05 gives 95 % confidence bounds."""
    try:
        alpha = float(alpha)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"alpha must be a number such as 0.05; got {alpha!r}.") from exc
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (0.05 for 95 % bounds); got {alpha}.")
    return alpha


def query_times(times: ArrayLike) -> FloatArray:
    """Return the times asked about as a 1-D float64 array; refuse NaN."""
    array = np.atleast_1d(np.asarray(times, dtype=np.float64))
    if array.ndim != 1:
        raise ValueError(f"times must be a number or a one-dimensional list; got {array.shape}.")
    if np.isnan(array).any():
        raise ValueError("times contain NaN.")
    return array


def cause_code(event_of_interest: object) -> int:
    """Return the cause of interest as an int; refuse 0 (censored), negatives and fractions."""
    try:
        cause = int(event_of_interest)  # type: ignore[call-overload]
        whole = cause == event_of_interest
    except (TypeError, ValueError):
        whole = False
    if not whole or cause < 1:
        raise ValueError(
            f"event_of_interest must be a positive whole number (0 means censored); "
            f"got {event_of_interest!r}."
        )
    return cause
