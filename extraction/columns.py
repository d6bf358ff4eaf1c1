"""One mapped field over a chunk of rows: cleaned once per distinct input, taken back to rows.

``values.clean`` reads a few input paths of a row (a column, a template's slots, an address's
components, a phone's region column) and nothing else, so its result is a function of those
inputs. Each input column is dictionary-encoded (Arrow's ``dictionary_encode`` for strings, a
type-keyed dict for anything else), the codes of several inputs are combined into one per row,
the unchanged Python cleaner runs on one small row per distinct combination, and the rows get
their result through an index (``inverse``). A bounded cache carries results across chunks, so a
customer's phone or address is parsed and HMAC-ed once per load, not once per order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from extraction.mapping import FieldSpec
from extraction.pseudonymise import Pseudonymiser
from extraction.values import _SLOT, MISSING, clean, lookup

# Distinct inputs remembered per field across chunks; a field over this (order ids, timestamps)
# is nearly unique per row, so forgetting it costs little and bounds memory at any scale.
CACHE_VALUES = 200_000


class Failed:
    """A cleaner's exception for one distinct input, raised again for each row that reaches it."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error

    def raise_again(self) -> None:
        if isinstance(self.error, ValueError):
            raise ValueError(str(self.error))  # a fresh one per row, as the per-record path has
        raise self.error


def _objects(items: list[Any]) -> np.ndarray:
    """A 1-D object array of ``items`` (numpy would turn a list of tuples into a 2-D array)."""
    arr = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        arr[i] = item
    return arr


@dataclass
class FieldColumn:
    """``results[inverse[row]]`` is the cleaned value (or ``Failed``) of the field in ``row``."""

    results: np.ndarray
    inverse: np.ndarray

    def at(self, row: int) -> Any:
        return self.results[self.inverse[row]]

    def rows(self, per_distinct: Callable[[Any], Any]) -> list[Any]:
        """``per_distinct`` applied once per distinct result, then taken to every row."""
        return _objects([per_distinct(r) for r in self.results])[self.inverse].tolist()

    def mask(self, test: Callable[[Any], bool]) -> np.ndarray:
        """Rows whose result passes ``test`` (evaluated once per distinct result)."""
        flags = np.fromiter((test(r) for r in self.results), dtype=bool, count=len(self.results))
        return flags[self.inverse]


def inputs(spec: FieldSpec) -> list[str]:
    """Every path ``values.clean`` reads for ``spec``, each once, in a fixed order."""
    paths = [spec.field] if spec.field else []
    paths += list((spec.components or {}).values())
    if spec.template is not None:
        paths += [m.group(1) for m in _SLOT.finditer(spec.template)]
    paths += [p for p in (spec.region_field, spec.currency_field) if p]
    return list(dict.fromkeys(paths))


def _column(rows: list[dict[str, Any]], path: str) -> list[Any]:
    if "." not in path:
        return [r.get(path, MISSING) for r in rows]
    return [lookup(r, path) for r in rows]


_EXACT_TYPES = frozenset({pa.string(), pa.null(), pa.int64(), pa.bool_()})


Encoded = tuple[np.ndarray, list[Any], bool]


def encode(values: list[Any]) -> Encoded:
    """``(code per row, distinct values, cacheable)``. Strings (and blanks, which every cleaner
    treats alike as absent) go through Arrow; anything else through a dict keyed by type and
    value (1, 1.0 and True differ there), each unhashable value its own code."""
    blanked = [None if v is MISSING else v for v in values]
    try:
        arr: pa.Array | None = pa.array(blanked)
    except (pa.ArrowException, UnicodeError, OverflowError):
        arr = None
    # Strings, integers and booleans come back from Arrow as the same Python values; a double
    # column may hold ints that Arrow made floats ("10" vs "10.0" once cleaned), so not those.
    if arr is not None and arr.type in _EXACT_TYPES:
        encoded = pc.dictionary_encode(arr, null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, encoded.dictionary.to_pylist(), True
    index: dict[Any, int] = {}
    uniques: list[Any] = []
    out = np.empty(len(values), dtype=np.int64)
    hashable = True
    for i, v in enumerate(blanked):
        try:
            code = index.setdefault((type(v), v), len(uniques))
        except TypeError:  # a dict or list: cleaned for this row alone
            code, hashable = len(uniques), False
            uniques.append(v)
        else:
            if code == len(uniques):
                uniques.append(v)
        out[i] = code
    return out, uniques, hashable


def combine(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(inverse, first row of each distinct combination)`` for per-row codes of columns."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    radix = 1
    for codes in columns:
        size = int(codes.max()) + 1 if len(codes) else 1
        if radix * size >= 2**62:  # too many combinations for one integer: rank rows instead
            stacked = np.stack(columns, axis=1)
            _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
            return inverse.reshape(-1), first
        key = key + codes * radix
        radix *= size
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse.reshape(-1), first


def _put(mini: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` ("a.b") in a nested dict so that ``lookup(mini, path)`` returns ``value``."""
    if value is None:
        return  # absent and null clean alike (values._blank)
    *parents, last = path.split(".")
    node = mini
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


class FieldCleaner:
    """One field of one source: cleans the distinct inputs of each chunk, remembering them."""

    def __init__(self, spec: FieldSpec, pseudonymiser: Pseudonymiser | None) -> None:
        self.spec = spec
        self.pseudonymiser = pseudonymiser
        self.paths = inputs(spec)
        nested = any(a != b and b.startswith(a + ".") for a in self.paths for b in self.paths)
        # Per row, uncached: a cleaned list must not be shared between rows, and a mini-row
        # cannot hold both "a" and "a.b".
        self.rowwise = spec.type == "list" or nested
        self.cache: dict[tuple[tuple[type, Any], ...], Any] = {}
        self.calls = 0

    def _clean(self, row: dict[str, Any]) -> Any:
        self.calls += 1
        try:
            return clean(self.spec, row, self.pseudonymiser)
        except Exception as exc:  # raised again only for rows whose assembly reaches it
            return Failed(exc)

    def column(
        self, rows: list[dict[str, Any]], encodings: dict[str, Encoded] | None = None
    ) -> FieldColumn:
        """The field over ``rows``; ``encodings`` shares each input path's encoding between
        the fields of a chunk that read it (an e-mail column feeds a profile and a key)."""
        shared = {} if encodings is None else encodings
        if self.rowwise:
            return FieldColumn(_objects([self._clean(r) for r in rows]), np.arange(len(rows)))
        if not self.paths:  # a constant template such as "webshop"
            return FieldColumn(_objects([self._clean({})]), np.zeros(len(rows), dtype=np.int64))
        encoded = [
            shared[p] if p in shared else shared.setdefault(p, encode(_column(rows, p)))
            for p in self.paths
        ]
        cacheable = all(ok for _, _, ok in encoded)
        inverse, firsts = combine([codes for codes, _, _ in encoded])
        # Plain lists: indexing a numpy array per distinct value is several times slower.
        picked = [[uniques[c] for c in codes[firsts].tolist()] for codes, uniques, _ in encoded]
        results = [self._distinct(values, cacheable) for values in zip(*picked, strict=True)]
        return FieldColumn(_objects(results), inverse)

    def _distinct(self, values: tuple[Any, ...], cacheable: bool) -> Any:
        key = tuple((type(v), v) for v in values) if cacheable else ()  # 1, 1.0, True differ
        if cacheable and key in self.cache:
            return self.cache[key]
        mini: dict[str, Any] = {}
        for path, value in zip(self.paths, values, strict=True):
            _put(mini, path, value)
        result = self._clean(mini)
        if cacheable:
            if len(self.cache) >= CACHE_VALUES:
                self.cache.clear()
            self.cache[key] = result
        return result
