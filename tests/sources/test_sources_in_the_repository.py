"""Osseo stands alone: its code, templates and documents cite docs/sources.md, never a file outside
the repository, and every section they cite exists there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "docs" / "sources.md"
# Files that ship: the code, its templates and documents, the README and the API schema.
SUFFIXES = {".py", ".html", ".txt", ".md", ".json", ".toml"}
# Ways the project once cited the workspace's notes, which a clone does not have.
OUTSIDE = re.compile(
    r"\.\./shared|shared/(?:seed|[\w-]+\.md)|domain-(?:clinical|standards)|domain[ -]notes"
    r"|(?<!its )design notes|style\.md|design\.md",  # (gunicorn's public design notes are fine)
    re.IGNORECASE,
)
CITATION = re.compile(r"docs/sources\.md#([\w-]+)")


def _shipped() -> list[Path]:
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*")]
    files += [p for p in (ROOT / "osseo").rglob("*") if p.suffix in SUFFIXES]
    return [p for p in files if p.is_file() and "__pycache__" not in p.parts]


def anchors() -> set[str]:
    return set(re.findall(r'<a id="([\w-]+)"></a>', SOURCES.read_text()))


def test_nothing_cites_a_file_outside_the_repository():
    outside = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in _shipped()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert outside == []


def test_every_cited_section_of_the_sources_exists():
    known = anchors()
    cited = {
        (str(path.relative_to(ROOT)), anchor)
        for path in _shipped()
        for anchor in CITATION.findall(path.read_text())
    }
    assert len(cited) > 40
    assert sorted((path, a) for path, a in cited if a not in known) == []


def test_the_sources_link_only_to_their_own_sections():
    text = SOURCES.read_text()
    inner = set(re.findall(r"\]\(#([\w-]+)\)", text))
    assert inner <= anchors()
    assert len(anchors()) == text.count("<a id=")  # each anchor once
