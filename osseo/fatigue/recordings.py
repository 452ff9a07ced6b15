"""Readers for load recordings: CSV and Parquet, streamed in blocks of samples.

CSV: optional `#` comment lines, then a header row, then one sample per row. The delimiter
(`,` `;` or tab) is taken from the header; with `;` or tab a decimal comma is recognised.
Units come from the header (`axial_force_N`, `Mx [Nm]`) or are given; a time column (`time`,
`time_s`, `t [ms]`, ISO timestamps) or a given sample rate places samples in time.
Parsing runs in pyarrow; when it meets any problem, the file is re-read line by line to name the
first bad line and the reason (`RecordingError.line`).

Parquet: numeric columns; units from the column names or a field metadata key `unit`; the
sample rate from a time column, a file metadata key `sample_rate_hz`, or given.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from osseo.fatigue.csvcheck import (
    MAX_LINE_BYTES,
    first_csv_problem,
    looks_like_decimal_comma,
    parse_time,
)
from osseo.fatigue.errors import FatigueInputError, RecordingError
from osseo.fatigue.timebase import SampleTimes
from osseo.fatigue.units import Column, column, is_unit

FloatArray = npt.NDArray[np.float64]
Source = str | os.PathLike[str] | IO[bytes]
Progress = Callable[[float], None]
BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class Block:
    """Consecutive samples of a recording: values by column header, in SI units when known."""

    first: int  # index of the first sample in the recording
    values: dict[str, FloatArray]
    time_s: FloatArray | None  # seconds from the recording's first sample, if it has a time column

    def __len__(self) -> int:
        return next(iter(self.values.values())).shape[0] if self.values else 0


class _Counting(io.RawIOBase):
    """A binary stream that first replays `prefix`, then reads `raw`, counting bytes."""

    def __init__(self, raw: IO[bytes], prefix: bytes) -> None:
        self.raw, self.prefix, self.count = raw, prefix, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = 0
        if self.prefix:
            n = min(len(view), len(self.prefix))
            view[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
        if n < len(view):
            data = self.raw.read(len(view) - n)
            view[n : n + len(data)] = data
            n += len(data)
        self.count += n
        return n


def _open(source: Source) -> tuple[IO[bytes], bool, str, int | None]:
    """(binary handle, whether we own it, display name, size in bytes or None)."""
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by Recording.close
        except OSError as exc:
            raise RecordingError(f"cannot open {path}: {exc.strerror}") from exc
        return handle, True, os.path.basename(path), os.fstat(handle.fileno()).st_size
    if not hasattr(source, "read"):
        raise FatigueInputError(f"a recording is a path or a binary file, got {type(source)}")
    if isinstance(source.read(0), str):
        raise FatigueInputError("open the recording in binary mode ('rb')")
    size = getattr(source, "size", None)
    name = os.path.basename(str(getattr(source, "name", "") or "")) or "upload"
    return source, False, name, size if isinstance(size, int) else None


class Recording:
    """An open recording. Use as a context manager; `blocks()` streams the samples."""

    format = "?"

    def __init__(self, name: str, columns: Sequence[Column], times: SampleTimes) -> None:
        self.name = name
        self.columns = tuple(columns)
        self.times = times
        self.samples = 0  # samples streamed so far
        self.time_column = next((c for c in self.columns if c.is_time), None)
        self.start_time: str | None = None  # the first timestamp, for ISO time columns
        self._t0_ns = 0

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the file (subclasses)."""

    @property
    def channels(self) -> tuple[Column, ...]:
        """The columns that can be counted (all but the time column)."""
        return tuple(c for c in self.columns if c is not self.time_column)

    def channel(self, name: str) -> Column:
        """The channel called `name`: its exact header, else its name without the unit."""
        for c in self.channels:
            if c.header == name:
                return c
        found = [c for c in self.channels if name.lower() in (c.name.lower(), c.header.lower())]
        if len(found) == 1:
            return found[0]
        known = ", ".join(c.header for c in self.channels) or "none"
        if found:
            raise FatigueInputError(f"{name!r} matches several columns: {known}")
        raise FatigueInputError(f"no column {name!r} in {self.name}; its channels are: {known}")

    def _check_rate(self) -> None:
        if self.time_column is None and self.times.nominal_step is None:
            raise FatigueInputError(
                f"{self.name} has no time column (time, time_s, t [ms], ...) and no sample "
                "rate was given: give the rate in Hz (--rate)"
            )

    def blocks(self, channels: Sequence[str], progress: Progress | None = None) -> Iterator[Block]:
        raise NotImplementedError


class CsvRecording(Recording):
    format = "csv"

    def __init__(
        self,
        source: Source,
        *,
        rate_hz: float | None = None,
        units: Mapping[str, str] | None = None,
    ) -> None:
        self._source = source
        self._handle, self._owned, name, self._size = _open(source)
        try:
            self._read_header(name, rate_hz, dict(units or {}))
        except BaseException:
            self.close()
            raise

    def _line(self, line_no: int) -> bytes:
        """The next line, read at most MAX_LINE_BYTES at a time: a line without end (a 300 MB
        "header") is refused before it fills the memory."""
        raw = self._handle.readline(MAX_LINE_BYTES + 1)
        if len(raw) > MAX_LINE_BYTES:
            raise RecordingError(
                f"the line is longer than {MAX_LINE_BYTES // 1024} KiB; is this a CSV file?",
                line=line_no,
            )
        return raw

    def _read_header(self, name: str, rate_hz: float | None, units: dict[str, str]) -> None:
        consumed = 0  # bytes before the samples (a count: adding up the lines was quadratic)
        line_no = 0
        header_line = b""
        while True:
            raw = self._line(line_no + 1)
            if not raw:
                raise RecordingError("the file has no header row", line=max(line_no, 1))
            line_no += 1
            consumed += len(raw)
            text = raw.removeprefix(b"\xef\xbb\xbf") if line_no == 1 else raw
            if text.strip() and not text.lstrip().startswith(b"#"):
                header_line = text
                break
        try:
            header = header_line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise RecordingError("the header is not UTF-8 text", line=line_no) from None
        counts = {d: header.count(d) for d in (",", ";", "\t")}
        self.delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        names = next(csv.reader([header], delimiter=self.delimiter))
        names = [n.strip() for n in names]
        self.header_line = line_no
        # A trailing delimiter (`a,b,`) leaves unnamed columns at the end: keep them unnamed.
        named = len(names)
        while named > 1 and not names[named - 1]:
            named -= 1
        for i in range(named, len(names)):
            names[i] = f"_unnamed_{i + 1}"
        for i, n in enumerate(names):
            if not n:
                raise RecordingError(f"column {i + 1} of the header has no name", line=line_no)
            if names.index(n) != i:
                raise RecordingError(f"column {n!r} appears twice in the header", line=line_no)
        if all(_is_number(n) for n in names):
            raise RecordingError(
                "the first row holds numbers, not column names: add a header row "
                "such as time_s,axial_force_N",
                line=line_no,
            )
        first_data = self._line(line_no + 1)
        given_units: dict[str, str] = {}
        row = _fields(first_data, self.delimiter)
        if row and not any(_is_number(f) for f in row) and any(is_unit(f) for f in row):
            # A units row under the header (`s,N,Nm`): read it, and start after it.
            given_units = {n: u.strip() for n, u in zip(names, row, strict=False) if u.strip()}
            consumed += len(first_data)
            line_no += 1
            self.header_line = line_no
            first_data = self._line(line_no + 1)
        self._prefix = first_data
        self.decimal = (
            "," if self.delimiter != "," and looks_like_decimal_comma(first_data) else "."
        )
        cols = [
            column(n, units.get(n) or units.get(column(n).name) or given_units.get(n))
            for n in names
            if not n.startswith("_unnamed_")
        ]
        super().__init__(name, cols, SampleTimes(rate_hz))
        self._header_bytes = consumed
        self._names = names
        self._time_kind = "float"
        if self.time_column is not None and first_data.strip():
            fields = _fields(first_data, self.delimiter)
            idx = names.index(self.time_column.header)
            if idx < len(fields):
                self._time_kind = parse_time(fields[idx], self.decimal)[1] or "float"
        self._check_rate()

    def close(self) -> None:
        if getattr(self, "_owned", False):
            self._handle.close()

    def _problem(self, channels: Sequence[str], arrow_message: str | None) -> RecordingError:
        """Re-read the file line by line to name the first problem."""
        if isinstance(self._source, str | os.PathLike):
            handle: IO[bytes] = open(os.fspath(self._source), "rb")  # noqa: SIM115
        elif self._handle.seekable():
            handle = self._handle
            handle.seek(0)
        else:
            return RecordingError(arrow_message or "the file cannot be read")
        try:
            time_header = self.time_column.header if self.time_column else None
            problem = first_csv_problem(handle, self.header_line, self._names, self.delimiter,
                                        self.decimal, list(channels), time_header)  # fmt: skip
        finally:
            if handle is not self._handle:
                handle.close()
        if problem is not None:
            return RecordingError(problem[1], line=problem[0])
        return RecordingError(f"cannot read the CSV: {arrow_message}")

    def blocks(self, channels: Sequence[str], progress: Progress | None = None) -> Iterator[Block]:
        headers = [self.channel(c).header for c in channels]
        wanted = ([self.time_column.header] if self.time_column else []) + headers
        types: dict[str, pa.DataType] = {h: pa.float64() for h in headers}
        if self.time_column is not None:
            types[self.time_column.header] = (
                pa.float64()
                if self._time_kind == "float"
                else pa.timestamp("ns", "UTC" if self._time_kind == "UTC" else None)
            )
        stream = _Counting(self._handle, self._prefix)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=self._names, block_size=BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(delimiter=self.delimiter),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    include_columns=wanted,
                    decimal_point=self.decimal,
                    timestamp_parsers=[pacsv.ISO8601],
                ),
            )
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                return
            raise self._problem(headers, str(exc)) from None
        scales = {h: self.channel(h).scale for h in headers}
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise self._problem(headers, str(exc)) from None
            block = _to_block(self, batch, headers, scales)
            if block is None:
                raise self._problem(headers, None)
            self.samples += len(block)
            if progress is not None and self._size:
                progress(min(1.0, (self._header_bytes + stream.count) / self._size))
            yield block


def _fields(raw: bytes, delimiter: str) -> list[str]:
    text = raw.decode("utf-8", "replace").rstrip("\r\n")
    return next(csv.reader([text], delimiter=delimiter), []) if text.strip() else []


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _to_block(
    rec: Recording, batch: pa.RecordBatch, headers: Sequence[str], scales: Mapping[str, float]
) -> Block | None:
    """The batch as a Block, or None if it holds a missing or non-finite value or a time that
    does not increase (the caller then names the line or row)."""
    values: dict[str, FloatArray] = {}
    for h in headers:
        col = batch.column(h)
        if col.null_count:
            return None
        a = col.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
        if not np.isfinite(a).all():
            return None
        scale = scales[h]
        values[h] = a * scale if scale != 1.0 else np.ascontiguousarray(a)
    t: FloatArray | None = None
    if rec.time_column is not None:
        tc = batch.column(rec.time_column.header)
        if tc.null_count:
            return None
        if pa.types.is_timestamp(tc.type):
            ns = tc.cast(pa.int64()).to_numpy()
            if rec.start_time is None and len(ns):
                rec.start_time = str(tc[0])
                rec._t0_ns = int(ns[0])
            t = (ns - rec._t0_ns) / 1e9
        else:
            t = tc.to_numpy(zero_copy_only=False).astype(np.float64) * rec.time_column.scale
            if not np.isfinite(t).all():
                return None
        if rec.times.add(rec.samples, t) is not None:
            return None
    return Block(rec.samples, values, t)


class ParquetRecording(Recording):
    format = "parquet"

    def __init__(
        self,
        source: Source,
        *,
        rate_hz: float | None = None,
        units: Mapping[str, str] | None = None,
    ) -> None:
        self._handle, self._owned, name, _ = _open(source)
        try:
            # Buffered column-chunk reads, not whole row groups pre-buffered: without this a
            # 1e8-sample file took 590 MB to stream; with it, 154 MB (measured, numpy+numba
            # loaded: 133 MB).
            self._file = pq.ParquetFile(self._handle, buffer_size=1 << 20, pre_buffer=False)
        except (pa.ArrowInvalid, OSError) as exc:
            self.close()
            raise RecordingError(f"{name} is not a readable Parquet file ({exc})") from None
        schema = self._file.schema_arrow
        meta = schema.metadata or {}
        if rate_hz is None and b"sample_rate_hz" in meta:
            try:
                rate_hz = float(meta[b"sample_rate_hz"])
            except ValueError:
                raise RecordingError("the file metadata sample_rate_hz is not a number") from None
        given = dict(units or {})
        cols = []
        for f in schema:
            unit = (f.metadata or {}).get(b"unit")
            cols.append(column(f.name, given.get(f.name) or (unit.decode() if unit else None)))
        super().__init__(name, cols, SampleTimes(rate_hz))
        self._types = {f.name: f.type for f in schema}
        self._check_rate()

    def close(self) -> None:
        if getattr(self, "_owned", False):
            self._handle.close()

    def blocks(self, channels: Sequence[str], progress: Progress | None = None) -> Iterator[Block]:
        headers = [self.channel(c).header for c in channels]
        for h in headers:
            t = self._types[h]
            if not (pa.types.is_integer(t) or pa.types.is_floating(t)):
                raise RecordingError(f"column {h!r} holds {t}, not numbers")
        wanted = ([self.time_column.header] if self.time_column else []) + headers
        total = max(self._file.metadata.num_rows, 1)
        scales = {h: self.channel(h).scale for h in headers}
        try:
            for batch in self._file.iter_batches(
                batch_size=1 << 16, columns=wanted, use_threads=False
            ):
                block = _to_block(self, batch, headers, scales)
                if block is None:
                    raise self._row_problem(batch, headers)
                self.samples += len(block)
                if progress is not None:
                    progress(self.samples / total)
                yield block
        except (pa.ArrowInvalid, OSError) as exc:
            raise RecordingError(f"cannot read {self.name}: {exc}") from None

    def _row_problem(self, batch: pa.RecordBatch, headers: Sequence[str]) -> RecordingError:
        for h in headers:
            a = batch.column(h).to_numpy(zero_copy_only=False).astype(np.float64)
            bad = np.flatnonzero(~np.isfinite(a))
            if bad.size:
                row = self.samples + int(bad[0])
                return RecordingError(
                    f"row {row}: column {h!r} has no finite value ({a[bad[0]]!r})", sample=row
                )
        return RecordingError(
            f"rows from {self.samples}: the time column is missing values or does not increase",
            sample=self.samples,
        )


def open_recording(
    source: Source,
    *,
    rate_hz: float | None = None,
    units: Mapping[str, str] | None = None,
    format: str | None = None,
) -> Recording:
    """Open a CSV or Parquet recording (by `format`, else the file name, else its first bytes)."""
    if rate_hz is not None and not (np.isfinite(rate_hz) and rate_hz > 0):
        raise FatigueInputError(f"the sample rate must be a number > 0 Hz, got {rate_hz!r}")
    fmt = format
    if fmt is None:
        name = str(source if isinstance(source, str | os.PathLike) else getattr(source, "name", ""))
        if name.lower().endswith((".parquet", ".pq")):
            fmt = "parquet"
        elif name.lower().endswith((".csv", ".txt", ".tsv")):
            fmt = "csv"
        else:
            fmt = "parquet" if _starts_with(source, b"PAR1") else "csv"
    if fmt == "parquet":
        return ParquetRecording(source, rate_hz=rate_hz, units=units)
    if fmt == "csv":
        return CsvRecording(source, rate_hz=rate_hz, units=units)
    raise FatigueInputError(f"unknown recording format {format!r} (csv or parquet)")


def _starts_with(source: Source, magic: bytes) -> bool:
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as f:
                return f.read(len(magic)) == magic
        except OSError:
            return False
    if source.seekable():
        pos = source.tell()
        head = source.read(len(magic))
        source.seek(pos)
        return head == magic
    return False


@dataclass(frozen=True)
class LoadRecording:
    """A whole recording in memory: the channels' samples (SI units) and their times (s)."""

    name: str
    channels: dict[str, Column]
    values: dict[str, FloatArray]
    time_s: FloatArray
    rate_hz: float | None


def read_recording(
    source: Source,
    *,
    channels: Sequence[str] | None = None,
    rate_hz: float | None = None,
    units: Mapping[str, str] | None = None,
    format: str | None = None,
) -> LoadRecording:
    """Read a whole recording (all channels by default) into memory. For long recordings
    prefer `open_recording(...).blocks(...)` or `analyse_recording`, which stream."""
    with open_recording(source, rate_hz=rate_hz, units=units, format=format) as rec:
        wanted = [rec.channel(c).header for c in (channels or [c.header for c in rec.channels])]
        parts: dict[str, list[FloatArray]] = {h: [] for h in wanted}
        for block in rec.blocks(wanted):
            for h in wanted:
                parts[h].append(block.values[h])
        values = {h: np.concatenate(p) if p else np.empty(0, np.float64) for h, p in parts.items()}
        return LoadRecording(
            rec.name,
            {h: rec.channel(h) for h in wanted},
            values,
            rec.times.at(np.arange(rec.samples)),
            rec.times.rate_hz,
        )


def read_csv(source: Source, **options: Any) -> LoadRecording:
    """Read a whole CSV recording: see `read_recording`."""
    return read_recording(source, format="csv", **options)


def read_parquet(source: Source, **options: Any) -> LoadRecording:
    """Read a whole Parquet recording: see `read_recording`."""
    return read_recording(source, format="parquet", **options)
