"""Reading an .xlsx of leads with scoring.leads.xlsx.xlsx_rows: seconds and peak RSS.

    .venv/bin/python bench/xlsx_read.py [--rows 100000] [--strings inline shared]

Writes a sheet of --rows synthetic leads × 10 columns (six lead fields, a CRM id of 16
digits, a score, a date and time, a two-line note; fixed seed) to a temporary file, in two
forms: "inline", as openpyxl's write_only mode saves it (every text inline in the sheet), and
"shared", as Excel saves it (every distinct text once in xl/sharedStrings.xml, the sheet
pointing to it), written here part by part since openpyxl cannot. Each file is then read in
a fresh interpreter, so that the peak RSS reported (the child's ru_maxrss) is the read's own,
Python and openpyxl included; the RSS after the imports (psutil) is shown beside it, and the
CPU time beside the wall-clock time (on a busy machine the former is the one to compare).
Both reads must give the same rows (a digest of them is compared).
"""

import argparse
import datetime
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = [
    "name", "role", "company", "industry", "location", "linkedin_bio",
    "crm_id", "score", "created_at", "notes",
]  # fmt: skip
ROLES = ["CEO", "VP of Sales", "Data Analyst", "Marketing Coordinator", "Engineer", "Intern",
         "Head of Data", "Founder", "Sales Associate", "Director of Operations"]  # fmt: skip
INDUSTRIES = ["SaaS", "Technology", "Retail", "Consulting", "Healthcare", "Education"]
BIOS = [
    "Looking for advanced ML platforms to scale our data science capabilities.",
    "Business intelligence professional focused on operational efficiency.",
    "Coordinating marketing campaigns and social media content.",
    "Evaluating real-time data processing for our product analytics stack.",
    "Builds dashboards, forecasts demand and reports on sales performance every week.",
]
ACCENTED = ["José Müller", "Zoë Ångström", "François Lefèvre", "Łukasz Wójcik"]


def leads(rows: int):
    """The header, then rows synthetic leads, made as they are asked for."""
    rng = random.Random(42)
    start = datetime.datetime(2024, 1, 1, 8, 0)
    yield HEADER
    for i in range(rows):
        name = f"{ACCENTED[i % 4]} {i}" if i % 97 == 0 else f"Lead {i}"
        yield [
            name, rng.choice(ROLES), f"Company {i % 5000}", rng.choice(INDUSTRIES),
            f"City {i % 50}", " ".join(rng.sample(BIOS, 2)),
            4_000_000_000_000_000 + i, round(rng.random() * 100, 2),
            start + datetime.timedelta(minutes=7 * i), f"Called on day {i % 30}\nFollow up",
        ]  # fmt: skip


def write_inline(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Leads")
    for row in leads(rows):
        sheet.append(row)
    book.save(path)


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""  # noqa: E501
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""  # noqa: E501
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>"""  # noqa: E501
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""  # noqa: E501
# Style 1: Excel's built-in date and time format (22, "m/d/yy h:mm").
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
# Excel writes the sheet's dimension first (openpyxl's write_only mode cannot: without it,
# openpyxl reads the whole sheet once more when it opens the workbook, to find its size).
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="A1:J{last_row}"/><sheetData>'
)
_EPOCH = datetime.datetime(1899, 12, 30)


def _column_letter(index: int) -> str:
    return "ABCDEFGHIJ"[index]  # ten columns


def write_shared(path: Path, rows: int) -> None:
    """The same sheet as Excel saves it: text in a shared-string table."""
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):  # fmt: skip
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.format(last_row=rows + 1).encode())
            for number, row in enumerate(leads(rows), start=1):
                cells = []
                for column, value in enumerate(row):
                    ref = f"{_column_letter(column)}{number}"
                    if isinstance(value, str):
                        index = strings.setdefault(value, len(strings))
                        cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
                    elif isinstance(value, datetime.datetime):
                        serial = (value - _EPOCH) / datetime.timedelta(days=1)
                        cells.append(f'<c r="{ref}" s="1"><v>{serial!r}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'uniqueCount="{len(strings)}">'.encode()
            )
            for text in strings:
                table.write(f'<si><t xml:space="preserve">{escape(text)}</t></si>'.encode())
            table.write(b"</sst>")


def read_child(path: str) -> None:
    """In the child: read the file with xlsx_rows, print the figures as JSON."""
    import psutil

    from scoring.leads.xlsx import xlsx_rows

    rss_after_imports = psutil.Process().memory_info().rss
    digest = hashlib.sha256()
    rows = cells = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    with open(path, "rb") as file:
        for row in xlsx_rows(file):
            rows += 1
            cells += len(row)
            digest.update("\x1f".join(row).encode() + b"\x1e")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({
        "seconds": seconds, "cpu_seconds": cpu_seconds, "rows": rows, "cells": cells,
        "digest": digest.hexdigest(),
        "rss_after_imports_mb": rss_after_imports / 2**20,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--strings", nargs="+", choices=["inline", "shared"],
                        default=["inline", "shared"])  # fmt: skip
    parser.add_argument("--child-read", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_read:
        read_child(args.child_read)
        return
    writers = {"inline": write_inline, "shared": write_shared}
    digests = set()
    with tempfile.TemporaryDirectory(prefix="intentscore-xlsx-") as folder:
        for form in args.strings:
            path = Path(folder) / f"leads-{form}.xlsx"
            started = time.perf_counter()
            writers[form](path, args.rows)
            written = time.perf_counter() - started
            with zipfile.ZipFile(path) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            output = subprocess.run(
                [sys.executable, __file__, "--child-read", str(path)],
                cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
            ).stdout  # fmt: skip
            result = json.loads(output.strip().splitlines()[-1])
            digests.add(result["digest"])
            print(
                f"{form:<7} {args.rows:,} leads x {len(HEADER)} columns: file "
                f"{path.stat().st_size / 2**20:.1f} MB ({unpacked / 2**20:.0f} MB unzipped, "
                f"written in {written:.1f} s); read {result['rows']:,} rows in "
                f"{result['seconds']:.2f} s, {result['cpu_seconds']:.2f} s of CPU "
                f"({result['rows'] / result['cpu_seconds']:,.0f} rows/s of CPU), "
                f"peak RSS {result['peak_rss_mb']:.1f} MB "
                f"({result['rss_after_imports_mb']:.1f} MB after the imports)"
            )
    if len(digests) > 1:
        raise SystemExit("the two forms of the sheet did not read as the same rows")


if __name__ == "__main__":
    main()
