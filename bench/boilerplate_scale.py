"""Time, memory and accuracy of the boilerplate index on a simulated archive of requests.

    python bench/boilerplate_scale.py --requests 1000000

Requests are generated in a stream (twice, from the same seed: once to fit, once to score), so the
archive never sits in memory. Each team has standard paragraphs that its caseworkers reuse, with a
small edit now and then; each citizen gets sentences recombined from banks of names, diagnoses,
jobs, symptoms and measures. Which sentences are reused is planted, so precision and recall of the
reused sentences are known. Prints total time, documents per second, peak RSS and the sketch size.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scorer.boilerplate import BoilerplateConfig, BoilerplateIndex  # noqa: E402

CITIES = ["Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Vejle", "Næstved", "Herning", "Kolding",
          "Horsens", "Silkeborg", "Svendborg", "Holbæk", "Viborg", "Roskilde", "Slagelse", "Hjørring",
          "Frederikshavn", "Sønderborg", "Haderslev"]
TEAMS = ["Team Sundhed & Job", "Team Ressource", "Team Unge", "Team Helbred", "Team Jobafklaring",
         "Team Indsats", "Team Afklaring", "Team Sygedagpenge"]
INTROS = [
    "Jobcenter {city} anmoder hermed om en statusattest vedrørende ovennævnte borger.",
    "Vi beder dig som praktiserende læge om at udfylde vedlagte statusattest.",
    "Borgeren er tilknyttet {team} i Jobcenter {city}, og vi har brug for en lægelig vurdering.",
    "Formålet med attesten er at få belyst borgerens helbredsmæssige situation.",
    "Attesten skal indgå i den samlede vurdering af borgerens arbejdsevne.",
    "Vi har brug for dine oplysninger til sagens videre behandling i jobcentret.",
    "Jobcentret skal vurdere, om borgeren kan deltage i beskæftigelsesrettede tilbud.",
    "Da borgeren har været sygemeldt i en længere periode, ønsker vi en opdateret status.",
    "Sagen skal forelægges rehabiliteringsteamet, og vi mangler derfor aktuelle lægelige oplysninger.",
    "Vi henviser til tidligere korrespondance og beder om en opfølgende vurdering.",
]
QUESTIONS = [
    "Hvilke helbredsmæssige forhold har betydning for borgerens arbejdsevne?",
    "Hvilke skånehensyn skal der tages ved en eventuel arbejdsprøvning?",
    "Hvad er prognosen for borgerens tilstand på kort og lang sigt?",
    "Er behandlingsmulighederne udtømte, eller er der yderligere behandling planlagt?",
    "Kan borgeren deltage i virksomhedspraktik, og i givet fald hvor mange timer om ugen?",
    "Vil du beskrive borgerens funktionsniveau i forhold til fysiske og psykiske krav?",
    "Er der andre sygdomme eller forhold, som jobcentret bør være opmærksom på?",
    "Hvordan vurderer du borgerens mulighed for at vende tilbage til arbejdsmarkedet?",
    "Vi beder dig vurdere, om der er behov for yderligere udredning hos speciallæge.",
    "Er der forhold i behandlingen, som taler imod opstart af et forløb nu?",
]
CLOSINGS = [
    "Attesten honoreres efter gældende overenskomst, og du bedes returnere den inden fjorten dage.",
    "Du er velkommen til at kontakte mig, hvis du har spørgsmål til anmodningen.",
    "Borgeren har givet samtykke til, at vi indhenter oplysningerne.",
    "Tak for hjælpen, vi ser frem til at modtage attesten hurtigst muligt.",
]
SYNONYMS = {"borgeren": "personen", "vurdering": "udtalelse", "beder": "anmoder", "attesten": "erklæringen",
            "helbredsmæssige": "sundhedsmæssige", "vi": "jeg", "jobcentret": "kommunen"}
FIRST = ["Karl", "Ida", "Noah", "Freja", "William", "Alma", "Oscar", "Ella", "Lucas", "Clara", "Victor",
         "Laura", "Malthe", "Agnes", "Elias", "Mathilde", "Magnus", "Karla", "Frederik", "Nora", "Hassan",
         "Leila", "Tobias", "Olivia", "Sebastian", "Esther", "Anton", "Lærke", "Christian", "Maja", "Mikkel",
         "Anne", "Karin", "Jens", "Sofie", "Ole", "Peter", "Fatima", "Ahmed", "Louise", "Mette", "Lars",
         "Camilla", "Henrik", "Aisha", "Niels", "Birgitte", "Kasper", "Emma", "Jonas", "Rasmus", "Signe",
         "Bo", "Yasmin", "Torben", "Lene", "Mads", "Hanne", "Omar", "Julie"]
LAST = ["Andersen", "Jensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Poulsen", "Madsen", "Olsen",
        "Christiansen", "Johansen", "Knudsen", "Mikkelsen", "Jakobsen", "Lauridsen", "Østergaard", "Rask",
        "Holm", "Juul", "Bak", "Lund", "Dahl", "Vang", "Nielsen", "Hansen", "Pedersen", "Kragh", "Mortensen",
        "Ali", "Thomsen", "Berg", "Skov", "Møller", "Kristensen", "Yilmaz", "Frost"]
DIAGNOSES = ["diskusprolaps", "depression", "angst", "PTSD", "kroniske rygsmerter", "fibromyalgi", "KOL",
             "sklerose", "diabetes", "slidgigt i knæet", "stress", "ADHD", "bipolar lidelse", "migræne",
             "en skulderskade", "whiplash", "Crohns sygdom", "leddegigt", "hjerteproblemer", "epilepsi",
             "en hjernerystelse", "tinnitus", "søvnapnø", "en spiseforstyrrelse", "OCD", "astma"]
SYMPTOMS = ["smerter i lænden", "koncentrationsbesvær", "træthed", "hovedpine", "søvnproblemer",
            "uro i kroppen", "hukommelsesbesvær", "svimmelhed", "nedsat kraft i armen", "angstanfald",
            "dårlig balance", "hyppige toiletbesøg", "ondt i nakken", "lydfølsomhed", "åndenød"]
JOBS = ["pædagogmedhjælper", "lagerarbejder", "social- og sundhedshjælper", "chauffør", "kok", "tømrer",
        "rengøringsassistent", "butiksassistent", "smed", "frisør", "landmand", "kontorassistent", "murer",
        "ekspedient i en bager", "buschauffør", "sygeplejerske", "maler", "elektriker", "tjener", "postbud"]
PLACES = ["en genbrugsbutik", "et pakkeri", "en børnehave", "et plejehjem", "et værksted", "en cykelforretning",
          "et supermarked", "kommunens park og vej", "en tømrervirksomhed", "et lager", "en kantine",
          "en produktionsskole", "et bibliotek", "en dyreklinik"]
ACTIVITIES = ["gå tur med hunden", "handle ind", "lave mad", "køre bil", "passe sine børn", "sove om natten",
              "sidde stille", "løfte indkøbsposer", "tage offentlig transport", "støvsuge", "cykle", "læse avis",
              "se venner", "gå på arbejde", "stå op", "svømme", "male", "spille fodbold", "gå i biografen",
              "rydde op", "vaske tøj", "besøge sin mor", "hente børnene", "gå til træning", "tage på ferie",
              "arbejde i haven", "passe hunden", "bruge computeren", "gå i kirke"]
WHEN = ["", "", "", "i efteråret", "efter sommerferien", "siden jul", "for nylig", "hver morgen",
        "på sit sidste job", "derhjemme", "i weekenderne", "under praktikken", "efter operationen",
        "ifølge egen læge", "inden sygemeldingen", "om aftenen", "sidste vinter", "efter skilsmissen",
        "under forløbet", "efter indlæggelsen", "i skolen", "på arbejdspladsen", "i foråret"]
VERBS = ["har", "oplever", "døjer med", "kæmper med", "fik", "mærker", "beskriver", "nævner", "fortæller om",
         "lider af", "klager over", "har ofte", "får", "slås med", "har længe haft", "udviklede", "kender til",
         "har tiltagende", "har svingende", "har daglige"]
QUALIFIERS = ["", "", "dagligt", "i perioder", "i stigende grad", "især ved stress", "om natten", "efter træning",
              "ved kulde", "i varmen", "konstant", "af og til", "ved længere gang", "ved løft", "hver uge"]
CONNECTORS = ["og", "men", "fordi", "selvom", "så", "mens", "når", "da", "hvorfor", "idet", "og nu"]
PRONOUNS = ["hun", "han", "{first}", "{first}", "{first}"]
ABILITIES = ["kan ikke", "magter ikke", "undgår at", "orker ikke", "tør ikke", "kan kun", "vil gerne", "prøver at",
             "savner at", "nyder at", "kan godt", "hader at", "elsker at", "glemmer at", "ønsker at", "må ikke",
             "skal lære at", "øver sig i at", "bør ikke", "frygter at"]
PLACE_ENDS = ["", "", "", "i butikken", "på lageret", "i haven", "hjemme", "i bussen", "i køkkenet",
              "i børnehaven", "om formiddagen", "sammen med andre", "alene", "i længere tid", "uden pauser",
              "i praktikken", "på værkstedet", "hos familien", "i weekenden", "med kolleger", "om aftenen",
              "med sin kæreste", "i skoven", "på biblioteket", "i centret", "med naboen", "på cykel",
              "i flere timer", "i stille tempo", "i sin lejlighed", "ved stranden", "i kolonihaven"]


@dataclass(frozen=True)
class Request:
    text: str
    #: (start, end, reused) of every planted sentence
    sentences: list[tuple[int, int, bool]]


def _team_standard(rng: random.Random, city: str, team: str) -> list[list[str]]:
    """A team's standard paragraphs (intro, questions, closing) with the team's own wording."""
    paragraphs = [rng.sample(INTROS, 2), rng.sample(QUESTIONS, 3), rng.sample(CLOSINGS, 1)]
    swap = rng.choice(list(SYNONYMS))
    return [[_swap(s.format(city=city, team=team), swap) for s in p] for p in paragraphs]


def _swap(sentence: str, word: str) -> str:
    """A small edit: one word replaced by its synonym (case kept)."""
    parts = sentence.split(" ")
    for i, part in enumerate(parts):
        if part.lower() == word:
            parts[i] = SYNONYMS[word].capitalize() if part[0].isupper() else SYNONYMS[word]
            return " ".join(parts)
    return sentence


def _citizen_sentence(rng: random.Random, first: str, last: str) -> str:
    """A sentence about this citizen, recombined from banks so that its wording is rarely repeated."""
    words = [rng.choice([first, f"{first} {last}", "Borgeren", "Hun", "Han"]), rng.choice(VERBS),
             rng.choice(SYMPTOMS + DIAGNOSES), rng.choice(QUALIFIERS), rng.choice(WHEN)]
    if rng.random() < 0.8:
        words += [rng.choice(CONNECTORS), rng.choice(PRONOUNS).format(first=first), rng.choice(ABILITIES),
                  rng.choice(ACTIVITIES), rng.choice(PLACE_ENDS)]
    if rng.random() < 0.15:
        words += ["som", rng.choice(JOBS), rng.choice(["i", "på", "ved"]), rng.choice(PLACES)]
    return " ".join(w for w in words if w) + rng.choice([".", ".", ".", "?"])


def requests(n: int, seed: int, teams: int = 150, edit_rate: float = 0.3) -> Iterator[Request]:
    """``n`` simulated requests (the same stream for the same seed)."""
    rng = random.Random(seed)
    standards = []
    for t in range(teams):
        city, team = CITIES[t % len(CITIES)], TEAMS[(t // len(CITIES)) % len(TEAMS)]
        workers = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(3)]
        standards.append((city, team, workers, _team_standard(rng, city, team)))
    for _ in range(n):
        city, team, workers, (intro, questions, closing) = rng.choice(standards)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        doctor = f"læge {rng.choice(FIRST)} {rng.choice(LAST)}"
        citizen = [_citizen_sentence(rng, first, last) for _ in range(rng.randint(2, 6))]
        own_questions = [_citizen_sentence(rng, first, last) for _ in range(rng.randint(0, 2))]
        planted = [[(s, True) for s in intro], [(s, False) for s in citizen],
                   [(s, True) for s in questions] + [(s, False) for s in own_questions],
                   [(s, True) for s in closing]]
        if rng.random() < edit_rate:  # a caseworker's small edit of one standard sentence
            paragraph = planted[rng.choice((0, 2))]
            i = rng.randrange(len(paragraph))
            paragraph[i] = (_swap(paragraph[i][0], rng.choice(list(SYNONYMS))), True)
        rng.shuffle(planted[2])
        yield _assemble(f"Kære {doctor}", planted, f"Venlig hilsen\n{rng.choice(workers)}\nJobcenter {city}, {team}")


def _assemble(greeting: str, paragraphs: list[list[tuple[str, bool]]], signature: str) -> Request:
    text, spans = greeting + "\n\n", []
    for paragraph in paragraphs:
        for i, (sentence, reused) in enumerate(paragraph):
            text += " " if i else ""
            spans.append((len(text), len(text) + len(sentence), reused))
            text += sentence
        text += "\n\n"
    spans.append((len(text), len(text) + len(signature), True))
    return Request(text + signature, spans)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, planted: list[tuple[int, int, bool]], flagged: list[tuple[int, int]]) -> None:
        for start, end, reused in planted:
            middle = (start + end) // 2
            hit = any(a <= middle < b for a, b in flagged)
            self.tp += hit and reused
            self.fp += hit and not reused
            self.fn += reused and not hit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--width-log2", type=int, default=26)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--min-documents", type=int, default=BoilerplateConfig.min_documents)
    parser.add_argument("--min-span-words", type=int, default=BoilerplateConfig.min_span_words)
    args = parser.parse_args()

    index = BoilerplateIndex(BoilerplateConfig(width=2 ** args.width_log2, depth=args.depth,
                                               min_documents=args.min_documents,
                                               min_span_words=args.min_span_words))
    t0 = time.perf_counter()
    index.fit(r.text for r in requests(args.requests, args.seed))
    fit_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    tally, shares, stream = Tally(), 0.0, requests(args.requests, args.seed)
    planted: deque[Request] = deque()

    def texts() -> Iterator[str]:
        for request in stream:
            planted.append(request)
            yield request.text

    for result in index.reuse_many(texts()):
        request = planted.popleft()
        tally.add(request.sentences, [(s.start, s.end) for s in result.sentences])
        shares += result.share
    score_s = time.perf_counter() - t1

    total = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    precision = tally.tp / max(1, tally.tp + tally.fp)
    recall = tally.tp / max(1, tally.tp + tally.fn)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"config: {index.config}")
    print(f"requests: {args.requests:,}; sketch {index.config.depth} x {index.config.width:,} uint8 = "
          f"{index.memory_bytes / 2 ** 20:.0f} MiB; windows counted {index.windows:,}; "
          f"expected false-reuse rate per window {index.false_reuse_rate:.2e}")
    print(f"fit (generate + hash + count): {fit_s:.1f} s, {args.requests / fit_s:,.0f} docs/s")
    print(f"score (generate + reuse + sentences): {score_s:.1f} s, {args.requests / score_s:,.0f} docs/s")
    print(f"total {total:.1f} s, {args.requests / total:,.0f} docs/s; peak RSS {rss_mb:.0f} MB")
    print(f"planted reused sentences: precision {precision:.4f}, recall {recall:.4f} "
          f"(tp {tally.tp:,}, fp {tally.fp:,}, fn {tally.fn:,}); mean reused share {shares / args.requests:.3f}")


if __name__ == "__main__":
    main()
