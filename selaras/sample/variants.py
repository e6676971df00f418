"""Seeded generator of sub kegiatan as agencies type them, for evaluation and benchmarks.

Takes real nomenclature items and produces Renja-like rows whose name and code are
damaged the way Renja drafts damage them: abbreviations (some the normaliser knows, some
it does not), typos, ALL CAPS / lower case, dropped words, PDF whitespace, and codes that
are outdated, mistyped, only at kegiatan level, written unpadded, or missing. The true
code of every row is kept, so top-1 / top-5 accuracy can be measured.

May import: pandas and the standard library. A fixture for the matcher's yardsticks
(selaras.evaluate.measure) and the benchmarks; no run executes it.
"""

from __future__ import annotations

import random
import re

import pandas as pd

# Agencies' abbreviations. Deliberately NOT all in abbreviations.yaml: the matcher must
# also cope with abbreviations it has never seen (char n-grams, IDF).
ABBREVIATIONS = {
    "Pembangunan": ["Pemb.", "Pembang."],
    "Rehabilitasi": ["Rehab", "Rehab."],
    "Pemeliharaan": ["Pemel.", "Pemeliharaan"],
    "Penyediaan": ["Peny.", "Penyed."],
    "Koordinasi": ["Koord.", "Kord."],
    "Pengembangan": ["Pengemb.", "Pengembang."],
    "Penyelenggaraan": ["Penyel.", "Penyelengg."],
    "Pelaksanaan": ["Pelaks.", "Pelak."],
    "Peningkatan": ["Peningk.", "Pen."],
    "Masyarakat": ["Masy.", "Mas."],
    "Pendidikan": ["Pend.", "Pddk."],
    "Kesehatan": ["Kes.", "Keseh."],
    "Pelayanan": ["Pelay.", "Pely."],
    "Kabupaten/Kota": ["Kab/Kota", "Kab./Kota"],
    "Provinsi": ["Prov.", "Prop."],
    "Perangkat Daerah": ["PD", "Perangkat Da."],
    "Sekolah Dasar": ["SD"],
    "Sekolah Menengah Pertama": ["SMP"],
    "Sekolah Menengah Atas": ["SMA"],
    "Teknologi Tepat Guna": ["TTG"],
    "Badan Usaha Milik Desa": ["BUMDes"],
    "Rumah Tidak Layak Huni": ["RTLH"],
    "dan": ["&", "dan"],
}
_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(_KEYS) + word[i + 1 :]


def vary_name(name: str, rng: random.Random) -> tuple[str, list[str]]:
    """A damaged copy of a name and the list of damages applied."""
    s = re.sub(r"\s+", " ", name).strip()
    applied = []
    for kind in rng.sample(["abbrev", "typo", "case", "drop", "space"], k=rng.choice([1, 2, 2, 3])):
        if kind == "abbrev":
            hits = [k for k in ABBREVIATIONS if re.search(rf"\b{re.escape(k)}\b", s, flags=re.I)]
            if hits:
                k = rng.choice(hits)
                s = re.sub(rf"\b{re.escape(k)}\b", rng.choice(ABBREVIATIONS[k]), s, count=1, flags=re.I)
                applied.append("abbrev")
        elif kind == "typo":
            words = s.split(" ")
            idx = [i for i, w in enumerate(words) if len(w) >= 5]
            if idx:
                i = rng.choice(idx)
                words[i] = _typo(words[i], rng)
                s = " ".join(words)
                applied.append("typo")
        elif kind == "case":
            s = rng.choice([s.upper(), s.lower(), s.title()])
            applied.append("case")
        elif kind == "drop":
            words = s.split(" ")
            if len(words) >= 4:
                del words[rng.randrange(1, len(words))]
                s = " ".join(words)
                applied.append("drop")
        elif kind == "space":
            words = s.split(" ")
            i = rng.randrange(len(words))
            words[i] = words[i] + rng.choice(["  ", "\n", "   "])
            s = " ".join(words).replace("  ", "    ", 1)
            applied.append("space")
    return s, applied


def _segments(code: str) -> list[str]:
    return code.split(".")


def vary_code(code: str, rng: random.Random, known: list[str]) -> tuple[str | None, str]:
    """A code as an agency may write it: (code or None, kind of damage)."""
    segs = _segments(code)
    if segs[0] == "X":  # the support programme is written with the agency's own bidang
        segs = [rng.choice(["1", "2", "3"]), f"{rng.randint(1, 20):02d}", *segs[2:]]
    real = ".".join(segs)
    kind = rng.choices(
        ["exact", "format", "outdated", "kegiatan", "mistyped", "missing"], weights=[25, 10, 20, 10, 10, 25]
    )[0]
    if kind == "exact":
        return real, kind
    if kind == "format":
        if len(segs) == 6:
            return " | ".join(
                [segs[0], str(int(segs[1])), str(int(segs[2])), f"{segs[3]}.{segs[4]}", str(int(segs[5]))]
            ), kind
        return real, kind
    if kind == "outdated" and len(segs) == 6:
        # the sub kegiatan renumbered (a new number, or one another item has now)
        siblings = [k for k in known if k.startswith(".".join(code.split(".")[:5]) + ".") and k != code]
        if siblings and rng.random() < 0.5:
            new_last = rng.choice(siblings).split(".")[-1]
        else:
            new_last = f"{int(segs[5]) + rng.randint(1, 9):04d}"
        return ".".join([*segs[:5], new_last]), kind
    if kind == "kegiatan" and len(segs) == 6:
        return ".".join(segs[:5]), kind
    if kind == "mistyped" and len(segs) == 6:
        digits = list(segs[5])
        i = rng.randrange(len(digits) - 1)
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
        if "".join(digits) == segs[5]:
            digits[-1] = str((int(digits[-1]) + 1) % 10)
        return ".".join([*segs[:5], "".join(digits)]), kind
    return None, "missing"


def nomenclature_variants(
    nomen: pd.DataFrame,
    n: int = 1000,
    seed: int = 2027,
    context_rate: float = 0.6,
    jenis_pemda: str | None = None,
) -> pd.DataFrame:
    """Renja-like rows (columns of staged.renja plus `kode_benar`, `nama_asli`, `damage`)
    built from `nomen` (columns kode_sub_kegiatan, nama_sub_kegiatan, kode_kegiatan,
    nama_kegiatan, jenis_pemda as in nomenklatur_2027_sub_kegiatan.csv). A Renja belongs to
    one region, so `jenis_pemda` (PROV / KABKOT) picks that government level's items."""
    rng = random.Random(seed)
    if jenis_pemda and "jenis_pemda" in nomen:
        nomen = nomen[nomen["jenis_pemda"].astype(str).str.upper() == jenis_pemda.upper()]
    items = nomen.drop_duplicates("kode_sub_kegiatan").reset_index(drop=True)
    known = items["kode_sub_kegiatan"].tolist()
    picks = rng.sample(range(len(items)), k=min(n, len(items)))
    rows = []
    for j, i in enumerate(picks):
        it = items.iloc[i]
        name, damage = vary_name(str(it["nama_sub_kegiatan"]), rng)
        code, code_kind = vary_code(str(it["kode_sub_kegiatan"]), rng, known)
        keg_nama = keg_kode = None
        if rng.random() < context_rate:  # a kegiatan group row above it in the sheet
            keg_nama = (
                vary_name(str(it["nama_kegiatan"]), rng)[0]
                if rng.random() < 0.5
                else str(it["nama_kegiatan"])
            )
            keg_kode = (
                ".".join((code or str(it["kode_sub_kegiatan"])).replace(" | ", ".").split(".")[:5])
                if code and code_kind != "format"
                else None
            )
        rows.append(
            {
                "row_ref": f"varian.xlsx:Renja:{j + 2}",
                "source_file": "varian.xlsx",
                "sheet": "Renja",
                "source_row": j + 2,
                "opd": None,
                "kode_raw": code,
                "kode": None,
                "nama": name,
                "kegiatan_kode": keg_kode,
                "kegiatan_nama": keg_nama,
                "kode_benar": it["kode_sub_kegiatan"],
                "nama_asli": it["nama_sub_kegiatan"],
                "damage": "+".join(damage + [f"kode:{code_kind}"]),
            }
        )
    return pd.DataFrame(rows)
