"""Convert the example data of SSB's R package "Kostra" into CSV files ``kostra import`` reads.

``rateData.RData`` (package version 1.3.3, © Statistics Norway, MIT) holds KOSTRA's
"Eiendomsforvaltning – grunnlagsdata (K)" for 2015: per municipality the owned area of
administration buildings (function 130) and of sports buildings (381), the total area of sports
buildings, their energy, maintenance and cleaning costs (1000 kr) and the population on
31 December 2015. The columns are written as SSB's series the catalog reads:

* table 11906, ``KOSareal0000`` (m²), dims ``KOKeieform0000`` (``eid`` owned / ``samlet``
  owned and rented) and ``KOKfunksjon0000`` (130, 381);
* table 12905, ``KOSbelop0000`` (1000 kr), dims ``KOKart0000`` (``AG1`` energy, ``AGD36``
  maintenance, ``AGD38`` cleaning) and ``KOKfunksjon0000`` (381);
* ``population.csv``: region, year (2016: the package's 31.12.2015 count is the 1 January 2016
  population kostra's per-inhabitant figures divide by), population.

Usage (from the repository root; needs the ``rdata`` package)::

    python scripts/ssb_r_package.py \\
        ../shared/data/kostra_real_fragments/ssb_kostra_r_package/rateData.RData -o out/
    kostra import out/11906.csv out/12905.csv   # the title lines name the tables

The figures are SSB's for 2015; nothing is computed here, only renamed.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import polars as pl

_STUB = "X4.1..Konsern...Eiendomsforvaltning.for.utvalgte.kommunale.formålsbygg...grunnlagsdata..K..etter.region..tid.og.statistikkvariabel"  # noqa: E501
YEAR = 2015
_AREA = {
    ("eid", "130"): "Areal.på.eide.administrasjonslokaler...konsern",
    ("eid", "381"): "Areal.på.eide.kommunale.idrettsbygg..konsern",
    ("samlet", "381"): "Samlet.areal.på.kommunale.idrettsbygg..konsern",
}
_COSTS = {
    ("AG1", "381"): "Energikostnader.til.kommunale.idrettsbygg..konsern",
    ("AGD36", "381"): "Utgifter.til.vedlikeholdsaktiviteter..kommunale.idrettsbygg..konsern",
    ("AGD38", "381"): "Utgifter.til.renholdsaktiviteter..kommunale.idrettsbygg..konsern",
}
POPULATION = "Folkemengde.i.alt"
_FUNCTIONS = {"130": "Administrasjonslokaler", "381": "Kommunale idrettsbygg og idrettsanlegg"}


def read_rate_data(path: Path) -> pl.DataFrame:
    """The municipalities' rows of ``rateData$data`` as a Polars frame (region code first)."""
    import rdata

    with warnings.catch_warnings():
        # rdata names R's data.table class and falls back to data.frame, which is what we want
        warnings.simplefilter("ignore", UserWarning)
        parsed = rdata.read_rda(str(path), default_encoding="latin1")
    data = parsed["rateData"]["data"]
    frame = pl.from_pandas(data.astype({_STUB: "string"}))
    return frame.with_columns(
        pl.col(_STUB).str.extract(r"^(\d{4})\s", 1).alias("region"),
        pl.col(_STUB).alias("region_label"),
    ).filter(pl.col("region").is_not_null())


def write_csv(frame: pl.DataFrame, out: Path) -> list[Path]:
    """``11906.csv``, ``12905.csv`` and ``population.csv`` in ``out``; their paths."""
    out.mkdir(parents=True, exist_ok=True)

    def long(columns: dict[tuple[str, str], str], dim: str) -> pl.DataFrame:
        parts = [
            frame.select(
                pl.col("region_label").alias("region"),
                pl.lit(first).alias(dim),
                # "code label" as the statbank writes it: a bare number column would be read
                # as figures, not as a dimension.
                pl.lit(f"{function} {_FUNCTIONS[function]}").alias("KOKfunksjon0000"),
                pl.lit(str(YEAR)).alias("år"),
                pl.col(column).cast(pl.Float64).alias("value"),
            )
            for (first, function), column in columns.items()
        ]
        # SSB writes ".." where a figure is missing; the file's NA becomes that symbol.
        return pl.concat(parts).with_columns(pl.col("value").cast(pl.Utf8).fill_null(".."))

    area = long(_AREA, "KOKeieform0000").rename({"value": "KOSareal0000"})
    costs = long(_COSTS, "KOKart0000").rename({"value": "KOSbelop0000"})
    population = frame.select(
        "region",
        pl.lit(YEAR + 1, pl.Int32).alias("year"),
        pl.col(POPULATION).cast(pl.Float64).alias("population"),
    )
    paths = [out / "11906.csv", out / "12905.csv", out / "population.csv"]
    titles = [
        '"11906: Areal på formålsbygg (SSB R-pakken Kostra, rateData 2015)"\n\n',
        '"12905: Eiendomsforvaltning, kommunale idrettsbygg (SSB R-pakken Kostra, rateData 2015)"'
        "\n\n",
        "",
    ]
    for table, path, title in zip((area, costs, population), paths, titles, strict=True):
        # The statbank's title line names the table, so `kostra import` needs no --table.
        path.write_text(title + table.write_csv(separator=";"), encoding="utf-8")
    return paths


def main() -> None:
    """Command line: the RData file in, the CSV files out."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("rdata", type=Path, help="rateData.RData of SSB's R package Kostra")
    parser.add_argument("-o", "--out", type=Path, default=Path("ssb_r_package"))
    args = parser.parse_args()
    for path in write_csv(read_rate_data(args.rdata), args.out):
        print(path)


if __name__ == "__main__":
    main()
