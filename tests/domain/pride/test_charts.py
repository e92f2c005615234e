"""Chart geometry: bars and points in proportion, hidden figures drawn as nothing."""

from __future__ import annotations

from domain.pride.charts import bar_chart, line_chart


def test_bars_are_in_proportion_and_a_hidden_figure_has_no_bar():
    chart = bar_chart([("Race", 10), ("Sex", 5), ("Age", None), ("Disability", 0)])
    race, sex, age, disability = chart["bars"]
    assert race.width == 2 * sex.width > 0 and age.width == 0 and disability.width == 0
    assert chart["top"] == 10 and race.width == chart["plot_width"]
    assert [b.y for b in chart["bars"]] == sorted(b.y for b in chart["bars"])


def test_the_line_skips_hidden_points():
    chart = line_chart([("2022/23", 4), ("2023/24", None), ("2024/25", 8)])
    first, hidden, last = chart["points"]
    assert hidden.y is None and chart["path"].count(",") == 2
    assert last.y < first.y  # higher figures are nearer the top
    assert chart["ticks"][0]["value"] == 0 and chart["ticks"][-1]["value"] >= 8


def test_an_empty_chart_still_has_an_axis():
    assert line_chart([("2026/27", 0)])["ticks"][-1]["value"] == 1
    assert bar_chart([])["bars"] == []
