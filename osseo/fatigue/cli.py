"""`osseo wear`: the wear estimate of a load recording, from the command line.

    osseo wear FILE --column NAME [--rate HZ] [--hysteresis H] --m M --reference-range R
               --cycles-at-reference N [--json]

Streams the file (a progress bar on a terminal for long files), counts each column given, and
prints samples, duration, cycles, Palmgren-Miner damage, damage-equivalent cycles and the largest
ranges with their times, always with the caveat and the parameters used. Exit status 2 on bad
input or a malformed file, with the line and the reason.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from osseo.fatigue.analysis import ChannelWear, RecordingWear, analyse_recording
from osseo.fatigue.errors import FatigueInputError
from osseo.fatigue.units import parse_unit_assignments

PROG = "osseo wear"
PROGRESS_FROM_BYTES = 8 << 20  # show a progress bar for files from 8 MB


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Estimate connector (dualcone) wear from a load recording: rainflow cycles "
            "(ASTM E1049-85) and Palmgren-Miner damage with a Basquin S-N curve. The result is a "
            "model estimate with clinic-set parameters, not a measurement of wear."
        ),
    )
    p.add_argument("file", help="the recording: CSV (with a header row) or Parquet")
    p.add_argument(
        "--column",
        action="append",
        required=True,
        metavar="NAME",
        help="a channel to count (header or name without unit); repeat for several channels",
    )
    p.add_argument("--rate", type=float, metavar="HZ", help="sample rate, if no time column")
    p.add_argument(
        "--hysteresis",
        type=float,
        action="append",
        metavar="H",
        help="ignore load reversals smaller than H (sensor noise), in the channel's unit; "
        "one value, or one per --column",
    )
    p.add_argument("--m", type=float, action="append", required=True, help="Basquin exponent")
    p.add_argument(
        "--reference-range",
        type=float,
        action="append",
        required=True,
        metavar="R",
        help="load range of the S-N reference point, in the channel's unit (N, N·m)",
    )
    p.add_argument(
        "--cycles-at-reference",
        type=float,
        action="append",
        required=True,
        metavar="N",
        help="cycles to failure at the reference range",
    )
    p.add_argument(
        "--unit",
        action="append",
        metavar="COLUMN=UNIT",
        help="the unit of a column whose header does not say it (e.g. Fz=kN)",
    )
    p.add_argument("--format", choices=("csv", "parquet"), help="default: from the file name")
    p.add_argument("--largest", type=int, default=5, metavar="K", help="largest ranges to list")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    return p


def _per_column(values: list[float] | None, columns: list[str], flag: str, default: Any) -> Any:
    if not values:
        return default
    if len(values) == 1:
        return values[0]
    if len(values) != len(columns):
        raise FatigueInputError(
            f"{flag} takes one value for all columns or one per --column "
            f"({len(columns)}), got {len(values)}"
        )
    return dict(zip(columns, values, strict=True))


def _progress_bar(path: str) -> tuple[Callable[[float], None] | None, Callable[[], None]]:
    try:
        size = os.path.getsize(path)
    except OSError:
        return None, lambda: None
    if not (sys.stderr.isatty() and size >= PROGRESS_FROM_BYTES):
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=size, unit="B", unit_scale=True, desc="reading", file=sys.stderr)

    def update(fraction: float) -> None:
        bar.update(max(0, int(fraction * size) - bar.n))

    return update, bar.close


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _g(x: float) -> str:
    return f"{x:.4g}"


def _text(result: RecordingWear) -> str:
    out = [
        f"Wear estimate for {result.name} ({result.format.upper()})",
        "",
        f"NOTE: {result.caveat}",
        "",
        f"samples   {result.samples}",
        f"duration  {result.duration_s:.2f} s ({_clock(result.duration_s)})"
        + (f", {result.rate_hz:.6g} Hz" if result.rate_hz else ""),
    ]
    if result.start_time:
        out.append(f"starts    {result.start_time}")
    for name, ch in result.channels.items():
        out += ["", *_channel_text(name, ch)]
    return "\n".join(out) + "\n"


def _channel_text(name: str, ch: ChannelWear) -> list[str]:
    u = ch.channel.unit or "(no unit)"
    c = ch.curve
    lines = [
        f"{name}: {ch.channel.describe()}",
        f"  parameters  Basquin m = {_g(c.m)}, reference range = {_g(c.reference_range)} {u}, "
        f"cycles at reference = {_g(c.cycles_at_reference)}, hysteresis = {_g(ch.hysteresis)} {u}",
        f"  cycles                        {ch.cycles:g}",
        f"  damage (Palmgren-Miner)       {ch.damage:.6g}   (model estimate)",
        f"  damage-equivalent cycles      {ch.equivalent_cycles:.6g}"
        f" at {_g(c.reference_range)} {u}",
    ]
    if ch.peak and ch.trough:
        lines.append(
            f"  highest load  {ch.peak.value:g} {u} at {ch.peak.time_s:.2f} s; "
            f"lowest {ch.trough.value:g} {u} at {ch.trough.time_s:.2f} s"
        )
    if ch.largest:
        lines.append(f"  largest ranges ({u}):")
        lines.append(f"    {'range':>10} {'mean':>10} {'count':>6} {'from (s)':>12} {'to (s)':>12}")
        for cy in ch.largest:
            lines.append(
                f"    {cy.range:>10.4g} {cy.mean:>10.4g} {cy.count:>6g} "
                f"{cy.start_s:>12.2f} {cy.end_s:>12.2f}"
            )
    return lines


def main(argv: Sequence[str]) -> int:
    """Run `osseo wear` with argv (without the program name and "wear"); return the status."""
    parser = _parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed the usage and the error
        return int(exc.code or 0)
    columns: list[str] = args.column
    update, close = _progress_bar(args.file)
    try:
        if args.largest < 0:
            raise FatigueInputError("--largest must be 0 or more")
        result = analyse_recording(
            args.file,
            channels=columns,
            m=_per_column(args.m, columns, "--m", None),
            reference_range=_per_column(args.reference_range, columns, "--reference-range", None),
            cycles_at_reference=_per_column(
                args.cycles_at_reference, columns, "--cycles-at-reference", None
            ),
            hysteresis=_per_column(args.hysteresis, columns, "--hysteresis", 0.0),
            rate_hz=args.rate,
            units=parse_unit_assignments(args.unit),
            largest=args.largest,
            format=args.format,
            progress=update,
        )
    except FatigueInputError as exc:
        close()
        print(f"{PROG}: error: {args.file}: {exc}", file=sys.stderr)
        return 2
    close()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        sys.stdout.write(_text(result))
    return 0
