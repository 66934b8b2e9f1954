#!/usr/bin/env python3
"""Converts the sourced figures (seizures_sourced.csv, offences_sourced.csv,
newsletter_2017q2_figures.csv and their SOURCES.md, the project's data collection kept
outside this repository) into routetrend's canonical long CSV.

Run from the repository root: python3 data/raw/convert_sourced.py SOURCED_DATA_DIR
Writes data/raw/seizures.csv, data/raw/offences.csv and copies the newsletter figures.
Every figure is copied as printed (no arithmetic); the citation of each row is kept in
`source` as "<source_title> | <source_ref>".
"""
import csv
import shutil
import sys
from pathlib import Path

if len(sys.argv) != 2:
    sys.exit("usage: python3 data/raw/convert_sourced.py SOURCED_DATA_DIR")
SHARED = Path(sys.argv[1])
OUT = Path("data/raw")
CANONICAL = ["indicator", "geo", "drug", "dimension", "category", "period", "value", "unit", "source"]

# Offence indicators: the printed description -> (indicator key). Agency-only counts keep
# the agency in the key, so they are never mistaken for national totals.
OFFENCE_INDICATORS = {
    "drug-related crimes recorded (all law-enforcement bodies)": "drug_offences",
    "crimes related to drug trafficking discovered (law-enforcement bodies)": "drug_offences_discovered",
    "criminal cases on drug trafficking initiated by internal affairs bodies (MVD only)": "drug_cases_mvd",
    "drug crimes detected by internal affairs bodies (MVD only)": "drug_offences_mvd",
    "persons brought to criminal liability for drug crimes (MVD)": "drug_offenders_mvd",
    "drug-related crimes detected by the Drug Control Agency (DCA only)": "drug_offences_dca",
}
# Printed categories -> (dimension, category); the total of a series has neither.
OFFENCE_CATEGORIES = {
    "total": ("", ""),
    "smuggling": ("offence_type", "smuggling"),
    "sale (distribution) of drugs": ("offence_type", "sale"),
    "sale of drugs": ("offence_type", "sale"),
    "illicit trafficking for the purpose of sale": ("offence_type", "sale"),
    "illegal growing of narcotic plants": ("offence_type", "cultivation"),
    "illicit cultivation of narcotic plants": ("offence_type", "cultivation"),
    "maintenance of drug dens": ("offence_type", "drug_dens"),
    "other drug-related crimes": ("offence_type", "other"),
    "committed on the internet": ("modus", "internet"),
    "juveniles": ("age", "juvenile"),
    "foreign citizens": ("citizenship", "foreign"),
}


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CANONICAL)
        w.writerows(rows)
    print(f"{path}: {len(rows)} rows")


def seizures():
    rows = []
    with open(SHARED / "seizures_sourced.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            source = f"{r['source_title']} | {r['source_ref']}"
            rows.append(["seizures", r["country_iso3"], r["drug"], "", "", r["period"],
                         r["quantity"], r["unit"], source])
    write(OUT / "seizures.csv", rows)


def offences():
    rows = []
    with open(SHARED / "offences_sourced.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            indicator = OFFENCE_INDICATORS[r["indicator"]]
            dimension, category = OFFENCE_CATEGORIES[r["category"]]
            source = f"{r['source_title']} | {r['source_ref']} | printed: {r['indicator']}: {r['category']}"
            rows.append([indicator, r["country_iso3"], "", dimension, category, r["year"],
                         r["value"], r["unit"], source])
    write(OUT / "offences.csv", rows)


if __name__ == "__main__":
    seizures()
    offences()
    shutil.copyfile(SHARED / "newsletter_2017q2_figures.csv", OUT / "newsletter_2017q2_figures.csv")
    shutil.copyfile(SHARED / "SOURCES.md", OUT / "SOURCES.md")
