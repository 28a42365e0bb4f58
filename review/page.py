"""The review as one static HTML page: counts, a chart over time (inline SVG, no script),
the same figures as a table, and the groups with their example questions.

Every customer text is escaped; the page loads nothing from elsewhere, so it can be
saved, mailed or served by the monitor as it is.
"""

from __future__ import annotations

from html import escape

from review.report import Review
from review.sources import KINDS, LABELS

# Colours told apart by people with the common colour-vision deficiencies (Okabe-Ito).
COLOURS = dict(zip(KINDS, ("#009E73", "#E69F00", "#56B4E9", "#D55E00", "#CC79A7"), strict=True))
# The plot on the left, its legend on the right, one line a kind.
WIDTH, HEIGHT, MARGIN, LEGEND = 820, 240, 40, 260


def chart(review: Review) -> str:
    """One line per kind over the period's days, in SVG."""
    kinds = list(KINDS)
    days = review.days
    top = max([1, *(n for k in kinds for n in review.per_day[k])])
    step = (WIDTH - LEGEND - 2 * MARGIN) / max(1, len(days) - 1)

    def x(i: int) -> float:
        return MARGIN + i * step

    def y(n: int) -> float:
        return HEIGHT - MARGIN - n * (HEIGHT - 2 * MARGIN) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'style="width: 100%; max-width: {WIDTH}px; height: auto" role="img" '
        'aria-labelledby="chart-title">',
        '<title id="chart-title">Questions a day, by outcome</title>',
        f'<line x1="{MARGIN}" y1="{y(0)}" x2="{x(len(days) - 1)}" y2="{y(0)}" stroke="#555"/>',
        f'<line x1="{MARGIN}" y1="{y(0)}" x2="{MARGIN}" y2="{y(top)}" stroke="#555"/>',
        f'<text x="{MARGIN - 6}" y="{y(top) + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{MARGIN - 6}" y="{y(0) + 4}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, day in enumerate(days):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - MARGIN + 16}" text-anchor="middle" '
            f'font-size="11">{day:%d %b}</text>'
        )
    for n, kind in enumerate(kinds):
        points = " ".join(f"{x(i):.1f},{y(c):.1f}" for i, c in enumerate(review.per_day[kind]))
        colour = COLOURS[kind]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        parts += [
            f'<circle cx="{x(i):.1f}" cy="{y(c):.1f}" r="3" fill="{colour}"/>'
            for i, c in enumerate(review.per_day[kind])
        ]
        legend_y = MARGIN + n * 20
        parts.append(
            f'<rect x="{WIDTH - LEGEND + 10}" y="{legend_y - 9}" width="10" height="10" '
            f'fill="{colour}"/><text x="{WIDTH - LEGEND + 26}" y="{legend_y}" font-size="12" '
            f'fill="#222">{escape(LABELS[kind])}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def table(review: Review) -> str:
    """The chart's figures, for anyone who cannot see it."""
    kinds = list(KINDS)
    head = "".join(f'<th scope="col">{escape(LABELS[k])}</th>' for k in kinds)
    rows = [
        f'<tr><th scope="row">{day:%a %d %b}</th>'
        + "".join(f"<td>{review.per_day[k][i]}</td>" for k in kinds)
        + "</tr>"
        for i, day in enumerate(review.days)
    ]
    return (
        f'<table><caption>Questions a day</caption><tr><th scope="col">Day</th>{head}</tr>'
        + "".join(rows)
        + "</table>"
    )


def groups(review: Review) -> str:
    parts = []
    for kind in KINDS:
        found = review.of_kind(kind)
        if not found:
            continue
        parts.append(f"<h2>{escape(LABELS[kind].capitalize())}, by nearest clause</h2><ul>")
        for group in found:
            examples = "".join(f"<li>“{escape(e)}”</li>" for e in group.examples)
            comments = "".join(f"<li>looking for: {escape(c)}</li>" for c in group.comments)
            parts.append(
                f"<li><strong>{group.count}</strong> · {escape(group.where)}"
                f"<ul>{examples}{comments}</ul></li>"
            )
        parts.append("</ul>")
    return "\n".join(parts)


def as_html(review: Review) -> str:
    totals = " · ".join(f"{escape(LABELS[k])}: {review.totals[k]}" for k in KINDS)
    period = f"{review.start:%Y-%m-%d %H:%M} to {review.end:%Y-%m-%d %H:%M} UTC"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Jessops privacy assistant: review of {review.end:%Y-%m-%d}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #bbb; padding: .2rem .6rem; text-align: right; }}
li {{ margin: .2rem 0; }}
</style>
</head>
<body>
<main>
<h1>What customers asked</h1>
<p>{period}</p>
<p>{totals}</p>
<figure>{chart(review)}<figcaption>Questions a day, by outcome</figcaption></figure>
{table(review)}
{groups(review)}
</main>
</body>
</html>
"""
