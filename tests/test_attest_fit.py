"""Attest-type fit: consultation questions in journal-based certificates are flagged, with a Danish reason."""
import pytest

from scorer.attest_fit import attest_fit, needs_consultation

REQUEST = """Kære læge

Erik har smerter i lænden og skal i praktik på et lager. Vi beder dig svare på:
1. Kan du undersøge hans ryg og vurdere, hvor meget han kan løfte?
2. Hvilken behandling har han fået, og hvad er prognosen?
3. Hvad viste MR-scanningen i foråret?

Mvh Lars Holm, Jobcenter Viborg, tlf. 22 33 44 55"""

JOURNAL_ONLY = """Spørgsmål:
- Hvilke diagnoser fremgår af journalen?
- Blev han undersøgt for diskusprolaps i 2023, og hvad viste det?
- Er der planlagt yderligere undersøgelser?"""

LEAD_IN = """Til brug for sagen beder vi dig efter en undersøgelse af borgeren beskrive:
– hendes gangfunktion
– hvor længe hun kan stå"""


@pytest.mark.parametrize("attest_type", ["LÆ 125", "LÆ 105", "LÆ 115", "125", "LAE 125"])
def test_an_examination_question_is_flagged_for_journal_based_types(attest_type):
    flags = attest_fit(REQUEST, attest_type)
    assert len(flags) == 1
    flag = flags[0]
    assert flag.question.clean.startswith("Kan du undersøge hans ryg")
    assert REQUEST[flag.question.start:flag.question.end] == flag.question.text
    assert "undersøge" in flag.cue


def test_the_reason_is_danish_and_names_the_question_and_the_attest_type():
    reason = attest_fit(REQUEST, "LÆ 125")[0].reason
    assert "Kan du undersøge hans ryg" in reason
    assert "LÆ 125" in reason and "statusattest" in reason
    assert "uden konsultation" in reason and "LÆ 135/145" in reason


@pytest.mark.parametrize("attest_type", ["LÆ 135", "LÆ 145", "LÆ 155", None])
def test_types_written_after_a_consultation_or_unknown_are_never_flagged(attest_type):
    assert attest_fit(REQUEST, attest_type) == []


def test_questions_about_what_the_journal_holds_are_not_flagged():
    assert attest_fit(JOURNAL_ONLY, "LÆ 125") == []


def test_mentions_outside_questions_are_not_flagged():
    text = "Borgeren blev undersøgt på sygehuset i 2023 og var til konsultation i maj. Hvad er prognosen?"
    assert attest_fit(text, "LÆ 125") == []


def test_a_lead_in_that_asks_for_an_examination_flags_its_list():
    flags = attest_fit(LEAD_IN, "LÆ 125")
    assert [f.question.clean for f in flags] == ["hendes gangfunktion", "hvor længe hun kan stå"]


@pytest.mark.parametrize("question", [
    "Kan du måle hendes kondital, inden hun starter som postbud?",
    "Vi beder lægen ved fremmøde vurdere, om han kan gå på stiger.",
    "Kan du teste hendes hukommelse med en MMSE?",
])
def test_consultation_cues(question):
    assert needs_consultation(question) is not None


def test_reason_masks_identifiers():
    text = "Kan du undersøge borgeren med cpr 120397-3415 og vurdere gangfunktionen?"
    reason = attest_fit(text, "LÆ 125")[0].reason
    assert "120397-3415" not in reason and "[CPR]" in reason


def test_unknown_type_string_raises():
    with pytest.raises(ValueError):
        attest_fit(REQUEST, "LÆ 999")

