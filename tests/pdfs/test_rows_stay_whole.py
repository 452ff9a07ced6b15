"""Every PDF keeps a table row on one page and repeats the table's header on the next
(the referral letter split a row across pages)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

PDF_TEMPLATES = ["rehab/letter_document.html", "surgery/guide_document.html"]


def _rows_by_page(html: str) -> list[list[str]]:
    from weasyprint import HTML

    document = HTML(string=html).render()
    pages = []
    for page in document.pages:
        rows: list[str] = []

        def walk(box, rows=rows):
            if box.element_tag == "tr" and box.element is not None:
                rows.append(box.element.get("id") or "header")
            for child in getattr(box, "children", []):
                walk(child)

        walk(page._page_box)
        pages.append(rows)
    return pages


@pytest.mark.parametrize("template", PDF_TEMPLATES)
def test_the_pdf_templates_keep_rows_whole(template):
    html = render_to_string(template, {"patient": {"display_name": "Test"}})
    assert "tr, figure, img, svg, li, .keep { break-inside: avoid;" in html
    assert "thead { display: table-header-group; }" in html


def test_a_long_table_breaks_between_rows_and_repeats_its_header():
    rules = render_to_string("includes/_pdf_rules.html")
    tall = "<br>".join(["A line of a long cell"] * 12)
    rows = "".join(f'<tr id="r{i}"><td>{i}</td><td>{tall}</td></tr>' for i in range(12))
    html = (
        f"<html><head><style>@page {{ size: A5; }}{rules}</style></head><body>"
        f"<table><thead><tr><th>n</th><th>text</th></tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>"
    )
    pages = _rows_by_page(html)
    assert len(pages) > 2
    seen = [row for page in pages for row in page if row != "header"]
    # Each row is laid out on exactly one page, so it is never split.
    assert sorted(seen, key=lambda r: int(r[1:])) == [f"r{i}" for i in range(12)]
    assert all(page[0] == "header" for page in pages)
