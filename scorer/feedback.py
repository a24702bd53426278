"""Feedback a caseworker can act on, phrased with the STAR guide's own questions (August 2018)."""
from __future__ import annotations

from dataclasses import dataclass

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
