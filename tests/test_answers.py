"""Answer matching: answered vs ignored questions, evidence from the certificate, the None rule."""
import numpy as np

from scorer.answers import match_answers, roll_up

REQUEST = """Kære læge

Karina skal starte i praktik i et vaskeri i februar. Vi beder dig svare på:
1. Hvor mange timer om ugen kan hun arbejde til at begynde med?
2. Er der skånehensyn i forhold til løft og arbejde med armene over hovedet?
3. Hvad er prognosen for hendes skulder?

Venlig hilsen
Tina Hald, Jobcenter Holstebro"""

ANSWERING = """LÆ 125 Statusattest – Karina

Diagnose: Impingement i højre skulder, konstateret 2024.
Behandling: Fysioterapi 1 gang ugentligt, paracetamol ved behov.

Hun kan efter min vurdering arbejde 15 timer om ugen fordelt på 5 dage, med optrapning efter 2 måneder.
Hun bør undgå løft over 5 kg og arbejde med armene over skulderhøjde.
Prognosen er god; jeg forventer bedring over de næste 6 måneder med fortsat træning.

Med venlig hilsen
Søren Lund, praktiserende læge"""

IGNORING = """LÆ 125 Statusattest – Karina

Karina er kendt i praksis siden 2015. Hun har haft otitis som barn og en ankelforstuvning i 2019.
Familien bor i Holstebro. Hun er ikke-ryger og drikker ikke alkohol.
Blodprøver i 2022 var normale.

Søren Lund, praktiserende læge"""

CANNOT_ASSESS = """LÆ 125 Statusattest

Hun er ikke set i praksis det seneste år, så antallet af timer kan ikke vurderes ud fra journalen.
Skånehensyn og løft kan ikke vurderes uden en undersøgelse af skulderen.
Prognosen kan ikke vurderes, før ortopædkirurgen har set hende."""


def test_a_certificate_that_replies_answers_each_question_with_its_own_sentence():
    match = match_answers(REQUEST, ANSWERING)
    assert match.answers_questions == 1
    assert len(match.questions) == 3 and all(q.answered for q in match.questions)
    hours, lifting, prognosis = (q.evidence.text for q in match.questions)
    assert "15 timer" in hours
    assert "undgå løft" in lifting
    assert "Prognosen" in prognosis


def test_evidence_is_the_certificate_s_own_text():
    for q in match_answers(REQUEST, ANSWERING).questions:
        ev = q.evidence
        assert ANSWERING[ev.start:ev.end] == ev.text
        assert ev.label == "answers_questions"


def test_a_certificate_that_ignores_the_questions_is_zero_and_scores_lower():
    answered = match_answers(REQUEST, ANSWERING)
    ignored = match_answers(REQUEST, IGNORING)
    assert ignored.answers_questions == 0
    assert ignored.share_answered < answered.share_answered
    assert all(i.score < a.score for i, a in zip(ignored.questions, answered.questions))


def test_cannot_be_assessed_with_a_reason_counts_as_a_reply():
    assert match_answers(REQUEST, CANNOT_ASSESS).answers_questions == 1


def test_no_question_gives_none():
    match = match_answers("Hermed anmodning om LÆ 125 vedr. ovennævnte borger.\n\nMvh Jobcentret", ANSWERING)
    assert match.answers_questions is None and match.questions == [] and match.share_answered is None


def test_a_certificate_of_only_headings_answers_nothing():
    match = match_answers(REQUEST, "Diagnose:\nBehandling:\n")
    assert match.answers_questions == 0
    assert all(not q.answered and q.evidence is None for q in match.questions)


def test_an_embedding_function_replaces_the_character_similarity():
    calls = []

    def same(texts):
        calls.append(len(texts))
        return np.ones((len(texts), 4))

    def orthogonal(texts):
        return np.eye(len(texts), 64)

    high = match_answers(REQUEST, IGNORING, embed=same)
    low = match_answers(REQUEST, IGNORING, embed=orthogonal)
    assert calls and all(h.score > l.score for h, l in zip(high.questions, low.questions))


def test_roll_up_follows_the_share_of_answered_questions():
    assert roll_up([], 0.2, 0.5) == (None, None)
    assert roll_up([0.3, 0.1], 0.2, 0.5) == (1, 0.5)
    assert roll_up([0.3, 0.1], 0.2, 0.75) == (0, 0.5)
