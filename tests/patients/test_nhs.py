import pytest

from osseo.patients.nhs import is_valid_nhs_number, nhs_check_digit, nhs_number_problem


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_valid_numbers_pass_the_modulus_11_check(number):
    assert is_valid_nhs_number(number)


def test_a_wrong_check_digit_is_refused():
    assert nhs_number_problem("9434765918") == (
        "This is not a valid NHS number: its check digit does not match."
    )


@pytest.mark.parametrize("number", ["", "123", "94347659190", "94347659AB"])
def test_anything_but_ten_digits_is_refused(number):
    assert nhs_number_problem(number) == "An NHS number has exactly 10 digits."


def test_a_check_digit_of_eleven_becomes_zero():
    # the weighted sum is 0, 11 - 0 = 11, and 11 becomes 0
    assert nhs_check_digit("000000000") == 0


def test_nine_digits_whose_check_would_be_ten_have_no_valid_number():
    assert nhs_check_digit("000000006") is None
