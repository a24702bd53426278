"""Boilerplate index: reused team paragraphs are found in small hand-written archives; properties of
shares and spans; order independence; fixed memory; save/load; masked top phrases."""
from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.boilerplate import EXCERPT_WORDS, BoilerplateConfig, BoilerplateIndex
from scorer.text import segment, sentence_spans

SMALL = BoilerplateConfig(width=2 ** 14, depth=3)

TEAM = ("Jobcenter Holbæk anmoder hermed om en statusattest, da borgerens sag skal forelægges "
        "rehabiliteringsteamet. Vi beder dig beskrive de helbredsmæssige forhold, der har betydning for "
        "arbejdsevnen, og de skånehensyn der skal tages i et kommende forløb.")
CONTACT = "Spørgsmål kan rettes til Team Ressource på tlf. 72 36 45 10 eller ressource@holbaek.dk hver dag."
CITIZENS = [
    "Lone er 47 år og har arbejdet som social- og sundhedsassistent, indtil hun fik en diskusprolaps i 2023.",
    "Ahmad har i to år haft svære angstanfald og kan ikke tage bussen alene til sin praktik i Tuse.",
    "Birthe stoppede som kassedame i Netto efter en blodprop og har siden haft svært ved at finde ord.",
    "Jonas på 24 har ADHD, bor hos sin mor og vil gerne tage et grundforløb som tømrer til sommer.",
    "Grethe har KOL og bliver forpustet efter få trapper, men passer selv sin kolonihave om sommeren.",
    "Mustafa kørte lastbil i tyve år, indtil nakkesmerterne gjorde det umuligt at dreje hovedet.",
]
OTHERS = [
    "Borgeren har kronisk træthed efter covid og sover det meste af eftermiddagen i sin lejlighed.",
    "Kirsten ønsker at prøve kræfter med rengøring på et hotel, men hendes knæ hæver efter en time.",
]


def requests() -> list[str]:
    """Six requests about different citizens by one team: own story first, team paragraph after."""
    return [f"Kære læge\n\n{citizen}\n\n{TEAM}\n\n{CONTACT}" for citizen in CITIZENS]


def words(text: str) -> int:
    return len(re.findall(r"[^\W_]+", text))


@pytest.fixture(scope="module")
def index() -> BoilerplateIndex:
    shared_by_two = "Hun har tidligere været i praktik i en genbrugsbutik med gode erfaringer fra forløbet."
    archive = requests() + [f"{o} {shared_by_two}" for o in OTHERS]
    return BoilerplateIndex(SMALL).fit(archive)


def test_team_paragraph_reused_in_six_requests_is_flagged_with_the_right_spans(index):
    text = requests()[2]
    result = index.reuse(text)
    assert [s.text for s in result.sentences] == [*re.split(r"(?<=\.) ", TEAM), CONTACT]
    assert all(text[s.start:s.end] == s.text for s in result.spans + result.sentences)
    citizen = text.index(CITIZENS[2])
    assert not any(s.start < citizen + len(CITIZENS[2]) and s.end > citizen for s in result.spans)
    assert result.spans[0].text.startswith("Jobcenter Holbæk") and result.spans[-1].text.endswith("hver dag")


def test_share_is_the_fraction_of_words_in_reused_text(index):
    text = requests()[0]
    expected = (words(TEAM) + words(CONTACT)) / words(text)
    assert index.reuse(text).share == pytest.approx(expected)


def test_a_sentence_in_two_requests_is_not_reused(index):
    for other in OTHERS:
        result = index.reuse(f"{other} Hun har tidligere været i praktik i en genbrugsbutik med gode erfaringer "
                             "fra forløbet.")
        assert result.share == 0.0 and result.spans == [] and result.sentences == []


def test_numbers_and_dates_do_not_hide_a_template():
    template = "Vi har modtaget din sygemelding af {d}. {m} {y}, og vi beder om en opfølgning inden {n} uger fra nu."
    filled = [template.format(d=d, m=m, y=y, n=n) for d, m, y, n in
              [(3, "marts", 2024, 4), (17, "juni", 2023, 6), (1, "oktober", 2024, 2), (28, "maj", 2022, 8),
               (9, "januar", 2025, 3)]]
    index = BoilerplateIndex(SMALL).fit(filled)
    unseen = template.format(d=12, m="august", y=2021, n=5)
    assert index.reuse(unseen).share == 1.0


def test_an_edited_word_leaves_the_rest_of_the_paragraph_reused(index):
    edited = requests()[0].replace("skånehensyn", "hensyn")
    result = index.reuse(edited)
    assert "hensyn" not in "".join(s.text for s in result.spans).replace("skånehensyn", "")
    assert len(result.sentences) == 3  # the edited sentence is still mostly reused


def test_sentence_spans_match_the_segments_of_a_plain_text():
    text = requests()[1]
    assert [text[a:b] for a, b in sentence_spans(text)] == [s.text for s in segment(text)]


def test_top_phrases_are_masked_short_and_only_reused_words(index):
    phrases = index.top_phrases(requests() + OTHERS, k=5)
    assert phrases and all(p.documents == len(CITIZENS) and p.overestimate == 0 for p in phrases)
    joined = " ".join(p.excerpt for p in phrases)
    assert "[TLF]" in joined and "[E-MAIL]" in joined
    assert not re.search(r"\d", joined)
    assert all(len(p.excerpt.split()) <= EXCERPT_WORDS + 1 for p in phrases)
    for name in ("Lone", "Ahmad", "Birthe", "Jonas", "Grethe", "Mustafa", "Kirsten"):
        assert name not in joined


def test_top_phrases_table_is_bounded_and_counts_are_upper_bounds(index):
    phrases = index.top_phrases(requests() + OTHERS, k=10, capacity=2)
    assert len(phrases) == 2
    assert all(p.documents - p.overestimate <= len(CITIZENS) <= p.documents for p in phrases)


def test_save_and_load_round_trip(index, tmp_path):
    path = tmp_path / "archive.index"
    index.save(path)
    loaded = BoilerplateIndex.load(path)
    assert loaded.config == index.config and (loaded.documents, loaded.windows) == (index.documents, index.windows)
    assert np.array_equal(loaded.counters, index.counters)
    assert loaded.reuse(requests()[4]) == index.reuse(requests()[4])
    with np.load(path, allow_pickle=False) as data:  # nothing in the file needs pickle
        assert set(data.files) == {"counters", "header"}


@pytest.mark.parametrize("bad", [{"width": 1000}, {"depth": 0}, {"min_documents": 1}, {"min_documents": 300},
                                 {"ngram": 1}, {"min_span_words": 3}, {"sentence_share": 0.0}])
def test_bad_configuration_is_refused(bad):
    with pytest.raises(ValueError):
        BoilerplateConfig(**bad)


def test_false_reuse_rate_grows_with_the_load_of_the_sketch():
    index = BoilerplateIndex(BoilerplateConfig(width=2 ** 10, depth=2))
    rates = []
    for n in (100, 1000, 5000):
        index.windows = n
        rates.append(index.false_reuse_rate)
    assert 0.0 <= rates[0] < rates[1] < rates[2] <= 1.0


SENTENCES = st.lists(st.sampled_from([*CITIZENS, *OTHERS, TEAM, CONTACT, "Kort.", "", "12. maj 2024"]),
                     min_size=0, max_size=5).map(" ".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(SENTENCES, min_size=1, max_size=12), probe=SENTENCES)
def test_shares_and_spans_are_well_formed(texts, probe):
    index = BoilerplateIndex(BoilerplateConfig(width=2 ** 12, depth=2, min_documents=2)).fit(texts)
    for text, result in zip([probe, *texts], index.reuse_many([probe, *texts])):
        assert 0.0 <= result.share <= 1.0
        for spans in (result.spans, result.sentences):
            assert all(0 <= s.start < s.end <= len(text) and text[s.start:s.end] == s.text for s in spans)
            assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(SENTENCES, min_size=2, max_size=10), seed=st.integers(0, 1000),
       batch=st.integers(1, 4))
def test_order_and_batching_of_fitting_do_not_change_results(texts, seed, batch):
    config = BoilerplateConfig(width=2 ** 12, depth=2, min_documents=2)
    a = BoilerplateIndex(config).fit(texts)
    shuffled = list(texts)
    np.random.default_rng(seed).shuffle(shuffled)
    b = BoilerplateIndex(config).fit(shuffled, batch_size=batch)
    assert np.array_equal(a.counters, b.counters) and a.windows == b.windows
    assert list(a.reuse_many(texts)) == list(b.reuse_many(texts, batch_size=batch))


@settings(max_examples=15, deadline=None)
@given(texts=st.lists(SENTENCES, min_size=0, max_size=30))
def test_memory_of_the_sketch_is_fixed(texts):
    config = BoilerplateConfig(width=2 ** 12, depth=3)
    index = BoilerplateIndex(config)
    before = index.memory_bytes
    index.fit(texts)
    assert index.memory_bytes == before == config.width * config.depth
    assert index.counters.shape == (3, 2 ** 12) and index.counters.dtype == np.uint8
