"""Reading GS1 UDI barcodes: what a scanner or a person gives us, and the sentences for mistakes."""

import datetime as dt

import pytest

from osseo.surgery.gs1 import ParsedUDI, UDIError, parse_udi

GS = "\x1d"
# GS1's own example GTIN, and one more built with the check digit computed below.
GTIN = "09506000134352"
OTHER_GTIN = "04012345000009"
TODAY = dt.date(2026, 1, 15)


def gs1_check_digit(payload: str) -> int:
    """GS1 mod-10: weights 3 and 1 from the right of the payload (General Specifications 7.9)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def test_the_example_gtins_have_valid_check_digits():
    for gtin in (GTIN, OTHER_GTIN, "08806388269617"):
        assert gs1_check_digit(gtin[:-1]) == int(gtin[-1])


def test_raw_scanner_content_with_the_datamatrix_prefix_and_gs_separators_is_read():
    code = f"]d201{GTIN}17290101" + f"10ABC123{GS}21S1"
    assert parse_udi(code, today=TODAY) == ParsedUDI(
        gtin=GTIN,
        lot="ABC123",
        serial="S1",
        expiry=dt.date(2029, 1, 1),
        production_date=None,
        expired=False,
        hri=f"(01){GTIN}(17)290101(10)ABC123(21)S1",
    )


def test_a_real_implant_label_with_production_date_and_an_extra_ai_is_read():
    # The scan verified with biip in docs/sources.md#udi.
    code = "]d20108806388269617112302141728021310230214A3263-01\x1d21059\x1d240ARO4808C"
    udi = parse_udi(code, today=TODAY)
    assert udi.gtin == "08806388269617"
    assert udi.production_date == dt.date(2023, 2, 14)
    assert udi.expiry == dt.date(2028, 2, 13)
    assert (udi.lot, udi.serial) == ("230214A3263-01", "059")
    assert udi.hri == (
        "(01)08806388269617(11)230214(17)280213(10)230214A3263-01(21)059(240)ARO4808C"
    )


def test_raw_content_without_a_symbology_prefix_is_read():
    udi = parse_udi(f"01{OTHER_GTIN}10LOT-7{GS}21SN0042", today=TODAY)
    assert (udi.gtin, udi.lot, udi.serial, udi.expiry) == (OTHER_GTIN, "LOT-7", "SN0042", None)


@pytest.mark.parametrize("separator", ["<GS>", "<gs>", "␝"])
def test_a_typed_or_displayed_gs_placeholder_is_read_as_the_separator(separator):
    udi = parse_udi(f"]d201{GTIN}10ABC123{separator}21S1", today=TODAY)
    assert (udi.lot, udi.serial) == ("ABC123", "S1")


def test_gs1_128_content_and_stray_separators_at_either_end_are_read():
    udi = parse_udi(f"]C1{GS}01{GTIN}10ABC{GS}\n", today=TODAY)
    assert (udi.gtin, udi.lot) == (GTIN, "ABC")


def test_the_human_readable_form_is_read():
    udi = parse_udi(f"(01){GTIN}(17)290101(10)ABC123(21)S1", today=TODAY)
    assert udi == ParsedUDI(
        gtin=GTIN,
        lot="ABC123",
        serial="S1",
        expiry=dt.date(2029, 1, 1),
        production_date=None,
        expired=False,
        hri=f"(01){GTIN}(17)290101(10)ABC123(21)S1",
    )


def test_the_human_readable_form_may_be_typed_with_spaces():
    udi = parse_udi(f" (01) {GTIN} (11) 250601 (10) ABC123 ", today=TODAY)
    assert (udi.gtin, udi.production_date, udi.lot) == (GTIN, dt.date(2025, 6, 1), "ABC123")


def test_a_gs1_digital_link_is_read():
    udi = parse_udi(f"https://id.gs1.org/01/{GTIN}/10/ABC123?17=290101", today=TODAY)
    assert (udi.gtin, udi.lot, udi.expiry) == (GTIN, "ABC123", dt.date(2029, 1, 1))


# --- Dates -------------------------------------------------------------------------------------


def test_expiry_day_00_means_the_last_day_of_the_month():
    assert parse_udi(f"(01){GTIN}(17)280200", today=TODAY).expiry == dt.date(2028, 2, 29)
    assert parse_udi(f"(01){GTIN}(17)270200", today=TODAY).expiry == dt.date(2027, 2, 28)
    assert parse_udi(f"(01){GTIN}(17)271100", today=TODAY).expiry == dt.date(2027, 11, 30)


def test_an_expired_device_is_read_and_marked_expired_not_refused():
    udi = parse_udi(f"]d201{GTIN}17251231" + "10OLD", today=TODAY)
    assert udi.expiry == dt.date(2025, 12, 31)
    assert udi.expired is True
    assert udi.lot == "OLD"


def test_a_device_is_in_date_on_its_expiry_day_and_expired_the_day_after():
    code = f"(01){GTIN}(17)260115"
    assert parse_udi(code, today=dt.date(2026, 1, 15)).expired is False
    assert parse_udi(code, today=dt.date(2026, 1, 16)).expired is True


def test_a_device_without_an_expiry_date_is_not_expired():
    assert parse_udi(f"(01){GTIN}(21)S1", today=TODAY).expired is False


def test_without_today_the_local_date_is_used():
    assert parse_udi(f"(01){GTIN}(17)000101").expired is True
    assert parse_udi(f"(01){GTIN}(17)701231").expired is False


DATE_SENTENCE = (
    "is not a real date; GS1 dates are YYMMDD, with day 00 meaning the end of the month."
)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (f"(01){GTIN}(17)291301", f"The expiry date (AI 17) '291301' {DATE_SENTENCE}"),
        (f"(01){GTIN}(17)290230", f"The expiry date (AI 17) '290230' {DATE_SENTENCE}"),
        (f"]d201{GTIN}17291301" + "10ABC", f"The expiry date (AI 17) '291301' {DATE_SENTENCE}"),
        (f"01{GTIN}17270231" + "10ABC", f"The expiry date (AI 17) '270231' {DATE_SENTENCE}"),
        (f"(01){GTIN}(11)250229", f"The production date (AI 11) '250229' {DATE_SENTENCE}"),
    ],
)
def test_an_impossible_date_is_refused_with_a_sentence(code, message):
    with pytest.raises(UDIError) as caught:
        parse_udi(code, today=TODAY)
    assert caught.value.message == message


# --- Mistakes ----------------------------------------------------------------------------------

CHECK_DIGIT = (
    "The GTIN's check digit is wrong: expected 2, found 3. "
    "Check the code was scanned or typed correctly."
)


@pytest.mark.parametrize(
    "code",
    [
        "]d20109506000134353172901011" + f"0ABC123{GS}21S1",
        "(01)09506000134353(17)290101(10)ABC123",
        "https://id.gs1.org/01/09506000134353",
    ],
)
def test_a_wrong_gtin_check_digit_is_refused(code):
    with pytest.raises(UDIError) as caught:
        parse_udi(code, today=TODAY)
    assert caught.value.message == CHECK_DIGIT
    assert str(caught.value) == CHECK_DIGIT


@pytest.mark.parametrize("code", ["(17)290101(10)ABC123", "]d217290101" + "10ABC", "(99)NOTE"])
def test_a_code_without_a_gtin_is_refused(code):
    with pytest.raises(UDIError, match=r"^The code has no GTIN \(AI 01\), so it does not"):
        parse_udi(code, today=TODAY)


def test_a_gtin_of_the_wrong_length_is_refused():
    with pytest.raises(UDIError, match=r"^The GTIN \(AI 01\) must be 14 digits; found '123'.$"):
        parse_udi("(01)123", today=TODAY)


def test_a_bare_product_number_is_not_taken_for_a_udi():
    with pytest.raises(UDIError) as caught:
        parse_udi(GTIN, today=TODAY)
    assert caught.value.message == (
        f"This is a bare product number ({GTIN}) without lot, serial or dates; scan the UDI "
        "barcode, or type it as (01)...(17)...(10)...(21)..."
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "hello world",
            "This is not a GS1 UDI that Osseo can read "
            "(Failed to get GS1 Application Identifier from 'hello world').",
        ),
        (
            "]d2hello",
            "This is not a GS1 UDI that Osseo can read "
            "(Failed to get GS1 Application Identifier from 'hello').",
        ),
        ("   ", "The code is empty: scan the barcode or type its text."),
        ("", "The code is empty: scan the barcode or type its text."),
    ],
)
def test_garbage_is_refused_with_a_sentence(code, message):
    with pytest.raises(UDIError) as caught:
        parse_udi(code, today=TODAY)
    assert caught.value.message == message


@pytest.mark.parametrize("code", ["(0", "()", "(ab)12"])
def test_brackets_without_application_identifiers_are_refused(code):
    with pytest.raises(UDIError, match=r"^This is not a GS1 UDI that Osseo can read"):
        parse_udi(code, today=TODAY)


def test_human_readable_text_that_is_partly_unreadable_is_refused_rather_than_cut_short():
    with pytest.raises(UDIError, match=r"^Part of the text could not be read"):
        parse_udi(f"(01){GTIN}(10)AB(C)", today=TODAY)


def test_the_error_is_a_value_error_for_callers_that_catch_those():
    with pytest.raises(ValueError):
        parse_udi("garbage", today=TODAY)
