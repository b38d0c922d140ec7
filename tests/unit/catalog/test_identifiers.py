"""Device identifiers as stored: GTIN-14, HIBC LIC+PCN+U/M, MA's first five segments."""

from __future__ import annotations

import pytest

from backend.catalog.identifiers import BadCheckDigit, BadIdentifier, normalise
from backend.core.errors import InvalidInput


@pytest.mark.parametrize(
    ("agency", "printed", "di"),
    [
        ("GS1", "6901234567892", "06901234567892"),
        ("GS1", "614141000036", "00614141000036"),
        ("GS1", "96385074", "00000096385074"),
        ("GS1", "10614141000033", "10614141000033"),
        ("GS1", "６９０１２３４５６７８９２", "06901234567892"),
        ("HIBC", "+A123LW00012", "A123LW00012"),
        ("HIBC", "a123lw00012", "A123LW00012"),
        ("MA", "MA.156.M0.100761.2000012", "MA.156.M0.100761.2000012"),
        ("MA", "MA.156.M0.100761.2000012.10.LOT9", "MA.156.M0.100761.2000012"),
    ],
)
def test_identifiers_are_normalised(agency, printed, di):
    ident = normalise(agency, printed)
    assert (ident.agency, ident.di) == (agency, di)


def test_the_printed_form_is_kept():
    assert normalise("GS1", "6901234567892").original == "6901234567892"


@pytest.mark.parametrize(
    ("agency", "printed", "error"),
    [
        ("GS1", "6901234567893", BadCheckDigit),
        ("GS1", "12345678901", BadIdentifier),
        ("GS1", "69012345678A2", BadIdentifier),
        ("GS1", "", BadIdentifier),
        ("HIBC", "+12", BadIdentifier),
        ("HIBC", "+A123", BadIdentifier),
        ("MA", "MA.156.M0", BadIdentifier),
        ("MA", "XX.156.M0.1.2", BadIdentifier),
    ],
)
def test_bad_identifiers_are_refused_with_their_own_code(agency, printed, error):
    with pytest.raises(error) as refused:
        normalise(agency, printed, field="identifier")
    assert refused.value.field == "identifier"


def test_an_unknown_agency_names_the_agency_field():
    with pytest.raises(InvalidInput) as refused:
        normalise("ICCBBA", "x")
    assert refused.value.field == "agency"


def test_a_wrong_check_digit_has_its_own_stable_code():
    with pytest.raises(BadCheckDigit) as refused:
        normalise("GS1", "6901234567893", field="identifier")
    assert refused.value.code == "BARCODE_CHECK_DIGIT"
    assert "6901234567893" in refused.value.message("en")
