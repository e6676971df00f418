"""The summary report: one self-contained HTML file (inline CSS and SVG, no scripts, no
outside resources) that planners can open, print or mail. Every text from the data is
escaped."""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape

from selaras.report import svg
from selaras.report.data import ReportData
from selaras.report.svg import fmt_int, fmt_pct, fmt_rupiah

GREEN, LIGHT_GREEN, AMBER, RED, GREY, BLUE = "#2E7D32", "#81C784", "#F9A825", "#C62828", "#B0BEC5", "#1565C0"
USULAN_SERIES = [("terakomodir", GREEN), ("perlu review", AMBER), ("tidak terakomodir", RED)]
RENJA_SERIES = [
    ("selaras", GREEN),
    ("selaras (nama)", LIGHT_GREEN),
    ("perlu review", AMBER),
    ("tidak selaras", RED),
]
MAX_BARS = 40
CHANGE_LABEL = {
    "new": "baru",
    "removed": "hilang",
    "changed": "isi berubah",
    "status_changed": "status berubah",
    "target_changed": "pasangan berubah",
}
ENTITY_LABEL = {"renja": "Baris Renja", "usulan": "Usulan"}
STATUS_LABEL = {
    "selaras_nama": "selaras (nama)",
    "perlu_review": "perlu review",
    "tidak_selaras": "tidak selaras",
    "tidak_terakomodir": "tidak terakomodir",
}

CSS = """
body{font-family:'Segoe UI',Roboto,Arial,sans-serif;color:#222;margin:0;background:#f4f6f8}
main{max-width:980px;margin:0 auto;padding:24px 28px;background:#fff}
h1{font-size:24px;margin:0 0 4px;color:#1F4E79}h2{font-size:18px;margin:32px 0 6px;color:#1F4E79;
border-bottom:2px solid #1F4E79;padding-bottom:4px}p.sub{color:#666;margin:0 0 18px}
p.note{color:#555;font-size:13px;margin:4px 0 10px}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}
.card{border:1px solid #dde3ea;border-radius:8px;padding:10px 14px;background:#fafbfc}
.card .v{font-size:24px;font-weight:600}.card .l{font-size:13px;color:#555}
.good{color:#2E7D32}.warn{color:#B26A00}.bad{color:#C62828}
table{border-collapse:collapse;font-size:13px;margin:8px 0;width:100%}
th{background:#1F4E79;color:#fff;text-align:left;padding:5px 8px}
td{border-bottom:1px solid #e3e7eb;padding:4px 8px;vertical-align:top}td.n{text-align:right;white-space:nowrap}
svg{display:block;margin:6px 0}footer{color:#777;font-size:12px;margin-top:30px}
@media print{body{background:#fff}main{padding:0}h2{break-after:avoid}svg,table{break-inside:avoid}}
"""


def _rate_rows(data: ReportData, dimension: str) -> list[tuple[str, list[float], float, int]]:
    ix = data.rates.index
    rows = []
    for r in data.rates.rows:
        if r[ix["dimensi"]] == dimension:
            counts = [r[ix["terakomodir"]], r[ix["perlu_review"]], r[ix["tidak_terakomodir"]]]
            label = str(r[ix["nilai"]])
            if dimension == "kecamatan" and not label.startswith("("):
                label = label.title()
            rows.append((label, counts, r[ix["persen_terakomodir"]] or 0.0, r[ix["jumlah"]]))
    return sorted(rows, key=lambda x: (x[2], x[0]))


def _rate_chart(rows: list[tuple[str, list[float], float, int]], title: str) -> str:
    note = ""
    if len(rows) > MAX_BARS:
        half = MAX_BARS // 2
        note = (
            f'<p class="note">{len(rows)} {escape(title.lower())}: ditampilkan {half} dengan tingkat '
            f"akomodasi terendah dan {half} tertinggi; semuanya ada di export/accommodation_rate.csv.</p>"
        )
        rows = rows[:half] + [("⋯", [0, 0, 0], 0, 0)] + rows[-half:]
    chart = svg.stacked(
        [(label, counts) for label, counts, _, _ in rows],
        USULAN_SERIES,
        lambda v: f"{fmt_pct(100 * v[0] / sum(v))} dari {fmt_int(sum(v))}" if sum(v) else "",
        title,
    )
    return note + chart


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _card(value: str, label: str, tone: str = "") -> str:
    return f'<div class="card"><div class="v {tone}">{escape(value)}</div><div class="l">{escape(label)}</div></div>'


def _tone(pct: float | None, good: float = 80, fair: float = 50) -> str:
    if pct is None:
        return ""
    return "good" if pct >= good else "warn" if pct >= fair else "bad"


def _cards(data: ReportData) -> list[str]:
    """The heading and the headline figures."""
    ri, ui, ki, pi = data.renja.index, data.usulan.index, data.rkpd.index, data.pagu.index
    renja_status = Counter(r[ri["status"]] for r in data.renja.rows)
    usulan_status = Counter(u[ui["status"]] for u in data.usulan.rows)
    n_renja, n_usulan, n_rkpd = len(data.renja.rows), len(data.usulan.rows), len(data.rkpd.rows)
    covered = sum(1 for k in data.rkpd.rows if k[ki["tercakup"]])
    pct_selaras = (
        100 * (renja_status["selaras"] + renja_status["selaras_nama"]) / n_renja if n_renja else None
    )
    pct_akomodasi = 100 * usulan_status["terakomodir"] / n_usulan if n_usulan else None
    pct_cover = 100 * covered / n_rkpd if n_rkpd else None
    pagu_renja = sum(p[pi["pagu_renja"]] or 0 for p in data.pagu.rows)
    has_pagu = any(p[pi["pagu_renja"]] is not None for p in data.pagu.rows)  # Renja files may lack pagu
    pagu_rkpd = sum(p[pi["pagu_indikatif"]] or 0 for p in data.pagu.rows)
    qi = data.quarantine.index
    quarantined = sum(q[qi["jumlah"]] for q in data.quarantine.rows if q[qi["severity"]] == "error")
    review = renja_status["perlu_review"] + usulan_status["perlu_review"]

    return [
        f"<h1>Keselarasan Renja – RKPD dan Akomodasi Usulan</h1>"
        f'<p class="sub">Tahun rencana {escape(str(data.tahun or "-"))} · dibuat '
        f"{data.generated_at:%d-%m-%Y %H:%M} · run {escape(data.run_id)}</p>",
        '<div class="cards">',
        _card(
            fmt_pct(pct_akomodasi),
            f"usulan terakomodir ({fmt_int(usulan_status['terakomodir'])} dari {fmt_int(n_usulan)})",
            _tone(pct_akomodasi, 70, 40),
        ),
        _card(
            fmt_pct(pct_selaras),
            f"baris Renja selaras dengan RKPD ({fmt_int(n_renja)} baris)",
            _tone(pct_selaras),
        ),
        _card(
            fmt_pct(pct_cover),
            f"item RKPD dicakup Renja ({fmt_int(covered)} dari {fmt_int(n_rkpd)})",
            _tone(pct_cover),
        ),
        _card(
            fmt_rupiah(pagu_renja) if has_pagu else "pagu tidak tersedia",
            f"pagu Renja; pagu indikatif RKPD {fmt_rupiah(pagu_rkpd)}",
            ("bad" if pagu_renja > pagu_rkpd else "good") if has_pagu else "warn",
        ),
        _card(fmt_int(review), "baris perlu review (lihat processed/review/)", "warn" if review else "good"),
        _card(fmt_int(quarantined), "baris dikarantina saat validasi", "bad" if quarantined else "good"),
        "</div>",
    ]


def _rates(data: ReportData) -> list[str]:
    """Accommodation rates per OPD, kecamatan and channel."""
    parts: list[str] = []
    parts.append('<h2>Akomodasi usulan per OPD</h2><p class="note">Urut dari tingkat akomodasi terendah.</p>')
    parts.append(_rate_chart(_rate_rows(data, "opd"), "OPD"))
    parts.append("<h2>Akomodasi usulan per kecamatan</h2>")
    parts.append(_rate_chart(_rate_rows(data, "kecamatan"), "Kecamatan"))
    parts.append("<h2>Akomodasi per jalur usulan</h2>")
    parts.append(
        _rate_chart(
            [
                (r[0].replace("pokir", "Pokir DPRD").replace("musrenbang", "Musrenbang"), *r[1:])
                for r in _rate_rows(data, "channel")
            ],
            "Jalur",
        )
    )

    return parts


def _coverage(data: ReportData) -> list[str]:
    """RKPD coverage per regional priority."""
    parts: list[str] = []
    ci = data.coverage.index
    parts.append("<h2>Cakupan RKPD per prioritas daerah</h2>")
    parts.append(
        svg.stacked(
            [
                (str(c[ci["prioritas"]]), [c[ci["tercakup"]], c[ci["belum_tercakup"]]])
                for c in data.coverage.rows
            ],
            [("tercakup Renja", GREEN), ("belum tercakup", RED)],
            lambda v: f"{fmt_pct(100 * v[0] / sum(v))} dari {fmt_int(sum(v))} item" if sum(v) else "",
            "Cakupan RKPD per prioritas",
        )
    )

    return parts


def _renja_by_opd(data: ReportData) -> list[str]:
    """Renja alignment per OPD."""
    ri = data.renja.index
    parts: list[str] = []
    parts.append("<h2>Keselarasan Renja per OPD</h2>")
    by_opd: dict[str, Counter] = defaultdict(Counter)
    for r in data.renja.rows:
        by_opd[r[ri["opd_forum"]]][r[ri["status"]]] += 1
    renja_rows = sorted(
        by_opd.items(), key=lambda kv: -(kv[1]["selaras"] + kv[1]["selaras_nama"]) / sum(kv[1].values())
    )
    parts.append(
        svg.stacked(
            [
                (opd, [c["selaras"], c["selaras_nama"], c["perlu_review"], c["tidak_selaras"]])
                for opd, c in renja_rows[:80]
            ],
            RENJA_SERIES,
            lambda v: f"{fmt_pct(100 * (v[0] + v[1]) / sum(v))} selaras" if sum(v) else "",
            "Keselarasan Renja per OPD",
        )
    )

    return parts


def _pagu(data: ReportData) -> list[str]:
    """Renja ceilings against the RKPD indicative ceilings."""
    pi = data.pagu.index
    over = [p for p in data.pagu.rows if p[pi["melebihi_pagu"]]]
    parts: list[str] = []
    parts.append("<h2>Pagu Renja terhadap pagu indikatif RKPD</h2>")
    per_opd: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for p in data.pagu.rows:
        per_opd[p[pi["opd"]]][0] += p[pi["pagu_renja"]] or 0
        per_opd[p[pi["opd"]]][1] += p[pi["pagu_indikatif"]] or 0
    pagu_rows = sorted(per_opd.items(), key=lambda kv: -(kv[1][0] - kv[1][1]))[:MAX_BARS]
    parts.append(
        svg.paired(
            [(opd, a, b) for opd, (a, b) in pagu_rows],
            ("pagu Renja", "pagu indikatif RKPD"),
            (BLUE, GREY, RED),
            "Pagu per OPD",
        )
    )
    if over:
        over.sort(key=lambda p: -(p[pi["selisih"]] or 0))
        parts.append(
            f'<p class="note">{fmt_int(len(over))} program melebihi pagu indikatif'
            f"{' (20 selisih terbesar)' if len(over) > 20 else ''}:</p>"
        )
        parts.append(
            _table(
                ["OPD", "Program", "Pagu Renja", "Pagu indikatif", "Selisih"],
                [
                    [
                        str(p[pi["opd"]]),
                        f"{p[pi['program_kode']]} {p[pi['program_nama']] or ''}",
                        fmt_rupiah(p[pi["pagu_renja"]] or 0),
                        fmt_rupiah(p[pi["pagu_indikatif"]] or 0),
                        fmt_rupiah(p[pi["selisih"]] or 0),
                    ]
                    for p in over[:20]
                ],
                {2, 3, 4},
            )
        )
    else:
        parts.append('<p class="note">Tidak ada program yang melebihi pagu indikatif.</p>')

    return parts


def _validation(data: ReportData) -> list[str]:
    """Quarantined and flagged rows per kind and rule."""
    qi = data.quarantine.index
    parts: list[str] = []
    parts.append("<h2>Validasi: baris dikarantina dan ditandai</h2>")
    by_kind: dict[str, Counter] = defaultdict(Counter)
    by_rule: Counter = Counter()
    messages: dict[str, str] = {}
    for q in data.quarantine.rows:
        by_kind[q[qi["kind"]]][q[qi["severity"]]] += q[qi["jumlah"]]
        by_rule[(q[qi["rule"]], q[qi["severity"]])] += q[qi["jumlah"]]
        messages.setdefault(q[qi["rule"]], q[qi["message"]])
    if by_kind:
        parts.append(
            svg.stacked(
                [(kind, [c["error"], c["warning"]]) for kind, c in sorted(by_kind.items())],
                [("galat (dikarantina)", RED), ("peringatan", AMBER)],
                lambda v: f"{fmt_int(v[0])} galat, {fmt_int(v[1])} peringatan",
                "Karantina per jenis berkas",
            )
        )
        parts.append(
            _table(
                ["Aturan", "Tingkat", "Baris", "Contoh pesan"],
                [
                    [rule, "galat" if sev == "error" else "peringatan", fmt_int(n), messages[rule]]
                    for (rule, sev), n in by_rule.most_common(15)
                ],
                {2},
            )
        )
    else:
        parts.append('<p class="note">Tidak ada baris yang dikarantina atau ditandai.</p>')

    return parts


def render(data: ReportData, files: list[str]) -> str:
    parts = [
        *_cards(data),
        *_rates(data),
        *_coverage(data),
        *_renja_by_opd(data),
        *_pagu(data),
        *_validation(data),
    ]
    parts.append(_changes(data))
    parts.append(_review_section(data))
    parts.append(
        "<footer>Berkas keluaran: "
        + escape(", ".join(files))
        + ". Dibuat oleh selaras. Angka dalam format Indonesia (titik pemisah ribuan).</footer>"
    )
    return (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Laporan keselarasan {escape(str(data.tahun or ''))}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>"
    )


def _changes(data: ReportData) -> str:
    out = ["<h2>Perubahan sejak run sebelumnya</h2>"]
    if not data.previous_run:
        out.append(
            '<p class="note">Belum ada run sebelumnya yang berhasil: perubahan akan tampil mulai run '
            "berikutnya.</p>"
        )
        return "".join(out)
    xi = data.changes.index
    counts = Counter((c[xi["entity"]], c[xi["change"]]) for c in data.changes.rows)
    out.append(f'<p class="note">Dibandingkan dengan run {escape(data.previous_run)}.</p>')
    if not counts:
        out.append('<p class="note">Tidak ada perubahan.</p>')
        return "".join(out)
    colours = {
        "new": BLUE,
        "removed": GREY,
        "changed": AMBER,
        "status_changed": RED,
        "target_changed": LIGHT_GREEN,
    }
    out.append(
        svg.bars(
            [
                (f"{ENTITY_LABEL.get(e, e)}: {CHANGE_LABEL.get(ch, ch)}", n, colours.get(ch, BLUE))
                for (e, ch), n in sorted(counts.items())
            ],
            fmt_int,
            "Perubahan",
        )
    )
    status_changes = [
        c
        for c in data.changes.rows
        if c[xi["status_changed"]] and c[xi["change"]] != "new" and c[xi["change"]] != "removed"
    ]
    if status_changes:
        out.append(
            f'<p class="note">Perubahan status ({fmt_int(len(status_changes))}'
            f"{', 50 pertama' if len(status_changes) > 50 else ''}; semuanya di export/run_changes.csv):</p>"
        )
        out.append(
            _table(
                ["Jenis", "Baris", "OPD", "Sebelum", "Sesudah"],
                [
                    [
                        ENTITY_LABEL.get(c[xi["entity"]], c[xi["entity"]]),
                        str(c[xi["label"]] or c[xi["ref"]]),
                        str(c[xi["opd"]] or ""),
                        _status(c[xi["status_before"]]),
                        _status(c[xi["status_after"]]),
                    ]
                    for c in status_changes[:50]
                ],
            )
        )
    return "".join(out)


def _status(status: str | None) -> str:
    return STATUS_LABEL.get(status, status or "-")


def _review_section(data: ReportData) -> str:
    pi = data.review_problems.index
    rows = data.review_problems.rows
    out = ["<h2>Workbook review dari perencana</h2>"]
    if not rows:
        out.append('<p class="note">Tidak ada masalah pada workbook review yang dibaca.</p>')
        return "".join(out)
    out.append(
        f'<p class="note">{fmt_int(len(rows))} masalah{" (30 pertama)" if len(rows) > 30 else ""}; '
        "keputusan lain tetap diterapkan.</p>"
    )
    out.append(
        _table(
            ["Berkas", "Lembar", "Baris", "Masalah"],
            [
                [
                    str(r[pi["source_file"]]),
                    str(r[pi["sheet"]] or ""),
                    str(r[pi["source_row"]] or ""),
                    str(r[pi["message"]]),
                ]
                for r in rows[:30]
            ],
            {2},
        )
    )
    return "".join(out)
