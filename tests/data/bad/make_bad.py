#!/usr/bin/env python3
"""Writes the bad-input corpus of tests/data/bad/ (run from this folder). Each file's
expected outcome is in expected.csv; tests/bad_inputs.rs checks them. The over-long line
file is made by the test itself (17 MiB, not committed)."""
import io
import zipfile

import openpyxl

HEADER = "indicator,geo,drug,period,value,unit\n"

open("zero_byte.csv", "wb").close()
with open("binary.csv", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
with open("invalid_utf8.csv", "wb") as f:
    f.write(HEADER.encode() + b"seizures,KAZ,heroin,2016,1,kg\nseizures,K\xff\xfeZ,heroin,2017,2,kg\n")
with open("non_finite.csv", "w") as f:
    f.write(HEADER + "seizures,KAZ,heroin,2016,NaN,kg\nseizures,KAZ,heroin,2017,inf,kg\nseizures,KAZ,heroin,2018,-inf,kg\nseizures,KAZ,heroin,2019,1e400,kg\n")
with open("header_repeated.csv", "w") as f:
    f.write(HEADER + "seizures,KAZ,heroin,2016,1,kg\n" + HEADER + "seizures,KAZ,heroin,2017,2,kg\n")
with open("truncated.csv", "w") as f:
    f.write(HEADER + "seizures,KAZ,heroin,2016,1,kg\nseizures,\"Kazakh")

# A workbook cut in half.
buf = io.BytesIO()
wb = openpyxl.Workbook()
wb.active.append(["indicator", "geo", "drug", "period", "value", "unit"])
for y in range(2000, 2023):
    wb.active.append(["seizures", "KAZ", "heroin", y, y - 1990, "kg"])
wb.save(buf)
open("truncated.xlsx", "wb").write(buf.getvalue()[: len(buf.getvalue()) // 2])

# Formulas with error results and dates where years belong.
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["indicator", "geo", "drug", "period", "value", "unit"])
ws.append(["seizures", "KAZ", "heroin", 2016, "#DIV/0!", "kg"])
ws.append(["seizures", "KAZ", "opium", 2016, "#N/A", "kg"])
ws.append(["seizures", "KAZ", "cannabis_herb", 2016, 12.5, "kg"])
import datetime
ws.append(["seizures", "KAZ", "cannabis_resin", datetime.date(2016, 1, 1), 3, "kg"])
ws.append(["seizures", "KAZ", "morphine", 2016, "=1+1", "kg"])  # a formula without a cached result
wb.save("errors_and_dates.xlsx")


def xlsx(sheet_xml: bytes, path: str, level=9):
    """A minimal workbook around one sheet's XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)


def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"
# A zip bomb: 600 MiB of white space inside the sheet, about 600 KiB zipped.
xlsx(HEAD + b" " * (600 * 1024 * 1024) + TAIL, "zip_bomb.xlsx")
# 100,000 columns in one row (beyond Excel's 16,384).
cells = b"".join(b'<c r="%s1"><v>%d</v></c>' % (col(i).encode(), i) for i in range(100_000))
xlsx(HEAD + b'<row r="1">' + cells + b"</row>" + TAIL, "columns_100k.xlsx")
