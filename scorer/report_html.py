"""Render ``summary.json`` as one self-contained Danish HTML page with inline SVG charts."""
from __future__ import annotations

import html

from scorer.report import LABEL_DA

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:62rem;color:#1d2733;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #d8e0ea;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.92rem}th,td{border-bottom:1px solid #e3e8ef;padding:.3rem .5rem;text-align:left}
th{background:#f3f6fa}td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#66758a}.note{background:#f7f9fc;border-left:4px solid #8aa4c8;padding:.6rem 1rem}
.key{display:inline-block;width:.9rem;height:.9rem;margin:0 .3rem 0 1rem;vertical-align:middle}
"""
COLORS = {"corrected": "#2f6db5", "naive": "#a9b8cc"}


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _ci(d: dict) -> str:
    if d.get("estimate") is None:
        return "–"
    if d.get("ci_low") is None:
        return _pct(d["estimate"])
    return f"{_pct(d['estimate'])} ({_pct(d['ci_low'])} – {_pct(d['ci_high'])})"


def _pp(d: dict) -> str:
    """A difference in percentage points with its interval."""
    if d.get("estimate") is None:
        return "–"
    f = (lambda x: f"{100 * x:+.0f}")
    return f"{f(d['estimate'])} pp ({f(d['ci_low'])} til {f(d['ci_high'])})" if d.get("ci_low") is not None \
        else f"{f(d['estimate'])} pp"


def headline_chart(summary: dict) -> str:
    """Grouped bars with 95 % interval whiskers: corrected and naive rates, specific vs not."""
    w, h, top, left = 560, 260, 20, 50
    scale = lambda v: top + (h - top - 40) * (1 - v)  # noqa: E731
    parts = [f'<svg class="chart" role="img" aria-label="Andel uddybende attester" width="{w}" height="{h}" '
             f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = scale(tick)
        parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e8ef"/>'
                     f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{int(tick * 100)} %</text>')
    groups = [("Konkret fokus i anmodningen", "rate_in_depth_given_specific"),
              ("Uden konkret fokus", "rate_in_depth_given_not_specific")]
    for gi, (label, key) in enumerate(groups):
        x0 = left + 40 + gi * 240
        for si, (series, data) in enumerate((("corrected", summary[key]), ("naive", summary["naive"][key]))):
            est = data.get("estimate")
            if est is None:
                continue
            x = x0 + si * 70
            parts.append(f'<rect class="bar" x="{x}" y="{scale(est):.1f}" width="60" height="{scale(0) - scale(est):.1f}" '
                         f'fill="{COLORS[series]}"><title>{_ci(data)}</title></rect>')
            if data.get("ci_low") is not None:
                cx = x + 30
                parts.append(f'<line x1="{cx}" x2="{cx}" y1="{scale(data["ci_low"]):.1f}" y2="{scale(data["ci_high"]):.1f}" '
                             f'stroke="#1d2733" stroke-width="1.5"/>')
            parts.append(f'<text x="{x + 30}" y="{scale(est) - 6:.1f}" font-size="11" text-anchor="middle">{_pct(est)}</text>')
        parts.append(f'<text x="{x0 + 65}" y="{h - 12}" font-size="12" text-anchor="middle">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(values: dict[str, float], label: str, color: str = "#2f6db5") -> str:
    """Horizontal bars of shares (0–1), one per key."""
    row, left, width = 24, 210, 300
    h = row * len(values) + 10
    parts = [f'<svg class="chart" role="img" aria-label="{html.escape(label)}" width="{left + width + 60}" height="{h}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (name, v) in enumerate(values.items()):
        y = 5 + i * row
        parts.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end">{html.escape(LABEL_DA.get(name, name))}</text>'
                     f'<rect class="bar" x="{left}" y="{y + 3}" width="{max(1.0, width * v):.1f}" height="{row - 8}" fill="{color}"/>'
                     f'<text x="{left + width * v + 6:.1f}" y="{y + 15}" font-size="11">{_pct(v)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def strata_table(rows: list[dict], title: str) -> str:
    body = []
    for r in rows:
        name = html.escape(r["group"])
        if r["suppressed"]:
            body.append(f'<tr><td>{name}</td><td class="num">&lt; 5</td><td colspan="4" class="muted">'
                        "undertrykt (færre end 5 par)</td></tr>")
            continue
        body.append(f"<tr><td>{name}</td><td class='num'>{r['n_pairs']}</td><td class='num'>{_pct(r['share_specific'])}</td>"
                    f"<td class='num'>{_ci(r['rate_in_depth_given_specific'])}</td>"
                    f"<td class='num'>{_ci(r['rate_in_depth_given_not_specific'])}</td><td class='num'>{_pp(r['difference'])}</td></tr>")
    return (f"<h3>{html.escape(title)}</h3><table><tr><th>Gruppe</th><th>Par</th><th>Konkret fokus</th>"
            "<th>Uddybende attest | fokus</th><th>Uddybende attest | uden fokus</th><th>Forskel</th></tr>"
            + "".join(body) + "</table>")


def share_table(rows: list[dict], what: str) -> str:
    """Shares with 95 % intervals; groups under 5 shown as suppressed."""
    body = []
    for r in rows:
        name = html.escape(r["group"])
        if r["suppressed"]:
            body.append(f"<tr><td>{name}</td><td class='num'>&lt; 5</td><td class='muted'>undertrykt (færre end 5)</td></tr>")
        else:
            body.append(f"<tr><td>{name}</td><td class='num'>{r['n']}</td><td class='num'>{_ci(r)}</td></tr>")
    return f"<table><tr><th>Gruppe</th><th>Antal</th><th>{html.escape(what)}</th></tr>{''.join(body)}</table>"


def signals_section(signals: dict) -> str:
    """Reused standard text, questions the attest type cannot answer, answered questions."""
    missing = "<p class='muted'>Ikke beregnet for dette arkiv (kolonnen mangler i de scorede data).</p>"
    reuse, fit, answers = signals["reuse"], signals["attest_fit"], signals["answers"]
    parts = ["<h2>Genbrugt standardtekst</h2>",
             "<p>Guiden advarer mod <i>generelle og standardiserede formuleringer</i>. Her tælles tekst, der går igen "
             "ordret i anmodninger om mange forskellige borgere i dette arkiv.</p>"]
    if reuse is None:
        parts.append(missing)
    else:
        parts.append(f"<p>I gennemsnit er {_pct(reuse['mean_share'])} af en anmodnings ord genbrugt tekst. Andel anmodninger, "
                     f"hvor mindst {_pct(reuse['threshold'])} er genbrugt:</p>")
        parts.append(share_table([reuse["requests"], *reuse["by_team"]], "Overvejende genbrugt (95 %-interval)"))
        if reuse["phrases"]:
            rows = "".join(f"<tr><td>{html.escape(ph['excerpt'])}</td><td class='num'>{ph['documents']}</td></tr>"
                           for ph in reuse["phrases"])
            parts.append("<h3>Mest genbrugte formuleringer</h3><p class='muted'>Korte uddrag af tekst, der står i mindst "
                         "5 anmodninger; tal og personoplysninger er fjernet.</p>"
                         f"<table><tr><th>Uddrag</th><th>Anmodninger</th></tr>{rows}</table>")
    parts += ["<h2>Passer spørgsmålene til attesttypen?</h2>",
              "<p>Guiden: <i>der kan ikke stilles spørgsmål, som forudsætter en konsultation, hvis der bestilles en "
              "statusattest</i>. Andel journalbaserede anmodninger (LÆ 105, 115, 125) med mindst ét sådant spørgsmål:</p>"]
    parts.append(missing if fit is None else share_table([fit["requests"], *fit["by_attest_type"]],
                                                         "Med spørgsmål der kræver konsultation"))
    parts += ["<h2>Besvarer attesten anmodningens spørgsmål?</h2>"]
    if answers is None:
        parts.append(missing)
    else:
        diff = answers["difference"]
        parts.append(share_table([answers["pairs_with_questions"], *answers["by_request"]], "Spørgsmålene besvaret"))
        if diff:
            parts.append(f"<p>Forskel mellem anmodninger med og uden konkret fokus: <b>{_pp(diff)}</b> (naiv optælling).</p>")
    return "".join(parts)


def render(summary: dict) -> str:
    s = summary
    v = s["model_validity"]
    missing_rows = "".join(
        f"<tr><td>{html.escape(LABEL_DA[m['criterion']])}</td><td class='num'>{m['requests']}</td>"
        f"<td class='num'>{_pct(m['share'])}</td><td>{html.escape(m['question'])}</td></tr>" for m in s["missing_elements"])
    caseworker_rows = "".join(
        f"<tr><td>{html.escape(c['caseworker'])}</td><td class='num'>{c['n_pairs']}</td>"
        + ("<td colspan='3' class='muted'>undertrykt (færre end 5 par)</td>" if c["suppressed"] else
           f"<td class='num'>{_pct(c['share_specific'])}</td><td class='num'>{_pct(c['share_in_depth'])}</td>"
           f"<td>{html.escape(' '.join(c['advice']))}</td>") + "</tr>" for c in s["caseworkers"])
    mix = {k: n / s["n_pairs"] for k, n in sorted(s["attest_type_mix"].items())}
    strata_titles = {"attest_group": "Attesttype: journal- eller undersøgelsesbaseret", "attest_type": "Attesttype",
                     "municipality": "Kommune", "team": "Team", "month": "Måned (anmodningens dato)",
                     "caseload_band": "Sagsstamme (sager pr. sagsbehandler)"}
    mh = s["mantel_haenszel_risk_ratio_by_attest_type"]
    fisher = s["naive"]["fisher_p"]
    fisher_text = "–" if fisher is None else "< 0,001" if fisher < 0.001 else f"{fisher:.3f}".replace(".", ",")
    mh_text = "–" if mh["estimate"] is None else (f"{mh['estimate']:.2f} ({mh['ci_low']:.2f}–{mh['ci_high']:.2f})"
                                                 .replace(".", ","))
    unpaired = s["rows_not_paired"]
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Kvalitet i lægeattester – rapport</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Kvalitet i anmodninger og lægeattester</h1>
<p class="muted">{s['n_pairs']} par af anmodning og attest · model {html.escape(s['model'])} · dannet {s['generated']}
{f' · {unpaired} dokument(er) uden makker er ikke medregnet' if unpaired else ''}</p>

<h2>Hovedresultat</h2>
<p>Når anmodningen giver lægen et <b>konkret fokus</b>, beskriver {_ci(s['rate_in_depth_given_specific'])} af attesterne
borgerens funktionsevne uddybende, mod {_ci(s['rate_in_depth_given_not_specific'])} når den ikke gør.
Forskellen er <b>{_pp(s['difference'])}</b> (95 %-interval). Den landsdækkende evaluering fandt 64 % mod 50 %.</p>
{headline_chart(s)}
<p><span class="key" style="background:{COLORS['corrected']}"></span>korrigeret for modellens fejl
<span class="key" style="background:{COLORS['naive']}"></span>naiv optælling af modellens forudsigelser · streger: 95 %-interval</p>
<p class="muted">Naiv forskel: {_pp(s['naive']['difference'])}; Fishers eksakte test p = {fisher_text}.
Mantel–Haenszel risikoratio (naiv) på tværs af attesttyper: {mh_text}.</p>

<h2>Hvad anmodningerne indeholder</h2>
{bar_chart(s['prevalence']['request'], 'Anmodningernes elementer')}
<h2>Hvad attesterne indeholder</h2>
{bar_chart(s['prevalence']['certificate'], 'Attesternes elementer', '#3d8a6b')}
<h3>Funktionsområder beskrevet</h3>
{bar_chart(s['prevalence']['domains'], 'Funktionsområder', '#3d8a6b')}
<h3>Attesttyper</h3>
{bar_chart(mix, 'Attesttyper', '#8a6bb5')}

<h2>Fordelt på grupper</h2>
{''.join(strata_table(rows, strata_titles[k]) for k, rows in s['strata'].items())}

<h2>Det mangler anmodningerne oftest</h2>
<p>Spørgsmålene er fra STAR's inspirationsguide om brugen af lægeattester (2018).</p>
<table><tr><th>Element</th><th>Anmodninger</th><th>Andel</th><th>Guidens spørgsmål</th></tr>{missing_rows}</table>

{signals_section(s['archive_signals'])}

<h2>Feedback pr. sagsbehandler</h2>
<p class="muted">Pseudonymer gælder kun denne rapport. Grupper under {s['min_group_size']} par vises ikke.</p>
<table><tr><th>Sagsbehandler</th><th>Par</th><th>Konkret fokus</th><th>Uddybende attest</th><th>Det kan styrke anmodningerne</th></tr>{caseworker_rows}</table>

<h2>Modellens gyldighed</h2>
<table><tr><th>Mål</th><th>Dokumenter</th><th>Præcision</th><th>Genkaldelse</th><th>F1</th><th>Kalibreringsfejl</th></tr>
<tr><td>Anmodning: konkret fokus</td><td class="num">{v['specific']['n']}</td><td class="num">{v['specific']['precision']:.2f}</td><td class="num">{v['specific']['recall']:.2f}</td><td class="num">{v['specific']['f1']:.2f}</td><td class="num">{v['specific']['ece']:.2f}</td></tr>
<tr><td>Attest: uddybende funktionsbeskrivelse</td><td class="num">{v['in_depth']['n']}</td><td class="num">{v['in_depth']['precision']:.2f}</td><td class="num">{v['in_depth']['recall']:.2f}</td><td class="num">{v['in_depth']['f1']:.2f}</td><td class="num">{v['in_depth']['ece']:.2f}</td></tr></table>
<p class="muted">Målt på projektets tilbageholdte testdata (fiktive, håndskrevne dokumenter). På rigtige arkiver er fejlene
sandsynligvis større; intervallerne ovenfor bygger på de målte fejl og er derfor et bedste bud, ikke en garanti.</p>

<h2>Sådan er tallene lavet</h2>
<div class="note"><p>Hver anmodning og attest er læst af en dansk sprogmodel, der vurderer om anmodningen giver lægen et konkret
fokus, og om attesten beskriver hvad borgeren kan og ikke kan, med konkrete detaljer. Modellen tager fejl en gang imellem.
En simpel optælling af dens vurderinger ("naiv") trækker derfor forskellen mod nul. Den korrigerede beregning bruger modellens
målte fejlrater til at regne tilbage til de sande andele, og intervallerne tager højde for både tilfældig variation og
usikkerheden om fejlraterne (bootstrap). Et 95 %-interval er det område, hvor den sande værdi med stor sandsynlighed ligger.</p>
<p>Sammenhængen er en sammenhæng, ikke nødvendigvis en årsag: sager med konkrete anmodninger kan også adskille sig på
andre måder. Rapporten indeholder ingen dokumenttekst; cpr-numre, telefonnumre og e-mails i metadata er maskeret.</p></div>
</body></html>
"""
