import pytest

from kohtaanto.domain.business_id import make_business_id, validate_business_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0737546-2", "0737546-2"),
        (" 0737546-2 ", "0737546-2"),
        ("737546-2", "0737546-2"),
        ("1572860-0", "1572860-0"),  # remainder 0 → check digit 0
    ],
)
def test_valid(value: str, expected: str) -> None:
    assert validate_business_id(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0737546-3", "wrong check digit"),
        ("07375462", "form NNNNNNN-C"),
        ("0737546-", "form NNNNNNN-C"),
        ("A737546-2", "form NNNNNNN-C"),
        ("", "form NNNNNNN-C"),
    ],
)
def test_invalid(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_business_id(value)


def test_remainder_one_has_no_valid_id() -> None:
    # Find seven digits whose weighted sum leaves remainder 1.
    digits = next(n for n in range(10_000) if make_business_id(n) is None)
    with pytest.raises(ValueError, match="no check digit exists"):
        validate_business_id(f"{digits:07d}-0")


def test_make_round_trips() -> None:
    made = [make_business_id(n) for n in range(0, 2_000_000, 7919)]
    valid = [b for b in made if b is not None]
    assert len(valid) > 0.85 * len(made)
    assert all(validate_business_id(b) == b for b in valid)
    assert make_business_id(737546) == "0737546-2"
