"""Small inline-SVG charts for the summary report: horizontal bars, 100 % stacked bars
and paired bars. No plotting library: the report stays one self-contained file, and a
chart of 40 OPDs is a few kilobytes of text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

LABEL_W = 290
VALUE_W = 160
ROW_H = 22
BAR_H = 14
FONT = "font-family:'Segoe UI',Roboto,Arial,sans-serif;font-size:12px"


def fmt_int(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def fmt_pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def fmt_rupiah(value: float) -> str:
    """Short rupiah as planners say it: 12,5 M (miliar), 750,0 jt (juta), 1,2 T (triliun)."""
    sign = "−" if value < 0 else ""
    value = abs(value)
    for div, unit in ((1e12, "T"), (1e9, "M"), (1e6, "jt")):
        if value >= div:
            return (
                f"{sign}Rp {value / div:,.1f}".replace(",", "#").replace(".", ",").replace("#", ".")
                + f" {unit}"
            )
    return f"{sign}Rp {fmt_int(value)}"


def _label(text: str, y: float, max_chars: int = 39) -> str:
    short = text if len(text) <= max_chars else text[: max_chars - 1] + "…"
    return (
        f'<text x="{LABEL_W - 8}" y="{y}" text-anchor="end" dominant-baseline="middle">'
        f"<title>{escape(text)}</title>{escape(short)}</text>"
    )


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" style="{FONT}">'
        + "".join(body)
        + "</svg>"
    )


def legend(series: Sequence[tuple[str, str]], y: float = 10) -> list[str]:
    out, x = [], LABEL_W
    for name, colour in series:
        out.append(
            f'<rect x="{x}" y="{y - 6}" width="12" height="12" fill="{colour}" rx="2"/>'
            f'<text x="{x + 17}" y="{y}" dominant-baseline="middle">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return out


def stacked(
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[tuple[str, str]],
    right: Callable[[Sequence[float]], str],
    title: str,
    width: int = 900,
) -> str:
    """One 100 % bar per row, split by series; `right` labels each bar."""
    bar_w = width - LABEL_W - VALUE_W
    top = 26
    body = legend(series)
    for i, (label, values) in enumerate(rows):
        y = top + i * ROW_H
        body.append(_label(label, y + BAR_H / 2))
        total = sum(values) or 1
        x = float(LABEL_W)
        for (name, colour), v in zip(series, values, strict=True):
            w = bar_w * v / total
            if w > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}">'
                    f"<title>{escape(label)}: {escape(name)} {fmt_int(v)}</title></rect>"
                )
            x += w
        body.append(
            f'<text x="{LABEL_W + bar_w + 8}" y="{y + BAR_H / 2}" dominant-baseline="middle">'
            f"{escape(right(values))}</text>"
        )
    return _svg(width, top + len(rows) * ROW_H + 4, body, title)


def bars(
    rows: Sequence[tuple[str, float, str]], fmt: Callable[[float], str], title: str, width: int = 900
) -> str:
    """Horizontal bars, each (label, value, colour), scaled to the largest."""
    bar_w = width - LABEL_W - VALUE_W
    top = 6
    biggest = max((v for _, v, _ in rows), default=0) or 1
    body = []
    for i, (label, value, colour) in enumerate(rows):
        y = top + i * ROW_H
        w = bar_w * value / biggest
        body.append(_label(label, y + BAR_H / 2))
        body.append(
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
        )
        body.append(
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + BAR_H / 2}" dominant-baseline="middle">'
            f"{escape(fmt(value))}</text>"
        )
    return _svg(width, top + len(rows) * ROW_H + 4, body, title)


def paired(
    rows: Sequence[tuple[str, float, float]],
    names: tuple[str, str],
    colours: tuple[str, str, str],
    title: str,
    width: int = 900,
) -> str:
    """Two bars per row (value, ceiling); the value bar turns `colours[2]` above its ceiling."""
    bar_w = width - LABEL_W - VALUE_W
    top = 26
    row_h = 30
    biggest = max((max(a, b) for _, a, b in rows), default=0) or 1
    body = legend([(names[0], colours[0]), (names[1], colours[1]), (names[0] + " melebihi pagu", colours[2])])
    for i, (label, value, ceiling) in enumerate(rows):
        y = top + i * row_h
        body.append(_label(label, y + 11))
        over = value > ceiling
        for j, (v, colour) in enumerate(((value, colours[2] if over else colours[0]), (ceiling, colours[1]))):
            w = bar_w * v / biggest
            yy = y + j * 11
            body.append(
                f'<rect x="{LABEL_W}" y="{yy}" width="{w:.1f}" height="10" fill="{colour}">'
                f"<title>{escape(label)}: {escape(names[j])} {escape(fmt_rupiah(v))}</title></rect>"
            )
        diff = value - ceiling
        if not ceiling:
            note = "tanpa pagu RKPD"
        elif over:
            note = f"lebih {fmt_rupiah(diff)}"
        else:
            note = f"sisa {fmt_rupiah(-diff)}"
        body.append(
            f'<text x="{LABEL_W + bar_w + 8}" y="{y + 11}" dominant-baseline="middle" '
            f'fill="{colours[2] if over else "#333"}">{escape(note)}</text>'
        )
    return _svg(width, top + len(rows) * row_h + 4, body, title)
