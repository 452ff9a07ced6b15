"""Loading the clinic's Q-TFA wording file (JSON or CSV) into the Questionnaire."""

import pytest

from osseo.outcomes.instruments.item_text import ItemTextError, read_item_text
from osseo.outcomes.instruments.qtfa import TEXT_LINK_IDS, load_item_text, questionnaire
from tests.outcomes.synthetic_qtfa import SYNTHETIC_RULES


def _items(q):
    return {item["linkId"]: item for group in q["item"] for item in [group, *group["item"]]}


def test_without_a_file_every_item_says_the_clinic_supplies_its_wording():
    items = _items(questionnaire())

    assert items["capability.3"]["text"] == (
        "Q-TFA item capability.3 (wording supplied by the clinic)"
    )
    assert items["use.days"]["type"] == "integer"


def test_it_merges_wording_from_a_json_file_and_keeps_placeholders_for_the_rest(tmp_path):
    path = tmp_path / "qtfa.json"
    path.write_text(
        '{\n  "capability.1": "Clinic wording one",\n  "problem": "Clinic heading"\n}\n',
        encoding="utf-8",
    )

    items = _items(load_item_text(path))

    assert items["capability.1"]["text"] == "Clinic wording one"
    assert items["problem"]["text"] == "Clinic heading"
    assert items["capability.2"]["text"].endswith("(wording supplied by the clinic)")


def test_it_merges_wording_from_a_csv_file_with_quoted_commas(tmp_path):
    path = tmp_path / "qtfa.csv"
    path.write_text(
        'linkId,text\nglobal.1,"Wording, with a comma"\nuse.days,Días\n', encoding="utf-8"
    )

    items = _items(load_item_text(path))

    assert items["global.1"]["text"] == "Wording, with a comma"
    assert items["use.days"]["text"] == "Días"


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("q.json", '{\n  "capability.1": "ok",\n  "capability.99": "x"\n}', 3, "unknown linkId"),
        ("q.json", '{\n  "global.1": "a",\n  "global.1": "b"\n}', 3, "appears twice"),
        ("q.json", '{\n  "global.1": 5\n}', 2, "must be a string"),
        ("q.json", '{\n  "global.1": "  "\n}', 2, "is blank"),
        ("q.json", '{\n  "global.1": "a",\n}', 2, "trailing comma"),
        ("q.json", '["global.1"]', 1, "one object"),
        ("q.csv", "linkId,text\nglobal.1,a\nglobal.9,b\n", 3, "unknown linkId 'global.9'"),
        ("q.csv", "linkId,text\nglobal.1,a\n\nglobal.1,b\n", 4, "first on line 2"),
        ("q.csv", "linkId,text\nglobal.1,a,extra\n", 2, "expected 2 columns"),
        ("q.csv", 'linkId,text\nglobal.1,"two\nlines"\nglobal.7,x\n', 4, "unknown linkId"),
        ("q.csv", "id,wording\nglobal.1,a\n", 1, "expected the header"),
        ("q.csv", "", 1, "the file is empty"),
        ("q.csv", "linkId,text\nglobal#1,a\nglobal#one,b\n", 3, "unknown linkId 'global#one'"),
        ("q.csv", "linkId,text\nwalking#1,a\n", 2, "unknown linkId 'walking#1'"),
        ("q.csv", "linkId,text\nglobal.1#2,a\nglobal.1#2,b\n", 3, "appears twice"),
    ],
)
def test_it_names_the_line_of_a_bad_entry(tmp_path, name, content, line, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ItemTextError, match=message) as raised:
        load_item_text(path)

    assert raised.value.line == line
    assert str(raised.value).startswith(f"{path}:{line}: ")


def test_it_names_the_line_of_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes(b"linkId,text\nglobal.1,caf\xe9\n")

    with pytest.raises(ItemTextError, match="not UTF-8") as raised:
        load_item_text(path)

    assert raised.value.line == 2


def test_it_refuses_a_file_that_is_neither_json_nor_csv(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("global.1 wording", encoding="utf-8")

    with pytest.raises(ItemTextError, match=r"must end in \.json or \.csv"):
        load_item_text(path)


def test_it_reports_a_missing_file(tmp_path):
    with pytest.raises(ItemTextError, match="no such file"):
        load_item_text(tmp_path / "absent.json")


def test_it_reads_response_wording_by_item_or_by_section(tmp_path):
    path = tmp_path / "qtfa.csv"
    path.write_text(
        "linkId,text\ncapability#1,Section wording one\ncapability.2#1,Item two's own one\n",
        encoding="utf-8",
    )

    text = read_item_text(path, TEXT_LINK_IDS, options=True)
    items = _items(questionnaire(text, SYNTHETIC_RULES))

    displays = {
        link_id: [o["valueCoding"]["display"] for o in items[link_id]["answerOption"]]
        for link_id in ("capability.1", "capability.2")
    }
    assert displays == {
        "capability.1": ["Section wording one", "2", "3"],
        "capability.2": ["Item two's own one", "2", "3"],
    }


def test_response_wording_is_refused_where_the_instrument_does_not_take_it(tmp_path):
    path = tmp_path / "qtfa.csv"
    path.write_text("linkId,text\ncapability#1,Section wording one\n", encoding="utf-8")

    with pytest.raises(ItemTextError, match="unknown linkId 'capability#1'"):
        read_item_text(path, TEXT_LINK_IDS)


def test_with_the_clinics_rules_every_item_offers_exactly_the_responses_they_score():
    items = _items(questionnaire(rules=SYNTHETIC_RULES))

    def codes(link_id):
        assert items[link_id]["type"] == "choice"
        return [int(o["valueCoding"]["code"]) for o in items[link_id]["answerOption"]]

    assert codes("use.days") == list(range(8))
    assert codes("use.hours") == [1, 2, 3, 4]
    assert codes("capability.1") == [1, 2, 3]
    assert codes("capability.12") == [1, 2, 3]  # its own points table, same responses
    assert codes("walking-habits.5") == [1, 2, 3, 4, 5]
    assert codes("global.3") == [1, 2, 3, 4, 5]
