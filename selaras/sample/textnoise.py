"""How people actually type planning text: abbreviations, typos, capitals, stray spaces,
Indonesian money and decimals, and the many spellings of a Permendagri 90 code. Every
function takes the caller's random.Random, so output is deterministic per seed.

May import: selaras.sample.catalog only.
"""

from __future__ import annotations

import random
import re

from selaras.sample.catalog import Desa, Kec

# Full form -> what agencies and citizens write instead. Applied a few at a time.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("Pembangunan", "Pemb."),
    ("Rehabilitasi", "Rehab"),
    ("Pemeliharaan", "Pemel."),
    ("Teknologi Tepat Guna", "TTG"),
    ("Badan Usaha Milik Desa", "BUMDes"),
    ("Penerangan Jalan Umum", "PJU"),
    ("Tembok Penahan Tanah", "TPT"),
    ("Mandi Cuci Kakus", "MCK"),
    ("Kecamatan", "Kec."),
    ("Kabupaten", "Kab."),
    ("Peningkatan", "Peningk."),
    ("Koordinasi", "Koord."),
    ("Penyediaan", "Penyed."),
    ("Perangkat Daerah", "PD"),
    ("Sumber Daya Manusia", "SDM"),
    ("Sekolah Menengah Atas", "SMA"),
    ("Kesehatan", "Kes."),
    ("Pelaksanaan", "Pelaks."),
    (" dan ", " & "),
)


def abbreviate(text: str, rng: random.Random, max_n: int = 2) -> str:
    hits = [(full, short) for full, short in ABBREVIATIONS if full in text]
    for full, short in rng.sample(hits, min(max_n, len(hits))):
        text = text.replace(full, short, 1)
    return text


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip in one longer word: swapped, dropped or doubled letter."""
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == "drop":
        w = w[:j] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def double_space(text: str, rng: random.Random) -> str:
    spaces = [m.start() for m in re.finditer(" ", text)]
    if not spaces:
        return text
    k = rng.choice(spaces)
    return text[:k] + "  " + text[k + 1 :]


def noisy(text: str, rng: random.Random, level: float = 1.0) -> str:
    """A name as an agency types it; `level` scales how likely each slip is (0 = clean)."""
    if rng.random() < 0.25 * level:
        text = abbreviate(text, rng)
    if rng.random() < 0.10 * level:
        text = typo(text, rng)
    if rng.random() < 0.10 * level:
        text = double_space(text, rng)
    if rng.random() < 0.08 * level:
        text = text.upper()
    if rng.random() < 0.05 * level:
        text = text + " "
    return text


# --- numbers ---------------------------------------------------------------------------


def thousands(n: int) -> str:
    return f"{abs(n):,}".replace(",", ".")


def rupiah(n: int, style: str) -> str:
    """Money as Indonesian text: `Rp 1.250.000.000,00`, `1.250.000.000`, `Rp.100 jt` ..."""
    sign = "-" if n < 0 else ""
    body = thousands(n)
    if style == "rp_cents":
        return f"{sign}Rp {body},00"
    if style == "dots":
        return f"{sign}{body}"
    if style == "rp":
        return f"{sign}Rp{body}"
    if style == "rp_dot":
        return f"{sign}Rp. {body}"
    if style == "dots_cents":
        return f"{sign}{body},00"
    if style == "spaced":
        return f" {sign}{body} "
    if style == "jt" and n % 1_000_000 == 0:
        return f"{sign}Rp.{abs(n) // 1_000_000} jt"
    return f"{sign}{body}"


def id_decimal(x: float) -> str:
    """0.96 -> '0,96'; whole numbers without decimals."""
    if float(x).is_integer():
        return thousands(int(x))
    return f"{x:.2f}".rstrip("0").replace(".", ",")


# --- codes -----------------------------------------------------------------------------


def unpadded(kode: str) -> str:
    """`1.03.10.1.01.0009` -> `1.3.10.1.1.9` (each segment without leading zeros)."""
    return ".".join(str(int(p)) if p.isdigit() else p for p in kode.split("."))


def split_code(kode: str | None) -> list[int | str | None]:
    """Code over five columns, unpadded: `3.27.03.1.01.0001` -> [3, 27, 3, '1.01', 1]."""
    if not kode:
        return [None] * 5
    p = kode.split(".")
    cells: list[int | str | None] = [None] * 5
    cells[0] = int(p[0]) if p[0].isdigit() else p[0]
    if len(p) > 1:
        cells[1] = int(p[1]) if p[1].isdigit() else p[1]
    if len(p) > 2:
        cells[2] = int(p[2])
    if len(p) > 4:
        cells[3] = f"{p[3]}.{p[4]}"
    if len(p) > 5:
        cells[4] = int(p[5])
    return cells


def lower_x(kode: str) -> str:
    """Support programme code as copied from the nomenclature: `x.xx.01.1.01.0001`."""
    return "x.xx" + kode[len(".".join(kode.split(".")[:2])) :]


def mistype(kode: str, rng: random.Random, known: set[str]) -> str:
    """A slip in the lower part of a code that yields a code that does not exist: urusan,
    bidang and program stay right, the kegiatan usually does."""
    p = kode.split(".")
    sub = p[5]
    options = [
        ".".join(p[:5] + [sub[:2] + sub[3] + sub[2]]),  # 0019 -> 0091
        ".".join(p[:5] + [f"{int(sub) + 1:04d}"]),  # 0019 -> 0020
        ".".join(p[:5] + [f"{int(sub) + 10:04d}"]),  # 0009 -> 0019
    ]
    rng.shuffle(options)
    if rng.random() < 0.25:
        options.insert(0, ".".join(p[:4] + [p[4][::-1]] + [sub]))  # kegiatan 01 -> 10
    for o in options:
        if o not in known and o != kode:
            return o
    return ".".join(p[:5] + ["9" + sub[1:]])


# --- places ----------------------------------------------------------------------------


def desa_label(desa: Desa, rng: random.Random, style: str | None = None) -> str:
    style = style or rng.choice(("ds", "ds", "desa", "bare", "upper"))
    kind_short, kind_long = ("Kel.", "Kelurahan") if desa.kelurahan else ("Ds.", "Desa")
    return {
        "ds": f"{kind_short} {desa.nama}",
        "desa": f"{kind_long} {desa.nama}",
        "bare": desa.nama,
        "upper": desa.nama.upper(),
    }[style]


def kec_label(kec: Kec, rng: random.Random, style: str | None = None) -> str:
    style = style or rng.choice(("kec", "kec", "kecamatan", "bare", "upper"))
    return {
        "kec": f"Kec. {kec.nama}",
        "kecamatan": f"Kecamatan {kec.nama}",
        "bare": kec.nama,
        "upper": kec.nama.upper(),
    }[style]


def alamat(kampung: str, rng: random.Random) -> str:
    """A citizen's address: `Kp. Cipetir RT 02 RW 12` in its usual spellings."""
    rt, rw = rng.randint(1, 9), rng.randint(1, 15)
    return rng.choice(
        (
            f"Kp. {kampung} RT {rt:02d} RW {rw:02d}",
            f"Kp. {kampung} RT {rt:03d}/RW {rw:03d}",
            f"Kampung {kampung} Rt.{rt:02d} Rw.{rw:02d}",
            f"KP. {kampung.upper()} RT.{rt}/{rw}",
            f"Kp {kampung} Rt {rt:02d}/ Rw {rw:02d}",
        )
    )
