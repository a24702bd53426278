"""The request splitter: list styles, inline and imperative asks, exported text, and span invariants."""
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.questions import split_questions

NUMBERED = """Kære læge

Sanne har været i praktik i en dagligvarebutik 3 dage om ugen siden august.

Vi vil derfor gerne bede dig svare på følgende:
1. Hvor mange timer om dagen kan hun holde til at stå ved kassen?
2) Må hun løfte varekasser på 10-12 kg?
a) Er hun i behandling for sin migræne, og virker den?

Med venlig hilsen
Birgitte Holm, Jobcenter Kolding"""

BULLETS = """Spørgsmål til lægen:
- hvor lang tid han kan sidde ved en skærm før smerterne tager over
• om han må køre gaffeltruck med den medicin han får
* hvornår du forventer at han er færdigbehandlet

Tak for hjælpen."""

EN_DASH = """Til brug for sagen beder vi dig efter en konsultation beskrive:
– borgerens diagnoser og aktuelle behandling
– hvilke skånehensyn der skal tages i et køkken
– forventet varighed"""

PROSE = ("Mustafa har været sygemeldt fra sit job som buschauffør siden marts. Kan han køre bus igen, "
         "når medicinen er justeret? Lægen bedes beskrive, hvilke bivirkninger han har af medicinen. "
         "Vi beder dig vurdere, om han kan arbejde om natten. Beskriv venligst prognosen. "
         "Kan du oplyse, om han er henvist til søvnklinikken. Han blev undersøgt på sygehuset i 2023.")

EXPORTED = """Jobcenter Vejle – Team Afklaring                              Side 1 af 2
Spørgsmål
1. Hvordan påvirker hendes angst muligheden for at følge undervis-
   ning 20 timer om ugen?
2. Kan hun tåle larm fra
-------------------------------------------------------------------------------
Jobcenter Vejle – Team Afklaring                              Side 2 af 2
   maskinerne i et køkken?
Venlig hilsen og god weekend
Lene Storm"""

ORDER_ONLY = """ATTESTBESTILLING                      Udskrevet 03-02-2025 09:12
1.  Attest:           LÆ 125
2.  Borger:           Jonas Kirk
3.  Spørgsmål:
4.  Frist:            14 dage

Hermed anmodning om LÆ 125 vedr. ovennævnte.
Attesten bedes returneret inden for 14 dage. Har De spørgsmål til anmodningen, kan De kontakte mig."""


def _spans_hold(text, questions):
    for q in questions:
        assert text[q.start:q.end] == q.text
        assert q.clean and "\n" not in q.clean


def test_numbered_list_items_are_questions_with_their_markers():
    qs = split_questions(NUMBERED)
    assert [q.marker for q in qs] == ["1.", "2)", "a)"]
    assert qs[0].clean.startswith("Hvor mange timer om dagen")
    assert "følgende" in qs[0].lead
    _spans_hold(NUMBERED, qs)


def test_bullets_under_a_heading_count_without_question_marks():
    qs = split_questions(BULLETS)
    assert [q.marker for q in qs] == ["-", "•", "*"]
    assert qs[1].clean == "om han må køre gaffeltruck med den medicin han får"
    _spans_hold(BULLETS, qs)


def test_en_dash_list_is_cut_into_items_and_keeps_its_lead_in():
    qs = split_questions(EN_DASH)
    assert [q.clean for q in qs] == ["borgerens diagnoser og aktuelle behandling",
                                     "hvilke skånehensyn der skal tages i et køkken", "forventet varighed"]
    assert all("konsultation" in q.lead for q in qs)


def test_inline_and_imperative_asks_in_prose_but_not_statements():
    cleans = [q.clean for q in split_questions(PROSE)]
    assert cleans == [
        "Kan han køre bus igen, når medicinen er justeret?",
        "Lægen bedes beskrive, hvilke bivirkninger han har af medicinen.",
        "Vi beder dig vurdere, om han kan arbejde om natten.",
        "Beskriv venligst prognosen.",
        "Kan du oplyse, om han er henvist til søvnklinikken.",
    ]


def test_exported_questions_are_rejoined_over_lines_hyphens_and_page_breaks():
    qs = split_questions(EXPORTED)
    assert [q.clean for q in qs] == [
        "Hvordan påvirker hendes angst muligheden for at følge undervisning 20 timer om ugen?",
        "Kan hun tåle larm fra maskinerne i et køkken?",
    ]
    assert "Side 2 af 2" in qs[1].text  # the span covers the page break; the clean text does not
    _spans_hold(EXPORTED, qs)


def test_an_order_without_questions_and_paperwork_asks_give_none():
    assert split_questions(ORDER_ONLY) == []


PIECES = st.sampled_from([
    "Kan hun arbejde 4 timer om dagen?", "Lægen bedes beskrive prognosen.", "Spørgsmål:", "1. Må han løfte?",
    "- om hun kan tåle støj", "Hun har ondt i ryggen.", "\n", "\n\n", "Side 1 af 2", "undersøg-\nelse",
    "• Hvad er planen?", "   ", "a) Er der skånehensyn", "Venlig hilsen", "?", "1.", "–  diagnoser",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=25).map(" ".join) | st.text(max_size=300))
def test_spans_are_in_bounds_in_order_disjoint_and_match_the_text(text):
    qs = split_questions(text)
    previous_end = 0
    for q in qs:
        assert 0 <= q.start < q.end <= len(text)
        assert q.start >= previous_end
        assert text[q.start:q.end] == q.text
        previous_end = q.end
