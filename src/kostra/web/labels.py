"""The web pages' words in bokmål and English; words the report already has come from
:func:`kostra.report.locale.t`, so page and report say the same."""

from __future__ import annotations

from kostra.report.locale import LABELS as REPORT_LABELS
from kostra.report.locale import t as report_t

LANGS = ("nb", "en")

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("KOSTRA-analyse", "KOSTRA analysis"),
    "overview": ("Oversikt", "Overview"),
    "ranking": ("Rangering", "Ranking"),
    "compare_page": ("Sammenlign", "Compare"),
    "map_page": ("Kart", "Map"),
    "choose_municipality": ("Velg kommune", "Choose municipality"),
    "search_placeholder": ("Skriv kommunenavn eller -nummer", "Type a municipality name or code"),
    "go": ("Vis", "Show"),
    "language": ("Språk", "Language"),
    "skip_to_content": ("Hopp til hovedinnholdet", "Skip to main content"),
    "other_language": ("English", "Norsk"),
    "peer_standard": ("Standard (ASSS eller fylket)", "Default (ASSS or the county)"),
    "peer_asss": ("ASSS-kommunene", "The ASSS municipalities"),
    "peer_county": ("Fylket", "The county"),
    "peer_country": ("Landet", "The country"),
    "peer_country_ex_oslo": ("Landet uten Oslo", "The country without Oslo"),
    "peer_kostra_group": ("KOSTRA-gruppen", "The KOSTRA group"),
    "peer_similar": ("Lignende kommuner", "Similar municipalities"),
    "similar": ("Lignende kommuner", "Similar municipalities"),
    "similar_intro": (
        "De ti kommunene som ligner mest i struktur: folketall, alder, vekst, tetthet, "
        "sentralitet, KOSTRA-gruppe, utgiftsbehov og ROBEK.",
        "The ten municipalities most alike in structure: population, age, growth, density, "
        "centrality, KOSTRA group, expenditure need and ROBEK.",
    ),
    "similar_as_peers": ("Sammenlign med dem", "Compare with them"),
    "similar_weights": ("Vekter", "Weights"),
    "inhabitants_short": ("innb.", "inh."),
    "sectors": ("Sektorer", "Sectors"),
    "download": ("Last ned", "Download"),
    "download_view": ("Denne visningen", "This view"),
    "download_report": ("Hele rapporten", "The full report"),
    "download_deck": ("Last ned presentasjon", "Download the slides"),
    "total_rank": ("Samlet plass", "Total rank"),
    "rank_of": ("{rank} av {n}", "{rank} of {n}"),
    "rank_interval": ("usikkerhet: plass {low}–{high}", "uncertainty: rank {low}–{high}"),
    "totals": ("Samlet", "Total"),
    "excess_more": (
        "Brukte {value} mill. kr mer enn snittet i {peer} etter behovskorrigering",
        "Spent NOK {value} million more than the {peer} average after need correction",
    ),
    "excess_less": (
        "Brukte {value} mill. kr mindre enn snittet i {peer} etter behovskorrigering",
        "Spent NOK {value} million less than the {peer} average after need correction",
    ),
    "excess_note": (
        "Mer/mindreutgift: + betyr at kommunen brukte mer enn snittet i {peer} etter "
        "behovskorrigering, − at den brukte mindre.",
        "Above/below: + means the municipality spent more than the {peer} average after need "
        "correction, − that it spent less.",
    ),
    "barometer_note": (
        "Plass 1 er best. Streken er usikkerhetsintervallet for plassen.",
        "Rank 1 is best. The line is the rank's uncertainty interval.",
    ),
    "need_note": (
        "Mill. kr etter behovskorrigering. Oransje: mer enn snittet i {peer}; blå: mindre.",
        "NOK million after need correction. Orange: more than the {peer} average; blue: less.",
    ),
    "map_note": (
        "Rød kant: {name}. Oransje kant: sammenligningskommunene ({peer}). Mørkere blå er "
        "bedre plass.",
        "Red outline: {name}. Orange outline: the peer municipalities ({peer}). Darker blue is "
        "a better rank.",
    ),
    "series_note": (
        "Grå felt: pandemiårene {years}. Snittet for {peer} er vist for {first}–{last}.",
        "Grey bands: the pandemic years {years}. The {peer} average is shown for {first}–{last}.",
    ),
    "not_found": ("Finner ikke siden", "Page not found"),
    "bad_request": ("Ugyldig forespørsel", "Invalid request"),
    "server_error": ("Noe gikk galt", "Something went wrong"),
    "suggestions": ("Mente du", "Did you mean"),
    "unknown_municipality": (
        "Ingen kommune passer til «{query}».",
        "No municipality matches “{query}”.",
    ),
    "unknown_hint": (
        "Skriv et kommunenavn eller et firesifret kommunenummer.",
        "Type a municipality name or a four-digit code.",
    ),
    "back_home": ("Til forsiden", "To the front page"),
    "search": ("Søk", "Search"),
    "all_counties": ("Alle fylker", "All counties"),
    "all_groups": ("Alle KOSTRA-grupper", "All KOSTRA groups"),
    "all_sizes": ("Alle størrelser", "All sizes"),
    "size_small": ("Under 5 000 innb.", "Under 5,000 inhabitants"),
    "size_medium": ("5 000–19 999 innb.", "5,000–19,999 inhabitants"),
    "size_large": ("20 000–99 999 innb.", "20,000–99,999 inhabitants"),
    "size_city": ("100 000 innb. og mer", "100,000 inhabitants or more"),
    "measure": ("Vis", "Show"),
    "filter": ("Filtrer", "Filter"),
    "code": ("Nr.", "Code"),
    "population": ("Innbyggere", "Inhabitants"),
    "kostra_group": ("KOSTRA-gruppe", "KOSTRA group"),
    "place": ("Plass", "Rank"),
    "shown_count": ("{n} kommuner", "{n} municipalities"),
    "compare_intro": (
        "Velg opptil {n} kommuner og et nøkkeltall.",
        "Choose up to {n} municipalities and a key figure.",
    ),
    "add_municipality": ("Legg til kommune", "Add municipality"),
    "remove": ("Fjern", "Remove"),
    "too_many": ("Høyst {n} kommuner kan sammenlignes.", "At most {n} municipalities."),
    "map_tools": ("Zoom og flytt kartet", "Zoom and pan the map"),
    "map_zoom_in": ("Zoom inn", "Zoom in"),
    "map_zoom_out": ("Zoom ut", "Zoom out"),
    "map_zoom_reset": ("Hele landet", "All of Norway"),
    "map_zoom_help": (
        "Rull for å zoome, dra for å flytte. Med tastaturet: knappene, + og −, og piltastene.",
        "Scroll to zoom, drag to pan. With the keyboard: the buttons, + and −, and the arrow keys.",
    ),
    "map_mark": ("Marker kommune", "Mark municipality"),
    "map_marked": (
        "{name}: {value}, plass {place} av {n}.",
        "{name}: {value}, rank {place} of {n}.",
    ),
    "map_summary": (
        "Plass 1 er {first} ({first_value}), sist er {last} ({last_value}). Medianen er {median}. "
        "{missing} kommuner har ingen verdi.",
        "Rank 1 is {first} ({first_value}), last is {last} ({last_value}). The median is {median}. "
        "{missing} municipalities have no value.",
    ),
    "map_smallest": ("De minste kommunene etter areal", "The smallest municipalities by area"),
    "map_smallest_note": (
        "De er for små til å se på et kart over hele landet og er markert med sirkler.",
        "They are too small to see on a map of the whole country and are marked with circles.",
    ),
    "map_table": ("Alle kommuner som tabell", "All municipalities as a table"),
    "area_km2": ("Areal (km²)", "Area (km²)"),
    "map_intro": (
        "Klikk på en kommune for å åpne oversikten.",
        "Click a municipality to open its overview.",
    ),
    "front_intro": (
        "Sammenlign kommunenes tjenester, utgifter og plassering i KOSTRA-tallene fra SSB.",
        "Compare municipalities' services, spending and rank in Statistics Norway's KOSTRA "
        "figures.",
    ),
    "barometer_explanation": ("Hva bestemmer plassen", "What sets the rank"),
    "no_barometer_sector": (
        "Sektoren inngår ikke i rangeringen etter Kommunebarometer-metoden.",
        "The sector is not part of the ranking by the Kommunebarometer method.",
    ),
    "no_data": ("Ingen tall.", "No figures."),
    "peers_members": ("Sammenligningskommuner", "Peer municipalities"),
    "coverage": ("Datadekning", "Data coverage"),
    "score": ("Poeng", "Score"),
    "need_row": ("Behovskorrigert", "Need-corrected"),
    "open": ("Åpne", "Open"),
    "data_source": ("Datagrunnlag", "Data"),
    "synthetic_value": ("syntetiske eksempeldata", "synthetic sample data"),
    # the workbench pages (kostra.web.workbench_routes)
    "facts": ("Fakta", "Facts"),
    "nokkeltall": ("Nøkkeltall", "Key figures"),
    "nokkeltall_title": ("KOSTRA-nøkkeltall", "KOSTRA key figures"),
    "nokkeltall_intro": (
        "Kommunen ved siden av KOSTRA-gruppen, fylket, landet og landet uten Oslo, slik SSB "
        "viser nøkkeltallene. Legg til kommuner for å se dem i egne kolonner.",
        "The municipality beside its KOSTRA group, county, country and country without Oslo, "
        "as Statistics Norway shows the key figures. Add municipalities to see them as "
        "columns.",
    ),
    "nokkeltall_legend": (
        "* beregnet av kostra fra kommunenes tall etter SSBs regel; uten *: SSBs eget tall.",
        "* computed by kostra from the municipalities' figures by SSB's rule; without *: "
        "SSB's own figure.",
    ),
    "sector_ranking_intro": (
        "Plass og poeng i sektoren, og poengene (1–6) for hver indikator i den. Klikk på en "
        "kolonneoverskrift for å sortere.",
        "Rank and score in the sector, and the score (1–6) of each of its indicators. Click a "
        "column heading to sort.",
    ),
    "sector_ranking_note": (
        "Poeng 6 er best, 1 svakest; sektorpoengene er det vektede snittet av indikatorenes "
        "poeng. Plass 1 er best; intervallet er usikkerheten i plassen.",
        "A score of 6 is best, 1 weakest; the sector score is the weighted mean of the "
        "indicators' scores. Rank 1 is best; the interval is the rank's uncertainty.",
    ),
    "by_sector": ("Per sektor", "By sector"),
    "search_page": ("Søk", "Search"),
    "search_title": ("Søk i nøkkeltallene", "Search the key figures"),
    "search_intro": (
        "Søk etter ord i navnene, SSBs egne betegnelser og vanlige ord som «lærer», «gjeld» "
        "eller «eldre». Treffene er gruppert etter sektor.",
        "Search for words in the names, Statistics Norway's own labels and common words such "
        "as “lærer”, “gjeld” or “eldre”. The results are grouped by sector.",
    ),
    "search_indicator_placeholder": (
        "f.eks. lærer, sykehjem, gjeld",
        "e.g. lærer, sykehjem, gjeld",
    ),
    "search_count": ("{n} nøkkeltall for «{query}»", "{n} key figures for “{query}”"),
    "facts_title": ("{name} i tall", "{name} in figures"),
    "facts_intro": (
        "Folketall, alder, areal, utgiftsbehov, økonomi og plassering på ett sted.",
        "Population, age, area, expenditure need, finances and rank in one place.",
    ),
    "facts_population_on": ("Innbyggere 1. januar {date}", "Inhabitants on 1 January {date}"),
    "facts_growth": ("Endring siste år", "Change over the last year"),
    "facts_age": ("Alder", "Age"),
    "facts_age_title": ("Aldersfordeling 1. januar {date}", "Age structure on 1 January {date}"),
    "facts_age_share": ("Andel {group} år", "Share aged {group}"),
    "facts_share": ("Andel", "Share"),
    "facts_area": ("Areal", "Area"),
    "facts_density": ("Innbyggere per km²", "Inhabitants per km²"),
    "facts_per_km2": ("per km²", "per km²"),
    "facts_need_index": ("Utgiftsbehovsindeks", "Expenditure-need index"),
    "facts_need_note": (
        "Utgiftsbehov fra inntektssystemet for {year} (Grønt hefte); 1,00 = landsgjennomsnittet.",
        "Expenditure need from the income system for {year} (Grønt hefte); 1.00 = the national "
        "average.",
    ),
    "facts_structure": ("Struktur", "Structure"),
    "facts_centrality": ("Sentralitet (SSB, 1–6)", "Centrality (SSB, 1–6)"),
    "facts_robek": ("I ROBEK (2024)", "In ROBEK (2024)"),
    "facts_finances": ("Økonomi", "Finances"),
    "facts_ranks": ("Plassering", "Rank"),
    "facts_sources": (
        "Kilder: SSB (folkemengde 07459, KOSTRA, sentralitet, KOSTRA-grupper), Kartverket "
        "(areal), KDD (Grønt hefte, ROBEK).",
        "Sources: Statistics Norway (population 07459, KOSTRA, centrality, KOSTRA groups), "
        "Kartverket (area), KDD (Grønt hefte, ROBEK).",
    ),
    "yes": ("ja", "yes"),
    "no": ("nei", "no"),
    "score_unadjusted": ("Poeng (ujustert)", "Score (unadjusted)"),
    "nokkeltall_computed_title": (
        "beregnet av kostra over {n} kommuner",
        "computed by kostra over {n} municipalities",
    ),
}


def label(key: str, lang: str, **values: object) -> str:
    """The web label ``key`` (or the report's, when the web has none) in ``lang``."""
    if key in LABELS:
        nb, en = LABELS[key]
        text = en if lang == "en" else nb
        return text.format(**values) if values else text
    if key in REPORT_LABELS:
        return report_t(key, lang, **values)
    raise KeyError(key)
