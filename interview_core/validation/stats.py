"""Rank correlation and rater agreement, in plain Python: the corpus is a few hundred answers,
and the validity figures must not depend on an optional scientific stack.

Ties get average ranks (Spearman) and the tau-b correction (Kendall), because ratings are
coarse 1..5 levels and engines often tie. A correlation over constant values is undefined:
``None``, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            out[order[position]] = shared
        start = end + 1
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    _same_length(x, y)
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's r of the average ranks."""
    _same_length(x, y)
    return pearson(ranks(x), ranks(y))


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Kendall's tau-b (O(n²): fine for a question's twenty answers or a few hundred)."""
    _same_length(x, y)
    concordant = discordant = ties_x = ties_y = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return None if denominator == 0 else (concordant - discordant) / denominator


def icc_2_1(table: Sequence[Sequence[float]]) -> float | None:
    """ICC(2,1) of Shrout & Fleiss (1979): two-way random effects, absolute agreement, one
    rater. ``table`` has one row per rated target and one column per rater."""
    n = len(table)
    k = len(table[0]) if table else 0
    if n < 2 or k < 2 or any(len(row) != k for row in table):
        return None
    grand = sum(sum(row) for row in table) / (n * k)
    row_means = [sum(row) / k for row in table]
    col_means = [sum(row[j] for row in table) / n for j in range(k)]
    msr = k * sum((m - grand) ** 2 for m in row_means) / (n - 1)
    msc = n * sum((m - grand) ** 2 for m in col_means) / (k - 1)
    sse = sum(
        (table[i][j] - row_means[i] - col_means[j] + grand) ** 2 for i in range(n) for j in range(k)
    )
    mse = sse / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    return None if denominator == 0 else (msr - mse) / denominator


def weighted_kappa(a: Sequence[int], b: Sequence[int], levels: Sequence[int]) -> float | None:
    """Cohen's kappa with quadratic weights: a 1-vs-5 disagreement costs 16 times a 1-vs-2."""
    _same_length(a, b)
    index = {level: i for i, level in enumerate(levels)}
    size, n = len(levels), len(a)
    if n == 0:
        return None
    observed = [[0.0] * size for _ in range(size)]
    for x, y in zip(a, b, strict=True):
        observed[index[x]][index[y]] += 1
    row = [sum(observed[i]) for i in range(size)]
    col = [sum(observed[i][j] for i in range(size)) for j in range(size)]
    weight = [[(i - j) ** 2 / (size - 1) ** 2 for j in range(size)] for i in range(size)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(size) for j in range(size))
    chance = sum(weight[i][j] * row[i] * col[j] / n for i in range(size) for j in range(size))
    return None if chance == 0 else 1 - disagreement / chance


def _same_length(x: Sequence[object], y: Sequence[object]) -> None:
    if len(x) != len(y):
        raise ValueError(f"{len(x)} values against {len(y)}")
