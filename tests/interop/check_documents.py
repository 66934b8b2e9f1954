#!/usr/bin/env python3
"""Opens a run's report.docx with python-docx and tables.xlsx with openpyxl, the libraries
researchers' scripts use for Word and Excel files, and checks what a report writer relies on:
every figure embedded with its numbered caption; one sheet per table with a frozen header,
numbers stored as numbers, shares formatted as percentages, and a notes sheet.
Usage: check_documents.py RUN_DIR. Prints a JSON summary; exits 1 on any failure."""
import json
import sys
from pathlib import Path

import docx
import openpyxl
import pyarrow.parquet as pq

TABLES = ["trends", "regional_trends", "parallel", "aggregates", "shares", "share_series", "route", "route_ccf", "claims"]


def check_docx(run, figures):
    document = docx.Document(str(run / "report.docx"))
    images = len(document.inline_shapes)
    assert images == len(figures), f"{images} images for {len(figures)} figures"
    captions = [p.text for p in document.paragraphs if p.style.name in ("Image Caption", "Caption")]
    assert len(captions) == len(figures), captions
    for n, caption in enumerate(captions, 1):
        assert caption.startswith(f"Figure {n}. "), caption
        assert "Source: " in caption, caption
    title = [p.text for p in document.paragraphs if p.style.name == "Title"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "Main findings" in headings, headings
    return {"images": images, "captions": captions, "title": title, "headings": headings, "tables": len(document.tables)}


def check_xlsx(run):
    book = openpyxl.load_workbook(str(run / "tables.xlsx"))
    assert book.sheetnames == TABLES + ["notes"], book.sheetnames
    summary = {}
    for name in TABLES:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", (name, sheet.freeze_panes)
        table = pq.read_table(run / "tables" / f"{name}.parquet")
        assert sheet.max_row == table.num_rows + 1 or table.num_rows == 0, (name, sheet.max_row, table.num_rows)
        headers = [c.value for c in sheet[1]]
        assert len(headers) == table.num_columns, (name, headers)
        numeric = 0
        for j, field in enumerate(table.schema):
            header = headers[j]
            assert header.split(" (")[0] == field.name, (name, header, field.name)
            column = table.column(j).to_pylist()
            cells = [sheet.cell(row=i + 2, column=j + 1) for i in range(table.num_rows)]
            is_number = str(field.type) in ("double", "float", "int64", "uint32", "int32", "uint64")
            for value, cell in zip(column, cells):
                if value is None or value == "" or (isinstance(value, float) and value != value):
                    assert cell.value is None, (name, field.name, cell.value)
                elif is_number:
                    # Numbers as numbers, never text, and equal to the Parquet value.
                    assert cell.data_type == "n", (name, field.name, cell.value, cell.data_type)
                    assert cell.value == value, (name, field.name, cell.value, value)
                    numeric += 1
                else:
                    # Text as text: a period "2016" or a coverage "4/5" stays a string, never a date.
                    assert cell.data_type == "s", (name, field.name, cell.value, cell.data_type)
                    assert cell.value == value, (name, field.name, cell.value, value)
            if field.name in ("share", "share_1", "share_2"):
                assert header.endswith("(%)"), header
                assert all(c.number_format == "0.0%" for c, v in zip(cells, column) if v is not None), field.name
        summary[name] = {"rows": table.num_rows, "numbers": numeric}
    notes = book["notes"]
    items = [notes.cell(row=i, column=1).value for i in range(2, notes.max_row + 1)]
    assert any(i.startswith("source: ") for i in items), items
    assert any(i.startswith("coverage: ") for i in items), items
    summary["notes"] = len(items)
    return summary


def main():
    run = Path(sys.argv[1])
    # The first language's sidecars (`<slug>.ru.json` is a figure's Russian sidecar).
    figures = sorted(f for f in (run / "figures").glob("*.json") if "." not in f.stem)
    print(json.dumps({"docx": check_docx(run, figures), "xlsx": check_xlsx(run)}))


if __name__ == "__main__":
    main()
