#!/usr/bin/env python3
"""Writes the small test fixtures of tests/data/ that are binary or byte-exact (xlsx, BOM,
CRLF, invalid UTF-8). Run from tests/data/: python3 make_fixtures.py. Needs openpyxl."""
import openpyxl

# Canonical CSV with a BOM, CRLF line ends, ';' delimiter and decimal commas (ingested with
# --decimal-comma).
with open("semicolon_decimal_comma.csv", "wb") as f:
    f.write("\ufeffindicator;geo;drug;period;value;unit;source\r\n".encode("utf-8"))
    f.write("seizures;Kazakhstan;heroin;2016;196,5;kg;test\r\n".encode("utf-8"))
    f.write("seizures;Казахстан;opium;2016;1 234,5;kg;test\r\n".encode("utf-8"))
    f.write(b"\r\n")
    f.write("seizures;KAZ;cannabis_herb;2016;22,4;t;test\r\n".encode("utf-8"))

# A row that is not UTF-8 (Latin-1 bytes) between good rows.
with open("invalid_utf8.csv", "wb") as f:
    f.write(b"indicator,geo,drug,period,value,unit\n")
    f.write(b"seizures,KAZ,heroin,2016,1,kg\n")
    f.write(b"seizures,K\xc4Z,heroin,2017,2,kg\n")
    f.write(b"seizures,KAZ,heroin,2018,3,kg\n")

# Wide workbook: title row, header, a gap, an error cell and a date where a number belongs.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Seizures"
ws.append(["Heroin and opium seizures, kg"])
ws.append(["country", "drug", "unit", "2015", "2016", "2017", "notes"])
ws.append(["Tajikistan", "heroin", "kg", 1000.5, None, 500, "2016 not reported"])
ws.append(["Kyrgyz Republic", "opium", "kg", 20, 30, "=1/0", ""])
ws["F4"] = "#DIV/0!"
wb.save("wide.xlsx")

# CTS layout in a workbook: two preamble rows, then the header.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "data_cts_drug"
ws.append(["UNODC crime and criminal justice statistics"])
ws.append(["Downloaded for testing"])
ws.append(["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category",
           "Sex", "Age", "Year", "Unit of measurement", "VALUE", "Source"])
ws.append(["UZB", "Uzbekistan", "Asia", "Central Asia", "Persons arrested", "by type of offence",
           "Drug trafficking", "Total", "Total", 2016, "Counts", 6646, "CTS"])
ws.append(["UZB", "Uzbekistan", "Asia", "Central Asia", "Persons arrested", "by type of offence",
           "Drug trafficking", "Female", "Total", 2016, "Counts", 465, "CTS"])
ws.append(["KGZ", "Kyrgyzstan", "Asia", "Central Asia", "Persons arrested", "by type of offence",
           "Drug trafficking", "Total", "Total", 2016, "Rate per 100,000 population", 12.5, "CTS"])
wb.save("cts.xlsx")
