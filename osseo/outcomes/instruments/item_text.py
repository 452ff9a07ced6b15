"""Read item wording that a clinic supplies for an instrument Osseo may not distribute.

Two formats, chosen by the file's suffix; both UTF-8 (a byte-order mark is tolerated):

``.json``: one object mapping ``linkId`` to wording::

    {"capability.1": "First item's wording", "capability.2": "Second item's wording"}

``.csv``: a header row ``linkId,text``, then one row per item; quote wording that contains a
comma, quote or line break, as usual for CSV::

    linkId,text
    capability.1,First item's wording
    capability.2,"Wording, with a comma"

Where the instrument allows it (``options=True``), a key may also name one response's wording:
``<linkId>#<response number>`` (``capability.3#2``), or ``<group linkId>#<response number>``
(``capability#2``) for every item of the group that has no wording of its own for that response.

Every ``linkId`` must be one the instrument knows and may appear once; wording must not be blank.
A file may cover only some items: the rest keep their placeholder. Any problem raises
:class:`ItemTextError` naming the file and the line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from osseo.plausible import MAX_JSON_DEPTH, json_depth, text_problem


class ItemTextError(ValueError):
    """The clinic's wording file cannot be used; the message names the file and line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class _Keys:
    """The keys a wording file may use: the instrument's linkIds, and with ``options`` their
    responses' ``<linkId>#<number>``."""

    link_ids: frozenset[str]
    options: bool

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        base, sep, number = key.partition("#")
        if not sep:
            return key in self.link_ids
        return self.options and base in self.link_ids and number.isascii() and number.isdigit()


def read_item_text(
    path: str | Path, known_link_ids: Iterable[str], *, options: bool = False
) -> dict[str, str]:
    """Return ``{key: wording}`` from the clinic's JSON or CSV file (keys as described above)."""
    path = Path(path)
    known = _Keys(frozenset(known_link_ids), options)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ItemTextError(path, None, "no such file") from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise ItemTextError(path, line, "the file is not UTF-8 text") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(path, raw, known)
    if suffix == ".csv":
        return _read_csv(path, raw, known)
    raise ItemTextError(path, None, "the file must end in .json or .csv")


def _check(path: Path, line: int, link_id: str, text: str, known: _Keys) -> str:
    if link_id not in known:
        raise ItemTextError(path, line, f"unknown linkId {link_id!r}")
    if not text.strip():
        raise ItemTextError(path, line, f"the wording for {link_id!r} is blank")
    if problem := text_problem(text):
        raise ItemTextError(path, line, f"the wording for {link_id!r}: {problem}")
    return text.strip()


def _read_json(path: Path, raw: str, known: _Keys) -> dict[str, str]:
    objects: list[list[tuple[str, object]]] = []

    def keep_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
        # json.loads keeps only the last of repeated keys; keeping the pairs lets us refuse them.
        objects.append(pairs)
        return dict(pairs)

    if json_depth(raw) > MAX_JSON_DEPTH:  # before json.loads could recurse (RecursionError)
        raise ItemTextError(path, 1, f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw, object_pairs_hook=keep_pairs)
    except json.JSONDecodeError as error:
        raise ItemTextError(path, error.lineno, f"not valid JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise ItemTextError(path, 1, "the JSON must be one object mapping linkId to wording")
    texts: dict[str, str] = {}
    cursor = 0
    for link_id, text in objects[-1]:  # the outermost object is decoded last
        # Keys come in file order, so each is found after the previous one.
        match = re.compile(re.escape(json.dumps(link_id, ensure_ascii=False)) + r"\s*:").search(
            raw, cursor
        )
        if match:
            cursor = match.end()
        line = raw.count("\n", 0, cursor) + 1
        if not isinstance(text, str):
            raise ItemTextError(path, line, f"the wording for {link_id!r} must be a string")
        if link_id in texts:
            raise ItemTextError(path, line, f"linkId {link_id!r} appears twice")
        texts[link_id] = _check(path, line, link_id, text, known)
    return texts


def _read_csv(path: Path, raw: str, known: _Keys) -> dict[str, str]:
    reader = csv.reader(io.StringIO(raw, newline=""))
    texts: dict[str, str] = {}
    first_line: dict[str, int] = {}
    line = 1
    try:
        header = next(reader, None)
        if header is None:
            raise ItemTextError(path, 1, "the file is empty; expected a header 'linkId,text'")
        if [cell.strip() for cell in header] != ["linkId", "text"]:
            raise ItemTextError(path, 1, f"expected the header 'linkId,text', got {header!r}")
        line = reader.line_num + 1
        for row in reader:
            row_line, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != 2:
                raise ItemTextError(
                    path, row_line, f"expected 2 columns (linkId,text), found {len(row)}"
                )
            link_id = row[0].strip()
            if link_id in texts:
                raise ItemTextError(
                    path,
                    row_line,
                    f"linkId {link_id!r} appears twice (first on line {first_line[link_id]})",
                )
            texts[link_id] = _check(path, row_line, link_id, row[1], known)
            first_line[link_id] = row_line
    except csv.Error as error:
        raise ItemTextError(path, line, f"not valid CSV: {error}") from None
    return texts


def check_item_text(
    mapping: object, known_link_ids: Iterable[str], *, options: bool = False
) -> dict[str, str]:
    """The wording entered on a screen or imported as JSON (``{key: wording}``), checked as a
    file's is; raises ``ValueError`` naming the key. Blank wording removes the key."""
    if not isinstance(mapping, dict):
        raise ValueError("the wording must map linkIds to text")
    known = _Keys(frozenset(known_link_ids), options)
    texts: dict[str, str] = {}
    for key, text in mapping.items():
        if key not in known:
            raise ValueError(f"{key}: no such item")
        if not isinstance(text, str):
            raise ValueError(f"{key}: the wording must be text")
        if problem := text_problem(text):
            raise ValueError(f"{key}: {problem}")
        if text.strip():
            texts[key] = text.strip()
    return texts
