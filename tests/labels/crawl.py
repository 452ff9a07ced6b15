"""Walk the site as one signed-in person would, and read what each page and PDF shows.

The crawler follows every same-site link (and the PDFs linked) from the start page, over the
Django test client; `visible_text` gives the text a reader sees (not attributes, scripts or
styles), element by element, so a check can tell "general" in a table cell from the word in a
sentence. `findings` names what a clinician could not read: a choice code whose label differs
from it, an ISO date outside a `<time>` element's attribute, a Python repr.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.apps import apps
from django.db import models

from osseo.audit.labels import VALUE_LABELS

# Pages the crawler does not read: static files, the API (JSON), Django's own admin.
SKIP_PREFIXES = ("/static/", "/api/", "/admin/", "/media/")
# At most this many pages of one shape (the same path with ids replaced) per person: the demo's
# 48 patients render the same templates, and every choice of every kind is among the first few.
PER_SHAPE = 8
_ID = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)")
_NOT_READ = {"script", "style", "template", "noscript"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
}  # fmt: skip


def shape(url: str) -> str:
    """The page's shape: its path with ids replaced, and the names (not values) of its query."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return _ID.sub("/{id}", parts.path) + ("?" + "&".join(keys) if keys else "")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []  # (innermost element, its text node)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if any(t in _NOT_READ for t in self.stack):
            return
        text = " ".join(data.split())
        if text:
            self.texts.append((self.stack[-1] if self.stack else "", text))


def read_html(html: str) -> tuple[list[tuple[str, str]], list[str]]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.texts, reader.links


def read_pdf(content: bytes) -> list[tuple[str, str]]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [("pdf", " ".join(line.split())) for line in text.splitlines() if line.strip()]


@dataclass
class Page:
    url: str
    kind: str  # "html" or "pdf"
    texts: list[tuple[str, str]] = field(default_factory=list)


def crawl(client, start: str = "/") -> Iterator[Page]:
    """Every page and PDF reachable by links from `start`, at most PER_SHAPE of each shape."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = [start]
    linked_from: dict[str, str] = {start: "(start)"}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            location = response["Location"]
            if location.startswith("/") and location not in seen:
                queue.insert(0, location)
                linked_from.setdefault(location, url)
            continue
        assert response.status_code == 200, (
            f"{url}, linked from {linked_from.get(url)}, answered {response.status_code}"
        )
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/pdf"):
            yield Page(url, "pdf", read_pdf(response.content))
            continue
        if not content_type.startswith("text/html"):
            continue
        texts, links = read_html(response.content.decode())
        yield Page(url, "html", texts)
        for href in links:
            target = urldefrag(href)[0]
            if not target.startswith("/") or target.startswith("//"):
                continue
            if target.startswith(SKIP_PREFIXES) or target in seen:
                continue
            kind = shape(target)
            if shapes[kind] >= PER_SHAPE:
                continue
            shapes[kind] += 1
            queue.append(target)
            linked_from.setdefault(target, url)


def choice_codes() -> dict[str, str]:
    """Every choice code whose label says something else, with its label: the models' choices
    (and their arrays'), every choices class, the site profiles."""
    codes: dict[str, str] = {}

    def add(pairs: Iterable[tuple[object, object]]) -> None:
        for value, label in pairs:
            if isinstance(value, str) and value and value.lower() != str(label).lower():
                codes[value] = str(label)

    for model in apps.get_models():
        if not model.__module__.startswith("osseo."):
            continue
        for f in model._meta.get_fields():
            for candidate in (f, getattr(f, "base_field", None)):
                if getattr(candidate, "choices", None):
                    add(candidate.flatchoices)

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(models.Choices):
        if cls.__module__.startswith("osseo."):
            add(cls.choices)  # type: ignore[attr-defined]
    # The codes the apps labelled for their audit changes (a model's own label comes first).
    add((code, label) for code, label in VALUE_LABELS.items() if code not in codes)
    return codes


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b")
REPR = re.compile(
    r"\{'|\['|'\]|Decimal\(|datetime\.|<QuerySet|object at 0x|<[A-Z]\w+: |: None\b|\bNone (?:kg|mm|N|days?|months?|years?)\b"
)


# Choice codes that are also plain English and read as such on their own ("Operations: none").
# ("None" alone is English in a select's empty choice or an answer's label: "None of the time".)
ENGLISH = frozenset({"none", "other", "unknown", "yes", "no"})
# Where an ISO date is what the reader must type or read verbatim: a file format's example.
VERBATIM = frozenset({"code", "kbd", "samp"})
# A UCUM annotation ("{score}", "{level}") names what is counted; it is not a unit to show.
UCUM_ANNOTATION = re.compile(r"\{[a-z]+\}")
REPEATED = re.compile(r"^(\w[\w ]*?): \1\b", re.IGNORECASE)


def findings(page: Page, codes: dict[str, str], names: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """What a reader could not read on the page; `names` are people's user names (the demo's
    are the role codes: "surgeon"), which are not codes where they stand alone."""
    found = []
    snake = [c for c in codes if ("_" in c or "-" in c) and c not in ENGLISH]
    labels = {label.lower() for label in codes.values()}
    for tag, text in page.texts:
        where = f"{page.url} <{tag}> {text[:120]!r}"
        if ISO_DATE.search(text) and tag not in VERBATIM:
            found.append(f"ISO date: {where}")
        if REPR.search(text) or (text == "None" and tag not in {"option", "label"}):
            found.append(f"Python repr: {where}")
        if UCUM_ANNOTATION.search(text) and tag not in VERBATIM:
            found.append(f"unit code: {where}")
        if REPEATED.search(text):
            found.append(f"label repeated: {where}")
        bare = text.strip(" .,;:()·—-")
        if bare in names:
            continue
        if any(label in text.lower() for label in labels if bare.lower().endswith(label)):
            continue  # the text is (or ends with) a label that has the code's word in it
        tail = text.rsplit(": ", 1)[-1].strip(" .,;") if ": " in text else None
        for candidate in (bare, tail):
            if candidate in codes and candidate not in ENGLISH:
                found.append(f"code {candidate!r} (label {codes[candidate]!r}): {where}")
                break
        else:
            for code in snake:
                if re.search(rf"(?<![\w/.-]){re.escape(code)}(?![\w/-])", text):
                    found.append(f"code {code!r} (label {codes[code]!r}): {where}")
                    break
    return found
