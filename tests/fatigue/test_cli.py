"""`osseo wear`: the command line, called in-process and as the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import RECORDINGS

from osseo.fatigue import analyse_recording
from osseo.fatigue.cli import main

WALK_CSV = str(RECORDINGS / "walk_100hz.csv")
ARGS = ["--m", "4", "--reference-range", "1000", "--cycles-at-reference", "1e7"]


def test_it_prints_the_estimate_with_the_caveat_and_the_parameters(capsys):
    assert main([WALK_CSV, "--column", "axial_force", *ARGS]) == 0
    out = capsys.readouterr().out
    assert "Model estimate, not a measurement of wear" in out
    assert "samples   3000" in out
    assert "duration  30.00 s (0:00:30), 100 Hz" in out
    assert "Basquin m = 4, reference range = 1000 N, cycles at reference = 1e+07" in out
    expected = analyse_recording(
        WALK_CSV, channels=["axial_force"], m=4, reference_range=1000, cycles_at_reference=1e7
    ).channels["axial_force"]
    assert f"damage (Palmgren-Miner)       {expected.damage:.6g}" in out
    assert f"cycles                        {expected.cycles:g}" in out
    assert "largest ranges (N):" in out


def test_json_output_carries_the_caveat_parameters_and_results(capsys):
    assert main([WALK_CSV, "--column", "torsion", "--hysteresis", "0.2", *ARGS, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["caveat"].startswith("Model estimate, not a measurement of wear")
    ch = d["channels"]["torsion"]
    assert ch["parameters"]["hysteresis"] == 0.2 and ch["parameters"]["m"] == 4.0
    assert ch["samples"] == 3000 and len(ch["largest"]) == 5
    assert all(c["range"] >= 0.2 for c in ch["largest"])


def test_several_columns_take_one_reference_range_each(capsys):
    args = [WALK_CSV, "--column", "axial_force", "--column", "torsion", "--m", "4"]
    args += ["--reference-range", "1000", "--reference-range", "10"]
    assert main([*args, "--cycles-at-reference", "1e7", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["channels"]["torsion"]["parameters"]["reference_range"] == 10.0
    assert d["channels"]["axial_force"]["parameters"]["reference_range"] == 1000.0


def test_a_malformed_file_exits_2_naming_the_line(capsys):
    bad = str(RECORDINGS / "bad_not_a_number.csv")
    assert main([bad, "--column", "axial_force_N", *ARGS]) == 2
    err = capsys.readouterr().err
    assert "osseo wear: error:" in err and "line 12: '5l2.3'" in err


def test_bad_arguments_exit_2(capsys):
    assert main([WALK_CSV, "--column", "axial_force"]) == 2
    assert "required" in capsys.readouterr().err
    assert main([WALK_CSV, "--column", "nope", *ARGS]) == 2
    assert "no column 'nope'" in capsys.readouterr().err
    assert main([WALK_CSV, "--column", "axial_force", *ARGS[:-1], "-5"]) == 2
    assert "cycles_at_reference must be a finite number > 0" in capsys.readouterr().err


def test_the_installed_console_script_runs_the_wear_command():
    osseo = Path(sys.executable).with_name("osseo")
    done = subprocess.run(
        [str(osseo), "wear", WALK_CSV, "--column", "axial_force_N", *ARGS, "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["recording"]["samples"] == 3000
    bad = subprocess.run(
        [str(osseo), "wear", str(RECORDINGS / "bad_nan.csv"), "--column", "axial_force_N", *ARGS],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert bad.returncode == 2 and "line 10" in bad.stderr
