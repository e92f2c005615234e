"""Suppression: no count from 1 to 4 is shown, and no hidden cell can be worked out from the figures shown.

The recovery check is independent of the module's graph reasoning: it writes every row and column of the
table (cells sum to their total) as linear equations in the hidden cells and asks, by exact Gaussian
elimination, whether any hidden cell is fixed by them.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from domain.pride.suppression import PRIMARY, SECONDARY, suppress, suppress_list


def _extended(table):
    rows = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    rows.append([*table.column_totals, table.total])
    return rows


def _rank(matrix):
    m = [row[:] for row in matrix]
    rank, cols = 0, len(m[0]) if m else 0
    for col in range(cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][col] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][col] != 0:
                factor = m[r][col] / m[rank][col]
                m[r] = [a - factor * b for a, b in zip(m[r], m[rank], strict=True)]
        rank += 1
    return rank


def recoverable(counts, table) -> list[tuple[int, int]]:
    """Hidden cells of the extended table whose value the shown figures' equations fix."""
    shown = _extended(table)
    rows, cols = len(shown), len(shown[0])
    unknowns = [(r, c) for r in range(rows) for c in range(cols) if shown[r][c].hidden]
    if not unknowns:
        return []
    index = {p: i for i, p in enumerate(unknowns)}
    equations = []
    # each counts row: its cells minus its total = 0; each column likewise (the totals row and column too)
    for r in range(rows):
        eq = [Fraction(0)] * len(unknowns)
        for c in range(cols):
            if (r, c) in index:
                eq[index[(r, c)]] += -1 if c == cols - 1 else 1
        equations.append(eq)
    for c in range(cols):
        eq = [Fraction(0)] * len(unknowns)
        for r in range(rows):
            if (r, c) in index:
                eq[index[(r, c)]] += -1 if r == rows - 1 else 1
        equations.append(eq)
    base = _rank(equations)
    fixed = []
    for p, i in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[i] = Fraction(1)
        if _rank([*equations, unit]) == base:
            fixed.append(p)
    return fixed


def _check(counts):
    table = suppress(counts)
    for row, cells in zip(counts, table.cells, strict=True):
        for value, cell in zip(row, cells, strict=True):
            assert cell.hidden or not 0 < value < 5
            assert cell.hidden or cell.value == value
    assert recoverable(counts, table) == [], counts
    return table


def test_a_single_small_cell_takes_a_second_one_with_it():
    table = _check([[3, 10, 20], [12, 15, 30]])
    assert table.cells[0][0].state == PRIMARY
    hidden = [(r, c) for r, row in enumerate(table.cells) for c, cell in enumerate(row) if cell.hidden]
    assert len(hidden) >= 4 and any(table.cells[r][c].state == SECONDARY for r, c in hidden)


def test_nothing_small_nothing_hidden():
    table = _check([[5, 10], [7, 9]])
    assert all(not cell.hidden for row in table.cells for cell in row)
    assert table.total.value == 31


def test_zero_is_shown():
    table = _check([[0, 10], [7, 9]])
    assert table.cells[0][0].value == 0


def test_a_small_total_is_hidden_too():
    table = _check([[1, 1, 0], [20, 30, 40]])
    assert table.row_totals[0].hidden


def test_a_list_with_one_small_figure_hides_another():
    cells, total = suppress_list([2, 30, 40, 8])
    assert cells[0].state == PRIMARY and [c.state for c in cells][3] == SECONDARY
    assert total.value == 80
    as_table = suppress.__globals__["Table"]([[c] for c in cells], [*cells], [total], total)
    assert recoverable([[n] for n in [2, 30, 40, 8]], as_table) == []


@pytest.mark.parametrize("counts", [[2, 0, 0], [3], [1, 2], [0, 9, 4, 12], [6, 7]])
def test_lists_leave_nothing_recoverable(counts):
    cells, total = suppress_list(counts)
    as_table = suppress.__globals__["Table"]([[c] for c in cells], [*cells], [total], total)
    assert all(c.hidden or not 0 < c.value < 5 for c in cells)
    assert recoverable([[n] for n in counts], as_table) == []


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_leave_nothing_recoverable(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 7), rng.randint(1, 6)
    counts = [[rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(cols)] for _ in range(rows)]
    _check(counts)


def test_the_check_itself_catches_a_recoverable_cell():
    """Guard on the test: hiding only the one small cell would be recoverable, and the check says so."""
    from domain.pride.suppression import SHOWN, Cell, Table

    counts = [[3, 10], [12, 15]]
    table = Table(
        cells=[[Cell(None, PRIMARY), Cell(10, SHOWN)], [Cell(12, SHOWN), Cell(15, SHOWN)]],
        row_totals=[Cell(13, SHOWN), Cell(27, SHOWN)],
        column_totals=[Cell(15, SHOWN), Cell(25, SHOWN)],
        total=Cell(40, SHOWN),
    )
    assert recoverable(counts, table) == [(0, 0)]
