"""HIBCC labels (issue 18): primary and secondary structures, and both in one symbol, each with
its modulus 43 check character worked out by hand from the character values (0-9 = 0-9,
A-Z = 10-35, - 36, . 37, space 38, $ 39, / 40, + 41, % 42); a wrong one is refused (422)."""

import datetime as dt

import pytest

from osseo.surgery.hibcc import HIBCCError, check_character, parse_hibcc
from osseo.surgery.models import Device
from tests.conftest import api_client
from tests.surgery.conftest import days_ago, operation, post

TODAY = dt.date(2026, 1, 15)


@pytest.mark.parametrize(
    ("data", "total", "check"),
    [
        # The scanner references' worked examples.
        ("+A123BJC5D6E71", 145, "G"),  # 145 = 3 x 43 + 16: G
        ("+A1234BJC5D6E71", 149, "K"),  # 149 = 3 x 43 + 20: K
        # 41+14+1+2+3+24+28+28+14+24+1+1 = 181 = 4 x 43 + 9: "9"
        ("+E123OSSEO11", 181, "9"),
        # 41+39+39+3+2+9+1+2+3+1+21+24+29+4+2+9 = 229 = 5 x 43 + 14: E
        ("+$$3291231LOT429", 229, "E"),
        # 41+39+41+28+14+27+7+9 = 206 = 4 x 43 + 34: Y
        ("+$+SER79", 206, "Y"),
    ],
)
def test_the_check_character_is_the_modulus_43_sum(data, total, check):
    assert total % 43 == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%".index(check)
    assert check_character(data) == check


def test_a_primary_label_gives_labeler_product_and_unit():
    parsed = parse_hibcc("+A123BJC5D6E71G", today=TODAY)
    assert (parsed.labeler, parsed.product, parsed.unit_of_measure, parsed.check) == (
        "A123",
        "BJC5D6E7",
        "1",
        "G",
    )
    assert (parsed.lot, parsed.serial, parsed.expiry) == (None, None, None)


def test_a_primary_and_secondary_label_give_lot_and_expiry():
    parsed = parse_hibcc("+E123OSSEO119 +$$3291231LOT429E", today=TODAY)
    assert (parsed.labeler, parsed.product, parsed.unit_of_measure) == ("E123", "OSSEO1", "1")
    assert (parsed.lot, parsed.expiry, parsed.expired) == ("LOT42", dt.date(2029, 12, 31), False)


def test_a_serial_secondary_label_gives_the_serial():
    parsed = parse_hibcc("+E123OSSEO119 +$+SER79Y", today=TODAY)
    assert (parsed.serial, parsed.lot) == ("SER7", None)


def test_primary_and_secondary_in_one_symbol():
    # 41+14+1+2+3+24+28+28+14+24+1+1+40+39+39+3+2+9+1+2+3+1+21+24+29+4+2 = 400 = 9 x 43 + 13: D
    parsed = parse_hibcc("+E123OSSEO11/$$3291231LOT42D", today=TODAY)
    assert (parsed.product, parsed.lot, parsed.expiry) == ("OSSEO1", "LOT42", dt.date(2029, 12, 31))


def test_an_mmyy_expiry_is_the_last_day_of_that_month_and_may_be_past():
    # +$$1229LOT7A + link 9: 233 = 5 x 43 + 18: I
    parsed = parse_hibcc("+E123OSSEO119 +$$1229LOT7A9I", today=TODAY)
    assert (parsed.expiry, parsed.lot, parsed.expired) == (dt.date(2029, 12, 31), "LOT7A", False)
    assert parse_hibcc("+E123OSSEO119 +$$1229LOT7A9I", today=dt.date(2030, 1, 1)).expired


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("+A123BJC5D6E71H", "check character is 'H' but should be 'G'"),
        ("+E123OSSEO119 +$$3291231LOT429F", "check character is 'F' but should be 'E'"),
        ("+E123OSSEO119 +$+SER7G+", "link character does not match"),
    ],
)
def test_a_wrong_check_or_link_character_is_refused(code, message):
    with pytest.raises(HIBCCError, match=message):
        parse_hibcc(code, today=TODAY)


def test_an_hibcc_implant_is_recorded_and_a_wrong_check_character_is_a_422(world):
    procedure = operation(world, on=days_ago(10), parts=(), sign=False)
    client = api_client(world.users["surgeon"])
    url = f"/api/v1/procedures/{procedure.uuid}/devices"
    bad = post(client, url, {"kind": "implant", "code": "+E123OSSEO118 +$$3291231LOT428E"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "code"
    assert "check character" in bad.json()["errors"][0]["message"]
    assert Device.objects.count() == 0
    ok = post(client, url, {"kind": "implant", "code": "+E123OSSEO119 +$$3291231LOT429E"})
    assert ok.status_code == 201, ok.content
    device = Device.objects.get()
    assert (device.udi_issuer, device.udi_di, device.lot, device.expiry) == (
        "hibcc",
        "E123OSSEO11",
        "LOT42",
        dt.date(2029, 12, 31),
    )


@pytest.mark.parametrize(
    ("secondary", "quantity"),
    [
        # 41+39+39+8+0+5+3+2+9+1+2+3+1+21+24+29+4+2+9 = 242 = 5 x 43 + 27: R
        ("+$$8053291231LOT429R", 5),
        # 41+39+39+9+0+0+1+2+0+3+2+9+1+2+3+1+21+24+29+4+2+9 = 241 = 5 x 43 + 26: Q
        ("+$$9001203291231LOT429Q", 120),
    ],
)
def test_a_quantity_before_the_expiry_is_read_with_the_lot_and_expiry(secondary, quantity):
    parsed = parse_hibcc(f"+E123OSSEO119 {secondary}", today=TODAY)
    assert (parsed.quantity, parsed.lot, parsed.expiry) == (
        quantity,
        "LOT42",
        dt.date(2029, 12, 31),
    )


def test_a_label_without_a_quantity_has_none():
    assert parse_hibcc("+E123OSSEO119 +$$3291231LOT429E", today=TODAY).quantity is None


def test_a_short_quantity_is_refused():
    # 41+39+39+8+5 = 132 = 3 x 43 + 3, and the link character 9: 141 = 3 x 43 + 12: C
    with pytest.raises(HIBCCError, match="quantity"):
        parse_hibcc("+E123OSSEO119 +$$859C", today=TODAY)


def test_an_hibcc_quantity_is_stored_on_the_device(world):
    procedure = operation(world, on=days_ago(10), parts=(), sign=False)
    client = api_client(world.users["surgeon"])
    url = f"/api/v1/procedures/{procedure.uuid}/devices"
    ok = post(client, url, {"kind": "implant", "code": "+E123OSSEO119 +$$8053291231LOT429R"})
    assert ok.status_code == 201, ok.content
    assert Device.objects.values_list("udi_quantity", "lot").get() == (5, "LOT42")
