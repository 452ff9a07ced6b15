"""Hypothesis strategies for follow-up data: durations, event flags and cause codes."""

import numpy as np
from hypothesis import strategies as st

# Few distinct values, so that ties between events, and between events and censorings, are common.
tied_times = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0])
continuous_times = st.floats(min_value=0.001, max_value=1000.0, allow_nan=False)


@st.composite
def censored_follow_up(draw, *, max_subjects=60, times=tied_times):
    """(durations, events): right-censored follow-up with ties, censoring and time-0 entries."""
    n = draw(st.integers(min_value=1, max_value=max_subjects))
    durations = draw(st.lists(times, min_size=n, max_size=n))
    events = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return np.array(durations), np.array(events)


@st.composite
def competing_follow_up(draw, *, max_subjects=60, causes=3, tie_free=True):
    """(durations, codes): 0 = censored, 1..causes = the causes; tie-free times by default."""
    n = draw(st.integers(min_value=1, max_value=max_subjects))
    if tie_free:
        durations = draw(st.lists(continuous_times, min_size=n, max_size=n, unique=True))
    else:
        durations = draw(st.lists(tied_times, min_size=n, max_size=n))
    codes = draw(st.lists(st.integers(0, causes), min_size=n, max_size=n))
    return np.array(durations), np.array(codes)
