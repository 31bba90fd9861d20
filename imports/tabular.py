"""Reading the sources' delimited files: header checked first, every row with its line number."""

import csv
import os
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path


class ImportFileError(Exception):
    """Bad input, said with the file and line so a person can find it."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path, self.line, self.message = Path(path), line, message
        where = f"{self.path.name}:{line}" if line else self.path.name
        super().__init__(f"{where}: {message}")


def not_found(path: Path | str, what: str = "file not found") -> ImportFileError:
    """A missing file or directory, with the absolute path looked at: a relative path such as
    the Makefile's ../shared resolves against the directory the command runs in."""
    return ImportFileError(path, f"{what} (looked for {os.path.abspath(path)})")


def check_header(path: Path, header: list[str], columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in header]
    if missing:
        raise ImportFileError(
            path, f"wrong header: missing column(s) {', '.join(missing)}; found {header}", 1
        )


def read_delimited(
    path: Path, *, columns: tuple[str, ...], delimiter: str = "\t"
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a delimited text file with a header line."""
    if not path.is_file():
        raise not_found(path)
    # O*NET's tab files do not quote fields (task texts contain bare quotes); CSV files do.
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quoting=quoting)
        header = next(reader, None)
        if header is None:
            raise ImportFileError(path, "the file is empty", 1)
        header = [name.strip() for name in header]
        check_header(path, header, columns)
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise ImportFileError(
                    path,
                    f"malformed row: {len(cells)} fields where the header has {len(header)}",
                    reader.line_num,
                )
            yield reader.line_num, dict(zip(header, cells, strict=True))


def parse_decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
