from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.text import clean_text, segment

EXPORT = """Jobcenter Randers          Side 1 af 2
LÆ 125 – Statusattest
Cpr.nr.:
Borgeren har været i praktik i en genbrugsbutik, hvor hun kunne arbej-
de 2 timer ad gangen. Hun oplever selv, at
smerterne ca. kl. 14 bliver værre. Pt. er træt.
1. Kan hun løfte 10 kg?
2. Hvor længe kan hun stå
   ved et bord?
Jobcenter Randers          Side 2 af 2
Formål:
Rehabiliteringsteam i maj."""


def test_export_debris_is_removed_and_sentences_are_rejoined():
    texts = [s.text for s in segment(EXPORT)]
    assert not any("Side" in t for t in texts)
    assert "Borgeren har været i praktik i en genbrugsbutik, hvor hun kunne arbejde 2 timer ad gangen." in texts
    assert "Hun oplever selv, at smerterne ca. kl. 14 bliver værre." in texts
    assert "Pt. er træt." in texts
    assert "2. Hvor længe kan hun stå ved et bord?" in texts
    labels = [s.text for s in segment(EXPORT) if s.is_label]
    assert labels == ["Cpr.nr.:", "Formål:"]


def test_export_and_clean_typing_give_the_same_segments():
    typed = ("Borgeren har været i praktik i en genbrugsbutik, hvor hun kunne arbejde 2 timer ad gangen. "
             "Hun oplever selv, at smerterne ca. kl. 14 bliver værre.")
    exported = ("Side 1 af 1\nBorgeren har været i praktik i en genbrugsbutik, hvor hun kunne arbej-\n"
                "de 2 timer ad gangen. Hun oplever selv, at\nsmerterne ca. kl. 14 bliver værre.\nSide 1 af 1")
    assert clean_text(typed) == clean_text(exported)


def test_run_on_text_is_capped():
    segs = segment(" ".join(["ord"] * 500))
    assert len(segs) == 5 and all(len(s.text.split()) <= 120 for s in segs)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("abcæøå ABC.?!:-\n\r\t12•") + ["Side 1 af 2", "pt. ", "ca. ", "arbej-\nde"]),
                max_size=150).map("".join))
def test_segments_point_into_the_original_text(text):
    last_end = 0
    for s in segment(text):
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= last_end
        last_end = s.end
        assert s.text and "\n" not in s.text
        assert text[s.start:s.end].strip()
