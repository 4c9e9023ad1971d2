"""Every label of the report in bokmål and English, number formats and the charts' Vega locales.

One table (:data:`LABELS`) holds the report's words; sector names come from
:data:`kostra.analysis.findings.SECTOR_NAMES` so findings and report say the same.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from kostra.analysis.findings import SECTOR_NAMES, fmt

LANGS = ("nb", "en")

#: The synthetic-data banner, shown on every page when the figures are the shipped sample.
SYNTHETIC_BANNER = {
    "nb": "Eksempeldata – syntetiske tall, ikke offisiell statistikk",
    "en": "Sample data – synthetic figures, not official statistics",
}

LABELS: dict[str, tuple[str, str]] = {
    "title": ("KOSTRA-rapport {year}", "KOSTRA report {year}"),
    "subtitle": (
        "{name} sammenlignet med {peer}",
        "{name} compared with {peer}",
    ),
    "toc": ("Innhold", "Contents"),
    "front": ("Om rapporten", "About this report"),
    "municipality": ("Kommune", "Municipality"),
    "county": ("Fylke", "County"),
    "year": ("År", "Year"),
    "peers": ("Sammenligningsgruppe", "Peer group"),
    "peer_members": ("Kommuner i {peer} i {year}", "Municipalities in {peer} in {year}"),
    "borders": ("Kommunegrenser", "Municipality borders"),
    "borders_year": (
        "Grensene og sammenligningskommunene i {year}, slik SSB og ASSS publiserer tallene for "
        "{year}; tidligere år i tidsseriene er regnet om til disse grensene.",
        "The borders and peer members of {year}, as SSB and ASSS publish the figures of {year}; "
        "earlier years of the series are harmonised to these borders.",
    ),
    "borders_newest": (
        "Tallene er regnet om til kommunegrensene i {borders} (ikke grensene i {year} som SSB "
        "publiserte); sammenligningskommunene er medlemmene i {year}.",
        "The figures are harmonised to the {borders} municipality borders (not the {year} "
        "borders SSB published); the peers are the members of {year}.",
    ),
    "borders_fixed": ("Kommunegrensene i {borders}.", "The {borders} municipality borders."),
    "borders_map": (
        "Kartene er tegnet på {borders}-grensene med tallene for {year} regnet om dit.",
        "The maps are drawn on the {borders} borders with the figures of {year} harmonised to "
        "them.",
    ),
    "compare": ("Også sammenlignet med", "Also compared with"),
    "vintage": ("Datagrunnlag", "Data vintage"),
    "vintage_preliminary": (
        "Foreløpige tall (publisert av SSB 15. mars)",
        "Preliminary figures (published by SSB on 15 March)",
    ),
    "vintage_final": (
        "Reviderte tall (publisert av SSB 15. juni)",
        "Revised figures (published by SSB on 15 June)",
    ),
    "vintage_sample": (
        "Eksempeldata (syntetiske tall) – ikke publisert av SSB",
        "Sample data (synthetic figures) – not published by SSB",
    ),
    "vintage_mixed": (
        "Blandet: SSB-tall fra tabell {real}; eksempeldata (syntetiske tall) for resten",
        "Mixed: SSB figures from table {real}; sample data (synthetic figures) for the rest",
    ),
    "origin_real": ("SSB", "SSB"),
    "origin_sample": ("eksempeldata", "sample data"),
    "origin_mixed": ("blandet", "mixed"),
    "origin_legend": (
        "Rapporten blander SSB-tall og eksempeldata: hvert tall er merket «SSB» (SSBs tall), "
        "«eksempeldata» (syntetiske tall) eller «blandet» (begge deler, f.eks. en total over "
        "sektorer av begge slag).",
        'The report mixes SSB figures and sample data: every figure is marked "SSB" (SSB\'s '
        'figures), "sample data" (synthetic figures) or "mixed" (both, e.g. a total over '
        "sectors of both kinds).",
    ),
    "total_mixed": (
        "Totalen blander SSB-tall og eksempeldata.",
        "The total mixes SSB figures and sample data.",
    ),
    "stamps": ("SSBs oppdateringstidspunkt per tabell", "SSB's update stamp per table"),
    "table": ("Tabell", "Table"),
    "no_stamps": (
        "Ingen oppdateringstidspunkt fra SSB: tallene kommer ikke fra SSBs tabeller.",
        "No update stamps from SSB: the figures do not come from SSB's tables.",
    ),
    "updated": ("Oppdatert", "Updated"),
    "fetched": ("Hentet", "Fetched"),
    "sources": ("Kilder", "Sources"),
    "map_credit": ("Kartgrunnlag: © Kartverket (CC BY 4.0)", "Map data: © Kartverket (CC BY 4.0)"),
    "generated": ("Laget", "Generated"),
    "affects": ("Hva påvirker årets tall", "What affects this year's figures"),
    "changes": ("Kommuneendringer", "Municipal changes"),
    "no_changes": (
        "Ingen sammenslåinger, delinger eller nye kommunenummer berører {name} eller "
        "sammenligningsgruppen i perioden.",
        "No mergers, splits or new municipality numbers touch {name} or the peer group in "
        "the period.",
    ),
    "merger": ("sammenslåing", "merger"),
    "split": ("deling", "split"),
    "renumbering": ("nytt kommunenummer", "new municipality number"),
    "event_line": (
        "{year}: {name} ({code}) – {kind} fra {old}.",
        "{year}: {name} ({code}) – {kind} from {old}.",
    ),
    "event_merged_with": (
        "{year}: {name} ({code}) – sammenslått med {old}.",
        "{year}: {name} ({code}) – merged with {old}.",
    ),
    "event_formed_from": (
        "{year}: {name} ({code}) – dannet ved sammenslåing av {old}.",
        "{year}: {name} ({code}) – formed by merging {old}.",
    ),
    "event_split_from": (
        "{year}: {name} ({code}) – skilt ut fra {old}.",
        "{year}: {name} ({code}) – split off from {old}.",
    ),
    "event_divided": (
        "{year}: {name} ({code}) – delt, tidligere {old}.",
        "{year}: {name} ({code}) – divided, formerly {old}.",
    ),
    "event_renumbered": (
        "{year}: {name} ({code}) – nytt kommunenummer, tidligere {old}.",
        "{year}: {name} ({code}) – new municipality number, formerly {old}.",
    ),
    "series_break": (
        "Brudd i tidsserien: tall før {year} er summert til rapportens grenser der det går, og "
        "ferdige forholdstall vises først fra bruddet.",
        "Series break: figures before {year} are summed to the report's borders where possible, "
        "and ready ratios are shown only from the break on.",
    ),
    "series_break_short": ("Brudd i tidsserien.", "Series break."),
    "series_break_note": (
        "Ved brudd i tidsserien er tall før sammenslåingen summert til rapportens grenser der det "
        "går (beløp og antall, forholdstall regnet på nytt); ferdige forholdstall vises først "
        "fra bruddet, og trendbrudd regnes ikke over det.",
        "Where a series breaks, figures before the merger are summed to the report's borders where "
        "possible (amounts and counts, ratios recomputed); ready ratios are shown only from the "
        "break on, and no trend break is computed across it.",
    ),
    "no_series_break": (
        "Bare nytt nummer: serien er skjøtt uten brudd.",
        "Renumbering only: the series is joined without a break.",
    ),
    "role_self": ("kommunen selv", "the municipality itself"),
    "role_peer": ("i sammenligningsgruppen", "in the peer group"),
    "role_compare": ("sammenligningskommune", "compared municipality"),
    "pandemic": ("Pandemiårene", "The pandemic years"),
    "pandemic_text": (
        "{years} var pandemiår: tjenester ble stengt eller lagt om, og mange tall avviker fra "
        "kommunenes egen trend. Sammenligninger over disse årene bør leses med forsiktighet.",
        "{years} were pandemic years: services closed or changed, and many figures depart from "
        "the municipalities' own trend. Read comparisons across these years with care.",
    ),
    "missing": ("Manglende og skjermede tall", "Missing and suppressed figures"),
    "no_missing": (
        "Ingen nøkkeltall mangler for {name} i {year}.",
        "No key figures are missing for {name} in {year}.",
    ),
    "status_legend": (
        "SSBs symboler: «.» kan ikke forekomme, «..» mangler, «...» ikke publisert ennå, "
        "«:» skjermet (personvern), «-» null.",
        "SSB's symbols: '.' not applicable, '..' not available, '...' not yet published, "
        "':' suppressed (confidentiality), '-' nil.",
    ),
    "indicator": ("Nøkkeltall", "Key figure"),
    "region": ("Kommune", "Municipality"),
    "status": ("Symbol", "Symbol"),
    "summary": ("Hovedfunn", "Main findings"),
    "no_findings": (
        "Ingen nøkkeltall avviker mer enn terskelverdiene fra sammenligningsgruppen.",
        "No key figure departs from the peer group by more than the thresholds.",
    ),
    "sectors_ranked": (
        "Barometersektorene fra best til svakest plassert",
        "Barometer sectors from best to weakest placed",
    ),
    "sector": ("Sektor", "Sector"),
    "rank": ("Plass", "Rank"),
    "interval": ("Intervall", "Interval"),
    "of": ("av", "of"),
    "in": ("i", "in"),
    "and": (" og ", " and "),
    "national_average": ("landsgjennomsnittet", "the national average"),
    "income_adjusted": ("Plass justert for frie inntekter", "Rank adjusted for free income"),
    "income_adjusted_short": ("justert for frie inntekter", "adjusted for free income"),
    "unadjusted": ("Ujustert plass", "Unadjusted rank"),
    "income_basis": ("Inntektsjusteringen bruker", "The income adjustment uses"),
    "indicators": ("Indikatorer", "Indicators"),
    "kostra_analysis": ("KOSTRA-analyse", "KOSTRA analysis"),
    "barometer": (
        "Kommunebarometer-metoden (egen beregning)",
        "Kommunebarometer method (own calculation)",
    ),
    "barometer_total": (
        "Kommunebarometer-metoden (egen beregning) – samlet plassering",
        "Kommunebarometer method (own calculation) – total rank",
    ),
    "barometer_method": (
        "Kommunebarometer-metoden (egen beregning, {n} av ca. {published} indikatorer); "
        "ikke Kommunal Rapports egen rangering.",
        "Kommunebarometer method (own calculation, {n} of about {published} indicators); "
        "not Kommunal Rapport's own ranking.",
    ),
    "barometer_not_ranked": (
        "Kommunebarometer-metoden rangerer ikke denne sektoren.",
        "The Kommunebarometer method does not rank this sector.",
    ),
    "barometer_no_rank": (
        "{name} er ikke rangert i denne sektoren (for få nøkkeltall med data).",
        "{name} is not ranked in this sector (too few key figures with data).",
    ),
    "barometer_missing": (
        "Barometerresultater finnes ikke for dette året.",
        "No barometer results for this year.",
    ),
    "drivers": ("Nøkkeltall som trekker mest", "Key figures with the largest effect"),
    "grade": ("Karakter (1–6)", "Grade (1–6)"),
    "weight": ("Vekt", "Weight"),
    "effect": ("Effekt", "Effect"),
    "value": ("Verdi", "Value"),
    "peer_average": ("{peer}-snitt", "{peer} average"),
    "index": ("Indeks", "Index"),
    "peer_rank": ("Plass i gruppen", "Rank in group"),
    "change": ("Endring fra {year}", "Change since {year}"),
    "min_max": ("Min–maks i gruppen", "Group min–max"),
    "profile": ("Tjenesteprofil", "Service profile"),
    "profile_caption": (
        "Indeks: {peer}-snittet = 100. Over 100 betyr «mer», som kan være bra eller dårlig.",
        "Index: {peer} average = 100. Above 100 means 'more', which may be good or bad.",
    ),
    "need": ("Behovskorrigerte utgifter", "Need-corrected expenditure"),
    "need_caption": (
        "Netto driftsutgifter per innbygger delt på sektorens utgiftsbehovsindeks "
        "(landet = 1,00) for {year}. Mer/mindreutgift: forskjellen fra {peer}-snittet etter "
        "behovskorrigering, ganget med innbyggertallet. Ressursbruk: {peer}-snittet = 1,00.",
        "Net operating expenditure per inhabitant divided by the sector's expenditure-need "
        "index (country = 1.00) for {year}. Above/below: the difference from the {peer} "
        "average after need correction, times the inhabitants. Resource use: {peer} average "
        "= 1.00.",
    ),
    "net_opex": ("Netto driftsutg. per innb. (kr)", "Net op. exp. per inhabitant"),
    "need_index": ("Utgifts­behov", "Expend. need"),
    "need_corrected": ("Behovs­korrigert per innb. (kr)", "Need-corrected per inh."),
    "difference": ("Mer/mindre enn {peer} per innb. (kr)", "Above/below {peer} per inh."),
    "resource_use_index": ("Ressurs­bruk mot {peer}", "Resource use vs {peer}"),
    "excess": ("Mer/mindre­utgift (mill. kr)", "Above/below (NOK m)"),
    "total": ("Sum", "Total"),
    "total_welfare": ("Sum velferdssektorene", "Total, welfare sectors"),
    "production": ("Produksjon og effektivitet", "Production and efficiency"),
    "production_caption": (
        "Indekser mot {ref} = 100. Effektivitet = produksjon / behovskorrigerte brutto "
        "driftsutgifter.",
        "Indices against {ref} = 100. Efficiency = production / need-corrected gross "
        "operating expenditure.",
    ),
    "production_index": ("Produksjonsindeks", "Production index"),
    "cost_index": ("Utgiftsindeks (brutto)", "Expenditure index (gross)"),
    "efficiency_index": ("Effektivitetsindeks", "Efficiency index"),
    "no_production": (
        "Produksjonsindeksen dekker ikke denne sektoren.",
        "The production index does not cover this sector.",
    ),
    "findings": ("Funn", "Findings"),
    "more_findings": ("Flere funn", "More findings"),
    "trend_breaks": ("Brudd med egen trend", "Breaks with the own trend"),
    "expected": ("Forventet", "Expected"),
    "series": ("Utvikling over tid", "Over time"),
    "rank_strip": ("Plassering blant alle kommuner", "Position among all municipalities"),
    "map": ("Kart", "Map"),
    "caveat": ("Merk", "Note"),
    "caveat_above": ("se merknaden over", "see the note above"),
    "method": ("Metode og forutsetninger", "Method and assumptions"),
    "nokkeltall_appendix": ("Vedlegg: KOSTRA-nøkkeltall", "Appendix: KOSTRA key figures"),
    "nokkeltall_intro": (
        "{name} ved siden av KOSTRA-gruppen, fylket, landet og landet uten Oslo i {year}, slik "
        "SSB viser nøkkeltallene (samme tall som kommandoen kostra nokkeltall).",
        "{name} beside its KOSTRA group, county, country and country without Oslo in {year}, as "
        "Statistics Norway shows the key figures (the same figures as the command kostra "
        "nokkeltall).",
    ),
    "nokkeltall_legend": (
        "* beregnet av kostra fra kommunenes tall etter SSBs regel; uten *: SSBs eget tall.",
        "* computed by kostra from the municipalities' figures by SSB's rule; without *: "
        "SSB's own figure.",
    ),
    "method_intro": (
        "Tallene bygger på SSBs KOSTRA-tabeller. Der den offentlige metoden ikke er publisert i "
        "sin helhet, bruker kostra dokumenterte standardvalg [D]. Disse påvirker tallene:",
        "The figures build on SSB's KOSTRA tables. Where the public method is not published in "
        "full, kostra uses documented defaults [D]. These affect the figures:",
    ),
    "assumption": ("Forutsetning", "Assumption"),
    "setting": ("Valg", "Setting"),
    "findings_rules": (
        "Funn i tekst lages av regler fra tallene (kostra.analysis.findings); hvert funn viser "
        "regelen i hakeparentes og lenker til tabellen tallene kommer fra:",
        "Findings in words are generated by rules from the numbers (kostra.analysis.findings); "
        "each finding names its rule in brackets and links to the table its numbers come from:",
    ),
    "rule": ("Regel", "Rule"),
    "rule_text": ("Når et funn skrives", "When a finding is written"),
    "page": ("Side", "Page"),
    "not_ranked_short": ("ikke rangert", "not ranked"),
    "missing_value": ("mangler", "missing"),
    "harmonised_note": (
        "Tegnet på 2024-grenser med verdier harmonisert fra {year}.",
        "Drawn on 2024 borders with values harmonised from {year}.",
    ),
    "chart_profile_alt": (
        "Stolpediagram: tjenesteprofil for {name}, {sector}, {year}. Indeks der {peer}-snittet "
        "= 100. {details}",
        "Bar chart: service profile of {name}, {sector}, {year}. Index with the {peer} average "
        "= 100. {details}",
    ),
    "chart_series_alt": (
        "Linjediagram: {indicator} for {name} og {peer}-snittet {first}–{last}. {details}",
        "Line chart: {indicator} for {name} and the {peer} average {first}–{last}. {details}",
    ),
    "chart_strip_alt": (
        "Punktdiagram: {indicator} i alle {n} kommuner i {year}; {name} er nr. {rank} fra "
        "toppen med {value}.",
        "Strip chart: {indicator} in all {n} municipalities in {year}; {name} is number {rank} "
        "from the top with {value}.",
    ),
    "chart_need_alt": (
        "Stolpediagram: behovskorrigert mer- eller mindreutgift per sektor for {name} mot "
        "{peer}-snittet, {year}, i millioner kroner. {details}",
        "Bar chart: need-corrected spending above or below the {peer} average per sector for "
        "{name}, {year}, in NOK million. {details}",
    ),
    "chart_map_alt": (
        "Kart over Norges kommuner farget etter {measure}, {year}. {name} og "
        "sammenligningskommunene er markert med kraftig omriss. {note}",
        "Map of Norway's municipalities coloured by {measure}, {year}. {name} and its peers "
        "are outlined. {note}",
    ),
    "map_rank_legend": ("Plass (1 = best)", "Rank (1 = best)"),
    "map_source": (
        "Kilde: SSB, tabell {tables}, {year}",
        "Source: Statistics Norway, table {tables}, {year}",
    ),
    "map_source_sample": (
        "Kilde: syntetiske eksempeltall (SSB-tabell {tables}), {year}",
        "Source: synthetic sample figures (Statistics Norway table {tables}), {year}",
    ),
    "map_source_rank": (
        "Kilde: egen beregning fra SSBs KOSTRA-tall, {year}",
        "Source: own calculation from Statistics Norway's KOSTRA figures, {year}",
    ),
    "map_borders": ("Kommunegrenser {year} © Kartverket", "Municipal borders {year} © Kartverket"),
    "map_no_value": ("Grå: ingen verdi", "Grey: no value"),
    "map_inset_oslo": ("Oslo-området", "Oslo area"),
    "map_small_note": (
        "Sirkler markerer de {n} minste kommunene etter areal: {names}.",
        "Circles mark the {n} smallest municipalities by area: {names}.",
    ),
    "chart_barometer_alt": (
        "Punktdiagram: {name}s plassering i hver barometersektor med usikkerhetsintervall, "
        "{year}. {details}",
        "Dot chart: {name}'s rank in each barometer sector with uncertainty interval, {year}. "
        "{details}",
    ),
    "barometer_rank": (
        "plassering etter Kommunebarometer-metoden (egen beregning)",
        "rank by the Kommunebarometer method (own calculation)",
    ),
    "own": ("{name}", "{name}"),
    "peer_label": ("Sammenligningskommuner", "Peers"),
    "other_label": ("Andre kommuner", "Other municipalities"),
    "mnok": ("mill. kr", "NOK million"),
    "kr_per_inh": ("kr per innbygger", "NOK per inhabitant"),
    "pandemic_band": ("Pandemi", "Pandemic"),
    "break_label": ("brudd", "break"),
    "banner_note": (
        "Tallene i denne rapporten er syntetiske eksempeldata som følger med kostra. De er ikke "
        "SSBs statistikk og skal ikke brukes til beslutninger. Hent ekte tall med «kostra "
        "fetch».",
        "The figures in this report are synthetic sample data shipped with kostra. They are not "
        "SSB's statistics and must not be used for decisions. Fetch real figures with 'kostra "
        "fetch'.",
    ),
}


def t(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    nb, en = LABELS[key]
    text = en if lang == "en" else nb
    return text.format(**values) if values else text


def sector_name(sector: str, lang: str, *, capital: bool = False) -> str:
    """A sector's name in ``lang`` (from the findings' sector table)."""
    nb, en = SECTOR_NAMES.get(sector, (sector, sector))
    text = en if lang == "en" else nb
    return text[0].upper() + text[1:] if capital else text


def number(value: float | int | None, lang: str, decimals: int | None = None) -> str:
    """A number as the report prints it; missing values print as an en dash."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return fmt(float(value), lang, decimals if decimals is not None else _auto(value))


def _auto(value: float | int) -> int:
    if isinstance(value, int):
        return 0
    return 0 if abs(value) >= 100 else 1


def signed(value: float | None, lang: str, decimals: int = 0) -> str:
    """A number with an explicit sign (+/−), for changes and differences."""
    if value is None:
        return "–"
    text = fmt(abs(value), lang, decimals)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def when(moment: date | datetime | None, lang: str) -> str:
    """A date (and time) as people in ``lang`` write it."""
    if moment is None:
        return "–"
    months_nb = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ]
    if lang == "en":
        text = moment.strftime("%-d %B %Y")
    else:
        text = f"{moment.day}. {months_nb[moment.month - 1]} {moment.year}"
    if isinstance(moment, datetime):
        text += moment.strftime(" %H:%M")
    return text


@lru_cache(maxsize=2)
def vega_locale(lang: str) -> dict[str, Any]:
    """Vega's ``config.locale`` for ``lang``: number format (decimal comma and no-break-space
    thousands in bokmål) and the time format locale from vl-convert (nb-NO / en-GB)."""
    import vl_convert

    if lang == "en":
        number_locale = {
            "decimal": ".",
            "thousands": ",",
            "grouping": [3],
            "currency": ["NOK ", ""],
        }
        time_locale = vl_convert.get_time_format_locale("en-GB")
    else:
        number_locale = {
            "decimal": ",",
            "thousands": "\u00a0",
            "grouping": [3],
            "currency": ["", "\u00a0kr"],
        }
        time_locale = vl_convert.get_time_format_locale("nb-NO")
    return {"number": number_locale, "time": dict(time_locale)}


def _listing(items: list[str], lang: str) -> str:
    """ "A, B og C" / "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    last = " og " if lang == "nb" else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def event_text(
    kind: str,
    year: int,
    name: str,
    code: str,
    old_names: tuple[str, ...] | list[str],
    old_codes: tuple[str, ...] | list[str],
    lang: str,
    *,
    continuing: bool = False,
) -> str:
    """One municipal change in words with the right verb: a municipality that keeps its name
    (or code) is "sammenslått med" the others, a new one is "dannet ved sammenslåing av" its
    parts, a split-off part is "skilt ut fra", a new number says the old one."""
    old = list(old_names or old_codes)
    values = {"year": year, "name": name, "code": code}
    if kind == "merger":
        if name in old:
            others = [o for o in old if o != name]
            return t("event_merged_with", lang, old=_listing(others, lang), **values)
        if continuing:
            # the municipality kept its code and took the others in (Stavanger 2020)
            return t("event_merged_with", lang, old=_listing(old, lang), **values)
        return t("event_formed_from", lang, old=_listing(old, lang), **values)
    if kind == "split" and name in old:
        # the part that keeps the name: divided, under a new number
        return t("event_divided", lang, old=", ".join(old_codes), **values)
    if kind == "split":
        return t("event_split_from", lang, old=_listing(old, lang), **values)
    return t("event_renumbered", lang, old=", ".join(old_codes), **values)
