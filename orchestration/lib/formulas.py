"""Cells of an .xlsx/.xlsm sheet that hold a formula but no saved value.

A workbook keeps each formula's last result beside it, and readers read that result. A
file written by a program that does not calculate (a script, some exports) may leave the
result out: the reader then sees an empty cell, and a status or an answer would be read
as blank. The contract makes such a cell an error, so it is found here, from the sheet's
XML. Only these formats can hold one: .xls and .xlsb always save a formula's result, and
.ods readers are given the cell's value.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)
_REFERENCE = re.compile(rb'\br="([A-Z]+)(\d+)"')


def formulas_without_values(source: Path | bytes, sheet: str) -> list[tuple[int, int]]:
    """(spreadsheet row, column index) of each such cell of `sheet`, the column counted
    from the sheet's first column that holds a value, as the reader counts it; empty for
    a workbook that is not .xlsx/.xlsm or whose sheet holds no formula."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as book:
            part = _sheet_part(book, sheet)
            if part is None:
                return []
            xml = book.read(part)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return []
    if b"<f" not in xml:
        return []
    missing: list[tuple[int, int]] = []
    first_column: int | None = None
    for attributes, _, inner in _CELL.findall(xml):
        reference = _REFERENCE.search(attributes)
        if reference is None:
            continue
        row, column = int(reference.group(2)), _column_number(reference.group(1))
        has_value = inner is not None and (b"<v" in inner or b"<is" in inner)
        if has_value:
            first_column = column if first_column is None else min(first_column, column)
        elif inner and b"<f" in inner:
            missing.append((row, column))
    # A column left of every value is not in the reader's grid, so it cannot be read.
    offset = first_column or 0
    return [(row, column - offset) for row, column in missing if column >= offset]


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding `sheet`, through the workbook's relationships."""
    if "xl/workbook.xml" not in book.namelist():
        return None
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    relation = next(
        (
            element.get(_RELATIONSHIP)
            for element in workbook.iter(f"{_MAIN}sheet")
            if element.get("name") == sheet
        ),
        None,
    )
    if relation is None:
        return None
    relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for element in relations:
        if element.get("Id") == relation:
            target = element.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _column_number(letters: bytes) -> int:
    """`A` -> 0, `Z` -> 25, `AA` -> 26."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number - 1
