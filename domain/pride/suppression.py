"""Small-number suppression for figures shown outside one school's own view.

A count from 1 to ``THRESHOLD - 1`` is *primary* suppressed ("fewer than 5"). A table is shown with
its row and column totals, so hiding one cell of a row is not enough: the total minus the rest gives
it back. *Secondary* suppression hides more cells until no hidden cell can be worked out from the
figures shown.

The table with its totals is a bipartite graph: one node per row (the totals row included) and per
column (the totals column included), one edge per cell. Every row and column is a linear equation
(its cells sum to its total), so a hidden cell is recoverable exactly when its edge is a *bridge* of
the graph of hidden cells (in no cycle). :func:`suppress` first applies the usual line rule (a row or
column never has exactly one hidden entry), then closes any remaining bridge with the cheapest
four-cell cycle. Zero counts are shown (they identify nobody) but may be hidden as secondary cells,
preferred last.
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5

SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"


@dataclass(frozen=True)
class Cell:
    """One figure as shown: ``value`` (None when hidden) and its ``state`` (shown, primary, secondary)."""

    value: int | None
    state: str

    @property
    def hidden(self) -> bool:
        return self.state != SHOWN


@dataclass(frozen=True)
class Table:
    """A suppressed table: ``cells[r][c]``, ``row_totals[r]``, ``column_totals[c]`` and ``total``."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell


def is_small(value: int) -> bool:
    """True for a count that must not be shown (1 to THRESHOLD - 1)."""
    return 0 < value < THRESHOLD


def _extended(counts: list[list[int]]) -> list[list[int]]:
    """The counts with a totals column and a totals row (the grand total in the corner)."""
    table = [[*row, sum(row)] for row in counts]
    width = len(table[0]) if table else 1
    table.append([sum(row[c] for row in table) for c in range(width)])
    return table


def _cost(value: int) -> tuple[int, int]:
    """Which cell to hide next: the smallest non-zero first, zeros last."""
    return (value == 0, value)


def _line_rule(values: list[list[int]], hidden: set[tuple[int, int]]) -> None:
    rows, cols = len(values), len(values[0])
    lines = [[(r, c) for c in range(cols)] for r in range(rows)] + [[(r, c) for r in range(rows)] for c in range(cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [p for p in line if p in hidden]
            if len(inside) != 1:
                continue
            choices = [p for p in line if p not in hidden]
            if choices:
                hidden.add(min(choices, key=lambda p: _cost(values[p[0]][p[1]])))
                changed = True


def _bridges(rows: int, cols: int, hidden: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Hidden cells in no cycle of the hidden-cell graph (row node r, column node rows + c): the cells
    whose removal leaves their row and column unconnected. Fine for the few dozen hidden cells of a
    report table."""
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for r, c in hidden:
        adjacency.setdefault(r, []).append((rows + c, (r, c)))
        adjacency.setdefault(rows + c, []).append((r, (r, c)))
    return [edge for edge in sorted(hidden) if not _connected_without(adjacency, edge, edge[0], rows + edge[1])]


def _connected_without(adjacency: dict, removed: tuple[int, int], start: int, goal: int) -> bool:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for nxt, edge in adjacency[node]:
            if edge == removed or nxt in seen:
                continue
            if nxt == goal:
                return True
            seen.add(nxt)
            todo.append(nxt)
    return False


def _close_cycle(values: list[list[int]], hidden: set[tuple[int, int]], cell: tuple[int, int]) -> None:
    """Hide the cheapest other three cells that make a four-cell cycle through ``cell``."""
    r, c = cell
    best = None
    for k in range(len(values)):
        if k == r:
            continue
        for col in range(len(values[0])):
            if col == c:
                continue
            extra = [p for p in ((r, col), (k, col), (k, c)) if p not in hidden]
            cost = (len([p for p in extra if values[p[0]][p[1]] == 0]), sum(values[p[0]][p[1]] for p in extra))
            if best is None or cost < best[0]:
                best = (cost, extra)
    if best:
        hidden.update(best[1])


def hidden_cells(counts: list[list[int]]) -> dict[tuple[int, int], str]:
    """Which cells of the extended table (counts plus a totals column and row) to hide, and why.

    Keys are ``(row, column)`` of the extended table; values PRIMARY or SECONDARY.
    """
    values = _extended(counts)
    rows, cols = len(values), len(values[0])
    primary = {(r, c) for r in range(rows) for c in range(cols) if is_small(values[r][c])}
    hidden = set(primary)
    _line_rule(values, hidden)
    if rows > 1 and cols > 1:
        for _ in range(rows * cols):
            bridges = _bridges(rows, cols, hidden)
            if not bridges:
                break
            _close_cycle(values, hidden, bridges[0])
            _line_rule(values, hidden)
    return {p: PRIMARY if p in primary else SECONDARY for p in hidden}


def suppress(counts: list[list[int]]) -> Table:
    """The table of ``counts`` (rows of equal length, at least one row and column) with its totals,
    suppressed: no count from 1 to 4 is shown and none can be worked out from what is shown."""
    values = _extended(counts)
    hidden = hidden_cells(counts)

    def cell(r: int, c: int) -> Cell:
        state = hidden.get((r, c), SHOWN)
        return Cell(None if state != SHOWN else values[r][c], state)

    rows, cols = len(counts), len(counts[0])
    return Table(
        cells=[[cell(r, c) for c in range(cols)] for r in range(rows)],
        row_totals=[cell(r, cols) for r in range(rows)],
        column_totals=[cell(rows, c) for c in range(cols)],
        total=cell(rows, cols),
    )


def suppress_list(counts: list[int]) -> tuple[list[Cell], Cell]:
    """A one-column list (e.g. incidents by location) with its total: ``(cells, total)``.

    One equation (the figures sum to the total): hiding two or more figures, or the total, leaves none
    recoverable, so a lone small figure takes the next smallest with it.
    """
    total = sum(counts)
    hidden = {i: PRIMARY for i, n in enumerate(counts) if is_small(n)}
    total_state = PRIMARY if is_small(total) else SHOWN
    if total_state == SHOWN and len(hidden) == 1:
        choices = [i for i in range(len(counts)) if i not in hidden]
        if choices:
            hidden[min(choices, key=lambda i: (_cost(counts[i]), i))] = SECONDARY
        else:
            total_state = SECONDARY
    cells = [Cell(None, hidden[i]) if i in hidden else Cell(n, SHOWN) for i, n in enumerate(counts)]
    return cells, Cell(None if total_state != SHOWN else total, total_state)


def unsuppressed(counts: list[list[int]]) -> Table:
    """The same shape with every figure shown (one school's own view, or the LA's audited drill-down)."""
    values = _extended(counts)
    rows, cols = len(counts), len(counts[0])
    return Table(
        cells=[[Cell(values[r][c], SHOWN) for c in range(cols)] for r in range(rows)],
        row_totals=[Cell(values[r][cols], SHOWN) for r in range(rows)],
        column_totals=[Cell(values[rows][c], SHOWN) for c in range(cols)],
        total=Cell(values[rows][cols], SHOWN),
    )
