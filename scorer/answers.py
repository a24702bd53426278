"""Does the certificate answer the request's questions?

For each question of the request (:func:`scorer.questions.split_questions`) the certificate segment
that answers it best, with a score; the pair's ``answers_questions`` is the roll-up (codebook: 1 when
the central questions each get a reply, "kan ikke vurderes" included; None when nothing was asked).

The default path is lexical and needs no model: overlap of crudely stemmed Danish content words,
character n-gram TF-IDF cosine (robust to compounds and inflection: "skånehensyn" ~ "skånes"), and
question-type cues (a question about "skånehensyn" is answered by "bør undgå", "kan ikke").
An embedding function (e.g. the e5 encoder) can replace the character cosine.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from scorer.questions import LIST_ITEM, Question, split_questions
from scorer.results import Evidence
from scorer.text import Segment, segment

Embed = Callable[[list[str]], np.ndarray]

#: a question counts as answered when its best certificate segment scores at least this
#: (chosen on train+dev pairs by training/evaluate_questions.py; see models/signals/questions.json)
THRESHOLD = 0.12
#: share of a request's questions that must be answered for answers_questions = 1
MIN_SHARE = 0.75
WEIGHTS = {"overlap": 0.5, "similarity": 0.5, "cue": 0.3}
STEM = 5
HEADING_MAX_WORDS = 3
STOPWORDS = set("""
af alle allerede alt andre at bedes beder bliver blive borger borgeren borgerens både da de dem den denne
der deres det dette dig din du efter eller en end er et evt for fra frem få gerne godt har havde have
han hans helt her hende hendes hun hvad hvilke hvilken hvilket hvis hvor hvordan hvornår hvorvidt i ikke
ind jeg jer jeres kan kommer kunne lægen lægens man med meget men mere mig mod må ned noget nogen nu når
og om op os også over på sig sin sine sit skal skulle som så til ud under var ved vi vil ville vurdere
vurderer vurdering vurderes være været venligst beskrive beskriv oplyse oplys angive fx f.eks evt eventuelle
eventuel herunder samt jobcenteret jobcentret kommunen os spørgsmål muligt mulighed forhold
""".split())
SUFFIXES = ("erne", "ene", "ende", "ede", "ens", "ets", "er", "en", "et", "es", "e", "s")
#: (what a question asks about, what an answering sentence says): lets a résumé that folds the
#: answers into prose (LÆ 125) count as a reply
CUES = [
    (r"timer|timetal|fuld tid|deltid|omfang|ugentlig|hvor meget .*arbejd|optrap",
     r"\d+\s*(-|–|til)?\s*\d*\s*(t\b|timer|t/|t\.)|fuld tid|deltid|nedsat tid|timetal|optrap"),
    (r"skån|hensyn|undgå|tåle|\bmå\b|begræns|uegnet|bør",
     r"skån|undgå|frarådes|bør ikke|må ikke|kan ikke|ikke egnet|uegnet|tåler|hensyn|begræns|anbefal"),
    (r"prognos|forvent|bedring|bedre|udsigt|fremtid|varighed|udvikling",
     r"prognos|forvent|bedring|forbedr|udsigt|varig|stabil|på sigt|udvikling"),
    (r"behandl|medicin|terapi|kontrol|henvis",
     r"behandl|medicin|\bmg\b|terapi|psykolog|fysioterap|henvist|planlagt|kontrol"),
    (r"diagnos|sygdom|lidelse|helbred",
     r"diagnos|\bdg\b|lider af|kronisk|syndrom|sygdom|lidelse|\w+(itis|ose|prolaps|fraktur|skade|gigt|depression"
     r"|angst|diabetes|kræft|cancer|ptsd|adhd)\b"),
    (r"løft|bære|\bkg\b", r"løft|bære|\d+\s*kg"),
    (r"\bgå\b|\bstå\b|sidde|trappe|gang", r"\bgå\w*|\bstå\w*|sidde|trappe|\d+\s*(m|km|min)\b"),
    (r"koncentr|hukommel|stress|overblik|psykisk|energi|træt",
     r"koncentr|hukommel|stress|overblik|psykisk|energi|træt"),
    (r"kontakt|social|samarbejd|kolleg|kunder|gruppe", r"kontakt|social|samarbejd|kolleg|kunder|gruppe"),
    (r"funktion|arbejdsevne|arbejde|klare|kan og ikke kan",
     r"funktion|arbejdsevne|\bkan (ikke )?(klare|arbejde|gå|stå|sidde|bære|løfte)|i stand til|arbejdsdygtig"),
    (r".", r"kan ikke (vurderes|besvares|udtale)|ikke muligt at vurdere|kan jeg ikke (vurdere|udtale|besvare)"),
]
_CUES = [(re.compile(q, re.IGNORECASE), re.compile(a, re.IGNORECASE)) for q, a in CUES]


@dataclass(frozen=True)
class QuestionAnswer:
    """One question, whether it is answered, the best score and the certificate passage that answers it."""

    question: Question
    answered: bool
    score: float
    evidence: Evidence | None


@dataclass(frozen=True)
class AnswerMatch:
    """Per-question answers and the pair's roll-up (None when the request asks nothing)."""

    questions: list[QuestionAnswer]
    answers_questions: int | None
    share_answered: float | None


def stems(text: str) -> set[str]:
    """Content words of a text, stemmed by suffix stripping and cut to a prefix (compounds match)."""
    out = set()
    for word in re.findall(r"[a-zæøå]+", text.lower()):
        if len(word) < 3 or word in STOPWORDS:
            continue
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[:-len(suffix)]
                break
        out.add(word[:STEM])
    return out


def _overlap(question: set[str], answers: list[set[str]]) -> np.ndarray:
    if not question:
        return np.zeros(len(answers))
    return np.array([len(question & a) / len(question) for a in answers])


def _cues(question: str, answers: list[str]) -> np.ndarray:
    asked = [a for q, a in _CUES if q.search(question)]
    return np.array([float(any(a.search(text) for a in asked)) for text in answers])


def _same_number(question: Question, passages: list[Segment], text: str) -> np.ndarray:
    """1 where a passage is numbered like the question ("3." answers question 3.)."""
    number = (question.marker or "").rstrip(".)")
    marks = [LIST_ITEM.match(text[p.start:p.end]) for p in passages]
    return np.array([float(number.isdigit() and m is not None and m.group(1).rstrip(".)") == number)
                     for m in marks])


def _char_similarity(questions: list[str], answers: list[str]) -> np.ndarray:
    """(questions, answers) cosine of character 3-5-gram TF-IDF vectors fitted on this pair."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
    matrix = vectorizer.fit_transform(questions + answers)
    return (matrix[:len(questions)] @ matrix[len(questions):].T).toarray()


def _embed_similarity(embed: Embed, questions: list[str], answers: list[str]) -> np.ndarray:
    vectors = np.asarray(embed(questions + answers), dtype=np.float64)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return vectors[:len(questions)] @ vectors[len(questions):].T


def _passages(text: str) -> tuple[list[Segment], list[str]]:
    """Certificate segments that can answer, each read with the heading it stands under
    ("Prognose", "Diagnoser:"), since a bare list under a heading answers the heading's topic."""
    passages, texts, heading = [], [], ""
    for seg in segment(text):
        if seg.is_label or (len(seg.text.split()) <= HEADING_MAX_WORDS and not seg.text.endswith((".", "?"))):
            heading = seg.text
            continue
        passages.append(seg)
        texts.append(f"{heading} {seg.text}" if heading else seg.text)
    return passages, texts


def roll_up(scores: list[float], threshold: float = THRESHOLD,
            min_share: float = MIN_SHARE) -> tuple[int | None, float | None]:
    """``answers_questions`` and the share answered from per-question best scores."""
    if not scores:
        return None, None
    share = float(np.mean([s >= threshold for s in scores]))
    return int(share >= min_share), share


def match_answers(request_text: str, certificate_text: str, embed: Embed | None = None,
                  threshold: float = THRESHOLD, min_share: float = MIN_SHARE) -> AnswerMatch:
    """Which of the request's questions the certificate answers, each with its evidence passage."""
    questions = split_questions(request_text)
    answers, said = _passages(certificate_text)
    if not questions:
        return AnswerMatch([], None, None)
    if not answers:
        results = [QuestionAnswer(q, False, 0.0, None) for q in questions]
        return AnswerMatch(results, *roll_up([0.0] * len(questions), threshold, min_share))
    asked = [q.clean for q in questions]
    similarity = (_embed_similarity(embed, asked, said) if embed is not None
                  else _char_similarity(asked, said))
    answer_stems = [stems(t) for t in said]
    results = []
    for i, question in enumerate(questions):
        cue = np.maximum(_cues(question.clean, said), _same_number(question, answers, certificate_text))
        scores = (WEIGHTS["overlap"] * _overlap(stems(question.clean), answer_stems)
                  + WEIGHTS["similarity"] * similarity[i] + WEIGHTS["cue"] * cue)
        best = int(np.argmax(scores))
        seg = answers[best]
        evidence = Evidence("answers_questions", seg.start, seg.end, certificate_text[seg.start:seg.end],
                            round(float(scores[best]), 4))
        results.append(QuestionAnswer(question, bool(scores[best] >= threshold), float(scores[best]), evidence))
    return AnswerMatch(results, *roll_up([r.score for r in results], threshold, min_share))
