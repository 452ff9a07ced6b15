"""The one exception family of the fatigue engine."""

from __future__ import annotations


class FatigueInputError(ValueError):
    """An input the engine cannot use: a NaN sample, a bad parameter, a malformed recording.

    `line` is the 1-based line of a text file where the problem is (None when it has no line),
    `sample` the 0-based sample index (None when it is not about one sample).
    """

    def __init__(self, reason: str, *, line: int | None = None, sample: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.sample = sample
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{reason}")


class RecordingError(FatigueInputError):
    """A recording file that cannot be read: its `line` (CSV) and the reason are in the message."""
