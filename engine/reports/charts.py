"""Charts rendered on the server as SVG strings: no JavaScript, no CDN, printable.

Each chart has a <title> and <desc> (read by screen readers), every bar or point carries
its value as text, and colours are not the only carrier of meaning.

* `bar_chart(labels, values, title)` — generic horizontal-label bar chart of rates 0..1;
* `ontime_rate_chart(report, clock)` — on-time rate per group of an `OntimeReport`
  (by month or by department), with the Wilson interval drawn as a whisker;
* `backlog_chart(points, title)` — line of the overdue backlog over time
  (feed it `ontime.overdue_backlog(...)`).
"""
from __future__ import annotations

from datetime import date
from html import escape

from engine.language.numbers import format_number, format_percent
from engine.reports.ontime import CLOCK_LABELS, OntimeReport

W, H = 720, 320
PAD_L, PAD_R, PAD_T, PAD_B = 56, 16, 40, 72
BAR = "#2b6cb0"
LINE = "#c53030"


def _svg(title: str, desc: str, body: list[str], width: int = W, height: int = H) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d" font-family="sans-serif" font-size="11">'
            f'<title id="t">{escape(title)}</title><desc id="d">{escape(desc)}</desc>'
            f'<rect width="{width}" height="{height}" fill="#fff"/>'
            f'<text x="{width / 2:.0f}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>'
            + "".join(body) + "</svg>")


def _axes(ymax_label: str, ymid_label: str, width: int = W, height: int = H) -> list[str]:
    x0, y0, y1 = PAD_L, height - PAD_B, PAD_T
    return [f'<line x1="{x0}" y1="{y0}" x2="{width - PAD_R}" y2="{y0}" stroke="#000"/>',
            f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#000"/>',
            f'<line x1="{x0}" y1="{(y0 + y1) / 2:.1f}" x2="{width - PAD_R}" y2="{(y0 + y1) / 2:.1f}" stroke="#ccc" stroke-dasharray="3 3"/>',
            f'<text x="{x0 - 6}" y="{y1 + 4}" text-anchor="end">{escape(ymax_label)}</text>',
            f'<text x="{x0 - 6}" y="{(y0 + y1) / 2 + 4:.1f}" text-anchor="end">{escape(ymid_label)}</text>',
            f'<text x="{x0 - 6}" y="{y0 + 4}" text-anchor="end">0</text>']


def bar_chart(labels: list[str], values: list[float | None], title: str, intervals: list | None = None,
              counts: list[int] | None = None, lang: str = "vi") -> str:
    """Bars of rates in [0, 1]; None draws no bar and says "—"."""
    n = max(len(labels), 1)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    slot = plot_w / n
    bw = max(min(slot * 0.6, 60), 2)
    body = _axes(format_percent(1, lang, 0), format_percent(0.5, lang, 0))
    desc = []
    for i, (label, v) in enumerate(zip(labels, values)):
        cx = PAD_L + slot * (i + 0.5)
        text = format_percent(v, lang, 0, blank="—")
        desc.append(f"{label}: {text}" + (f" (n={counts[i]})" if counts else ""))
        if v is not None:
            h = plot_h * v
            body.append(f'<rect x="{cx - bw / 2:.1f}" y="{H - PAD_B - h:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                        f'fill="{BAR}"><title>{escape(desc[-1])}</title></rect>')
        if intervals and intervals[i]:
            lo, hi = intervals[i]
            ylo, yhi = H - PAD_B - plot_h * lo, H - PAD_B - plot_h * hi
            body.append(f'<line x1="{cx:.1f}" y1="{ylo:.1f}" x2="{cx:.1f}" y2="{yhi:.1f}" stroke="#000"/>'
                        f'<line x1="{cx - 4:.1f}" y1="{yhi:.1f}" x2="{cx + 4:.1f}" y2="{yhi:.1f}" stroke="#000"/>'
                        f'<line x1="{cx - 4:.1f}" y1="{ylo:.1f}" x2="{cx + 4:.1f}" y2="{ylo:.1f}" stroke="#000"/>')
        ytext = H - PAD_B - (plot_h * v if v is not None else 0) - 4
        body.append(f'<text x="{cx:.1f}" y="{max(ytext, PAD_T + 10):.1f}" text-anchor="middle">{escape(text)}</text>')
        body.append(f'<text x="{cx:.1f}" y="{H - PAD_B + 14}" text-anchor="end" '
                    f'transform="rotate(-35 {cx:.1f} {H - PAD_B + 14})">{escape(label[:28])}</text>')
    return _svg(title, "; ".join(desc) or "—", body)


def ontime_rate_chart(report: OntimeReport, clock: str = "resolution", lang: str = "vi") -> str:
    """On-time rate per row of `report` (build it with by='month' or by='department')."""
    rows = [r for r in report.rows if r.clock == clock]
    by = {"month": ("theo tháng", "by month"), "department": ("theo phòng ban", "by department"),
          "unit": ("theo đơn vị", "by unit"), "category": ("theo lĩnh vực", "by category")}.get(report.by, ("", ""))
    clock_label = CLOCK_LABELS[clock][1 if lang == "en" else 0]
    title = (f"On-time rate — {clock_label} {by[1]}" if lang == "en"
             else f"Tỷ lệ đúng hạn — {clock_label} {by[0]}")
    labels = [r.label if report.by != "department" else (r.key or "") for r in rows]
    return bar_chart(labels, [r.rate for r in rows], title, [r.interval for r in rows], [r.judged for r in rows],
                     lang=lang)


def backlog_chart(points: list[tuple[date, int]], title: str | None = None, lang: str = "vi") -> str:
    """A line of the number of overdue open clocks at each date."""
    title = title or ("Số việc quá hạn chưa xử lý theo thời gian" if lang != "en" else "Overdue backlog over time")
    n = len(points)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    top = max([v for _, v in points] + [1])
    body = _axes(format_number(top, lang), format_number(top / 2, lang))
    coords, desc = [], []
    for i, (d, v) in enumerate(points):
        x = PAD_L + (plot_w * (i + 0.5) / max(n, 1))
        y = H - PAD_B - plot_h * v / top
        coords.append(f"{x:.1f},{y:.1f}")
        label = d.strftime("%d/%m/%Y")
        desc.append(f"{label}: {v}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}"><title>{label}: {v}</title></circle>')
        body.append(f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle">{v}</text>')
        body.append(f'<text x="{x:.1f}" y="{H - PAD_B + 14}" text-anchor="end" '
                    f'transform="rotate(-35 {x:.1f} {H - PAD_B + 14})">{label}</text>')
    if coords:
        body.insert(len(body) - 3 * n, f'<polyline points="{" ".join(coords)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    return _svg(title, "; ".join(desc) or "—", body)
