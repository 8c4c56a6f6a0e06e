"""Data tables: CSV and XLSX files read into cells that know where they stand.

The research team keeps the index scores in a spreadsheet. A table is read once into a
header and rows of :class:`Cell`; every cell remembers its place the way a spreadsheet
user reads it (``data/scores.csv:7:3``, ``data/scores.xlsx:Scores!C7``), so that every
finding about a value points at the cell to fix. Reading never raises for bad content:
an unreadable file becomes a finding.
"""

from __future__ import annotations

import csv
import io
import math
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Finding, Severity
from .sources import FileTooLarge, UnsafeFile, read_limited

MAX_TABLE_BYTES = 20 * 1024 * 1024
"""Largest data table read (a 50-city table is a few kilobytes)."""

CellValue = str | float | int | None
"""What a cell holds: text, a number, or nothing."""


@dataclass(frozen=True)
class Cell:
    """One cell of a table: its value and its place."""

    value: CellValue
    """The cell's value (CSV cells are text; XLSX cells keep their type)."""
    line: int | None = None
    """CSV: the 1-based line of the row."""
    column: int | None = None
    """CSV: the 1-based field number in the row."""
    ref: str | None = None
    """XLSX: the cell reference with its sheet, ``Scores!C7``."""

    @property
    def blank(self) -> bool:
        """Is the cell empty (or only white space)?"""
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def text(self) -> str:
        """The value as text, stripped ('' for a blank cell)."""
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value).strip()


@dataclass
class Table:
    """A data table read from a file: header cells, rows of cells, and read problems."""

    file: str
    """Path shown to the user (relative to the project)."""
    header: list[Cell] = field(default_factory=list)
    """The first row: column names."""
    rows: list[list[Cell]] = field(default_factory=list)
    """Every row after the header that is not entirely blank."""
    findings: list[Finding] = field(default_factory=list)
    """Problems met while reading (the table may then be empty)."""
    where: str = ""
    """For XLSX, the sheet read; '' for CSV."""

    def finding(
        self,
        cell: Cell | None,
        rule: str,
        message: str,
        *,
        severity: Severity = "error",
        path: str = "",
    ) -> Finding:
        """A finding located at ``cell`` of this table (the whole file when None)."""
        return Finding(
            file=self.file,
            line=cell.line if cell else None,
            column=cell.column if cell else None,
            path=path,
            rule=rule,
            severity=severity,
            message=message,
            cell=cell.ref if cell else None,
        )

    def columns(self) -> dict[str, int]:
        """Column index of each header name (lower case, stripped; the first one wins)."""
        found: dict[str, int] = {}
        for index, cell in enumerate(self.header):
            name = cell.text.lower()
            if name and name not in found:
                found[name] = index
        return found

    def cell(self, row: list[Cell], index: int) -> Cell:
        """Cell ``index`` of ``row``; a short row's missing cells are blank at their place."""
        if index < len(row):
            return row[index]
        first = row[0] if row else Cell(None)
        if first.ref is not None:
            sheet, _, reference = first.ref.rpartition("!")
            digits = "".join(ch for ch in reference if ch.isdigit())
            return Cell(None, ref=f"{sheet}!{column_letter(index + 1)}{digits}")
        return Cell(None, line=first.line, column=index + 1)


def column_letter(number: int) -> str:
    """Spreadsheet column letters of a 1-based column number (1 -> A, 28 -> AB)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def not_a_table_file(path: Path) -> str | None:
    """Why ``path`` cannot hold a table (``'no such file'``, ``'a folder'``, ``'a named pipe
    (FIFO)'``...), or None for a regular file (or one ``stat`` cannot look at: reading it
    then says why).

    Only ``stat`` is asked, so a FIFO is named without being opened (opening one blocks).
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "no such file"
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


SettingFinding = Callable[[str, str, str], Finding]
"""Makes a finding located at a setting of ``scireport.yaml`` that names the table:
``(setting, rule, message)``, where the setting is ``data`` (the path) or ``sheet``."""


def read_table(
    path: Path,
    shown: str,
    sheet: str | None = None,
    at_setting: SettingFinding | None = None,
) -> Table:
    """Read a ``.csv`` or ``.xlsx`` table; problems become findings, never exceptions.

    ``at_setting`` locates the findings that are about which file or sheet is read (too
    large a file, a sheet the workbook lacks) at the setting naming it; without it they
    name only the table's file.
    """

    def about_setting(setting: str, rule: str, message: str) -> Finding:
        if at_setting is not None:
            return at_setting(setting, rule, message)
        return table.finding(None, rule, message)

    table = Table(file=shown)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        table.findings.append(
            table.finding(
                None,
                "data-format",
                f"{path.suffix or 'a file without an ending'} is not a table format scireport"
                " reads: give a .csv (UTF-8) or .xlsx file",
            )
        )
        return table
    try:
        what = not_a_table_file(path)
        if what is not None:
            raise OSError(0, what if what == "no such file" else f"it is {what}")
        raw = read_limited(path, MAX_TABLE_BYTES)  # counted while reading; regular files only
    except FileTooLarge:
        message = (
            f"{shown} is over the {MAX_TABLE_BYTES:,}-byte limit, and a table of 50"
            " cities is a few kilobytes: check that this is the right file, and keep in"
            " it only the index's rows and columns"
        )
        table.findings.append(about_setting("data", "data-too-large", message))
        return table
    except UnsafeFile as exc:
        table.findings.append(table.finding(None, "data-unreadable", exc.message))
        return table
    except OSError as exc:
        table.findings.append(
            table.finding(None, "data-unreadable", f"cannot read the table: {exc.strerror or exc}")
        )
        return table
    if suffix == ".csv":
        _read_csv(raw, table)
    else:
        sheets = _read_xlsx(raw, table, sheet)
        if sheets is not None:
            message = (
                f"{shown} has no sheet {sheet!r} (its sheets: "
                + ", ".join(repr(name) for name in sheets)
                + "): name one of them, or remove the sheet: line to read the first sheet"
            )
            table.findings.append(about_setting("sheet", "data-sheet", message))
    return table


def _read_csv(raw: bytes, table: Table) -> None:
    """Fill ``table`` from CSV bytes (UTF-8, with or without a byte order mark)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        table.findings.append(
            table.finding(
                None,
                "data-encoding",
                "the CSV file is UTF-16; save it as 'CSV UTF-8' (comma delimited)",
            )
        )
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        table.findings.append(
            Finding(
                table.file,
                line,
                None,
                "",
                "data-encoding",
                "error",
                f"the CSV file is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}):"
                " save it as 'CSV UTF-8' (comma delimited)",
            )
        )
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for fields in reader:
            line = reader.line_num
            cells = [Cell(value, line=line, column=i + 1) for i, value in enumerate(fields)]
            _add_row(table, cells)
    except csv.Error as exc:
        table.findings.append(
            Finding(
                table.file,
                reader.line_num,
                None,
                "",
                "data-syntax",
                "error",
                f"the CSV file cannot be read here: {exc}",
            )
        )


def _read_xlsx(raw: bytes, table: Table, sheet: str | None) -> list[str] | None:
    """Fill ``table`` from XLSX bytes with openpyxl (values as last saved by the spreadsheet).

    Returns the workbook's sheet names when it has no sheet ``sheet`` (the table is then
    left empty), else None.
    """
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        reason = "not a spreadsheet" if isinstance(exc, zipfile.BadZipFile) else str(exc)
        table.findings.append(
            table.finding(
                None,
                "data-unreadable",
                f"cannot read the file as an XLSX workbook ({reason}):"
                " save it from the spreadsheet as .xlsx or .csv",
            )
        )
        return None
    names = values.sheetnames
    if sheet is not None and sheet not in names:
        values.close()
        return names
    name = sheet or names[0]
    table.where = name
    value_rows = [tuple(row) for row in values[name].iter_rows()]
    values.close()
    # A formula the spreadsheet saved no result for reads as an empty value: only then is
    # the workbook read a second time, for the formulas themselves (most tables have none).
    formulas = None
    if any(cell.value is None for row in value_rows for cell in row if _has_cell(cell)):
        formulas = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    stored = formulas[name].iter_rows() if formulas is not None else iter(())
    for value_row in value_rows:
        formula_row = next(stored, ())
        cells = []
        for position, cell in enumerate(value_row):
            coordinate = getattr(cell, "coordinate", None)
            if coordinate is None:  # an empty cell of a read-only sheet
                continue
            value = cell.value
            source = formula_row[position] if position < len(formula_row) else None
            written = getattr(source, "value", None)
            if value is None and isinstance(written, str) and written.startswith("="):
                value = _UncachedFormula(written)
            cells.append(Cell(_plain(value), ref=f"{name}!{coordinate}"))
        _add_row(table, _fill_gaps(cells, name))
    if formulas is not None:
        formulas.close()
    return None


def _has_cell(cell: object) -> bool:
    """Is ``cell`` a real cell of a read-only sheet (not the filler of an empty one)?"""
    return getattr(cell, "coordinate", None) is not None


class _UncachedFormula(str):
    """A formula cell whose result the file does not store."""


def _plain(value: object) -> CellValue:
    """An XLSX cell value as text or a number (dates and booleans as text)."""
    if value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    return str(value)


def _fill_gaps(cells: list[Cell], sheet: str) -> list[Cell]:
    """Put blank cells where a read-only row skipped empty ones, so indices are columns."""
    out: list[Cell] = []
    for cell in cells:
        assert cell.ref is not None
        reference = cell.ref.rpartition("!")[2]
        letters = "".join(ch for ch in reference if ch.isalpha())
        digits = reference[len(letters) :]
        number = 0
        for ch in letters:
            number = number * 26 + ord(ch) - ord("A") + 1
        while len(out) < number - 1:
            out.append(Cell(None, ref=f"{sheet}!{column_letter(len(out) + 1)}{digits}"))
        out.append(cell)
    return out


def _add_row(table: Table, cells: list[Cell]) -> None:
    """Append ``cells`` as the header (first) or a row; entirely blank rows are skipped."""
    if all(cell.blank for cell in cells):
        return
    if not table.header:
        table.header = cells
    else:
        table.rows.append(cells)


def is_formula_without_value(cell: Cell) -> bool:
    """Is ``cell`` a formula whose result the XLSX file does not store?"""
    return isinstance(cell.value, _UncachedFormula)


def number_in(cell: Cell) -> tuple[float | None, str | None]:
    """The number a cell holds, or why it holds none: ``(value, None)`` or ``(None, reason)``.

    A blank cell gives ``(None, None)``. Text is read as a number when it is one
    (``"4.5"``); a decimal comma gets advice.
    """
    if is_formula_without_value(cell):
        return None, (
            f"the formula {cell.value} has no stored result: open the file in the spreadsheet"
            " and save it again (or paste the values)"
        )
    if cell.blank:
        return None, None
    if isinstance(cell.value, (int, float)):
        value = float(cell.value)
    else:
        text = cell.text
        if len(text) > 40:
            return None, f"{text[:20]!r}... is not a number"
        try:
            value = float(text)
        except ValueError:
            hint = " (use a point for decimals)" if text.replace(",", ".", 1) != text else ""
            return None, f"{text!r} is not a number{hint}"
    if not math.isfinite(value):
        return None, f"{cell.text!r} is not a finite number"
    return value, None
