"""Reader of the BLS OEWS national estimates (the `.xlsx` BLS publishes, or its first sheet as CSV).

Special values (sheet "Field Descriptions"): `*` wage not available, `**` employment not
available, `#` wage at or above the top code ($115.00 an hour, $239,200 a year). They are kept
as symbols next to an empty figure, never turned into numbers.
"""

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zipfile import BadZipFile

from .tabular import ImportFileError, check_header, not_found, parse_decimal

SPECIAL_VALUES = {"#", "*", "**"}
HOURLY = {
    "hourly_mean": "H_MEAN",
    "hourly_p10": "H_PCT10",
    "hourly_p25": "H_PCT25",
    "hourly_median": "H_MEDIAN",
    "hourly_p75": "H_PCT75",
    "hourly_p90": "H_PCT90",
}
ANNUAL = {
    "annual_mean": "A_MEAN",
    "annual_p10": "A_PCT10",
    "annual_p25": "A_PCT25",
    "annual_median": "A_MEDIAN",
    "annual_p75": "A_PCT75",
    "annual_p90": "A_PCT90",
}
COLUMNS = ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", *HOURLY.values(), *ANNUAL.values())
# A code BLS lists both as a broad and a detailed occupation: the detailed row is the one.
GROUP_PREFERENCE = {"detailed": 0, "broad": 1}


@dataclass
class WageRow:
    soc_code: str
    title: str
    group: str
    values: dict = field(default_factory=dict)  # model field -> number or None
    special_values: dict = field(default_factory=dict)  # model field -> BLS symbol


def read_oews(path: Path) -> dict[str, WageRow]:
    """Detailed (else broad) occupation rows by SOC code; raises ImportFileError on bad input."""
    path = Path(path)
    if not path.is_file():
        raise not_found(path)
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    header = [str(name).strip() if name is not None else "" for name in next(rows, [])]
    if not header:
        raise ImportFileError(path, "the file is empty", 1)
    check_header(path, header, COLUMNS)
    wages: dict[str, WageRow] = {}
    for line, cells in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in cells):
            continue
        row = dict(zip(header, cells, strict=False))
        if row["O_GROUP"] not in GROUP_PREFERENCE:
            continue  # totals and major/minor groups are not occupations
        wage = _wage_row(path, line, row)
        kept = wages.get(wage.soc_code)
        if kept is None or GROUP_PREFERENCE[wage.group] < GROUP_PREFERENCE[kept.group]:
            wages[wage.soc_code] = wage
    return wages


def _xlsx_rows(path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise ImportFileError(path, f"not a readable .xlsx workbook ({error})") from error
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle)


def _text(value):
    return "" if value is None else str(value).strip()


def _wage_row(path, line, row):
    code = _text(row["OCC_CODE"])
    if len(code) != 7 or code[2] != "-" or not (code[:2] + code[3:]).isdigit():
        raise ImportFileError(path, f"malformed OCC_CODE {code!r}", line)
    wage = WageRow(code, _text(row["OCC_TITLE"]), _text(row["O_GROUP"]))
    columns = {"employment": "TOT_EMP", **HOURLY, **ANNUAL}
    for name, column in columns.items():
        raw = row[column]
        text = _text(raw)
        if text in SPECIAL_VALUES:
            wage.values[name] = None
            wage.special_values[name] = text
            continue
        number = parse_decimal(raw if isinstance(raw, int) else text.replace(",", ""))
        if isinstance(raw, float):
            # Cells hold binary floats (73.069999999999993); BLS publishes cents.
            number = Decimal(repr(raw))
        if number is None or number < 0:
            raise ImportFileError(path, f"{column} {text!r} is neither a number nor * ** #", line)
        if name in HOURLY:
            wage.values[name] = number.quantize(Decimal("0.01"))
        else:
            wage.values[name] = int(number.to_integral_value())
    return wage
