"""Feedback a caseworker can act on, phrased with the STAR guide's own questions (August 2018)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scorer.attest_fit import FitFlag
    from scorer.boilerplate import ReuseResult

#: criterion -> (the guide's question, what to add)
GUIDE_QUESTIONS: dict[str, tuple[str, str]] = {
    "focus": ("Hvilke helbredsforhold og/eller vurderinger har kommunen specifikt behov for, at attesten "
              "giver svar på i den enkelte sag?",
              "Stil konkrete spørgsmål om borgerens egne helbredsforhold og funktioner."),
    "purpose": ("Hvad skal attesten bidrage til (formålet) – i hvilken sammenhæng indgår den?",
                "Skriv, hvad attesten skal bruges til, fx før en virksomhedspraktik, til rehabiliteringsteamet "
                "eller til afklaring af ressourceforløb."),
    "employment_context": ("Hvad er borgers individuelle beskæftigelsessituation, fx forsørgelsesgrundlag, konkret "
                           "beskrivelse af beskæftigelsesrettet indsats?",
                           "Beskriv de indsatser, borgeren har afprøvet, og hvordan de gik."),
    "plan": ("Hvad påtænkes der at skulle ske – hvad er planen og med hvilket formål?",
             "Skriv, hvad der skal ske i sagen, og hvad det skal føre til."),
    "caseworker_assessment": ("Hvad er kommunens vurdering af borgerens funktionsniveau og skånebehov?",
                              "Giv kommunens egen vurdering af funktionsniveau og skånebehov, fx fra praktik."),
    "citizen_view": ("Hvad er borgerens opfattelse af eget helbred?",
                     "Gengiv borgerens egen opfattelse af helbred og arbejdsevne."),
    "shared_information": ("Er kommunen allerede i besiddelse af andre, relevante helbredsoplysninger, som lægen "
                           "ikke selv kan tilgå?",
                           "Nævn de helbredsoplysninger, kommunen har (og vedlæg dem), eller skriv at der ingen er."),
    "boilerplate": ("Tager formuleringen af spørgsmål afsæt i den enkelte borger?",
                    "Erstat generelle og standardiserede formuleringer med tekst om netop denne borger."),
}


#: the guide's checklist item behind the attest-type check
ATTEST_TYPE_QUESTION = ("Hvilken lægeattest er mest velegnet i situationen? Der kan ikke stilles spørgsmål, som "
                        "forudsætter en konsultation, hvis der bestilles en statusattest.")
#: shown when much of a request is text the archive holds in many other citizens' requests
REUSE_ADVICE = ("{share:.0%} af anmodningen er tekst, der går igen i mange andre borgeres anmodninger. "
                "Erstat standardformuleringerne med tekst om netop denne borger.")


@dataclass(frozen=True)
class Feedback:
    """One thing the request lacks: the criterion, the guide's question and what to do."""

    criterion: str
    question: str
    advice: str


def request_feedback(criteria: dict[str, float], thresholds: dict[str, float]) -> list[Feedback]:
    """Feedback for every criterion the request misses (boilerplate: for every one it has)."""
    out = []
    for name, (question, advice) in GUIDE_QUESTIONS.items():
        p, t = criteria[name], thresholds.get(name, 0.5)
        missing = p >= t if name == "boilerplate" else p < t
        if missing:
            out.append(Feedback(name, question, advice))
    return out


def attest_fit_feedback(flags: list[FitFlag]) -> list[Feedback]:
    """One item per question the ordered (journal-based) attest type cannot answer."""
    return [Feedback("attest_type_fit", ATTEST_TYPE_QUESTION, flag.reason) for flag in flags]


def reuse_feedback(reuse: ReuseResult | None, threshold: float, already_flagged: bool) -> list[Feedback]:
    """The boilerplate item, worded with the archive's evidence, unless the model already gave it."""
    if reuse is None or already_flagged or reuse.share < threshold:
        return []
    return [Feedback("boilerplate", GUIDE_QUESTIONS["boilerplate"][0], REUSE_ADVICE.format(share=reuse.share))]
