"""Hot swap: the provider that serves requests is one reference, replaced only by a fully built
successor.

``HotSwapProvider`` answers every ``ModelProvider`` call by reading ``self.current`` once, so a
request sees either the old provider or the new one, never a mixture. A reload (``POST
/admin/reload``, or a changed ``<task>/latest`` noticed by a cheap ``readlink`` at most every
few seconds, rebuilt on a background thread) builds the new provider completely first; if any
artefact is missing files, truncated, of another format or schema, the error is logged and
kept in ``last_error`` and the old provider keeps serving.

The checkout cleaner and the order writer are built by the composition root (``cartograph
serve``) and passed through: this package never reads the pseudonym secret or the mapping itself.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from api.concurrency import CpuSlots
from api.models import LiveProvider
from api.orders import CheckoutCleaner, OrderWriter
from api.provider import ModelProvider, RiskKind, StoredScoresProvider
from api.schemas import LinkPair, LinkScore, OrderIn, Recommendations, Risk
from cartograph.errors import CartographError, GraphMismatchError
from cartograph.settings import Settings
from gnn.artefacts import Artefact, load_artefact
from gnn.fingerprint import check_graph
from graph.async_query import AsyncReader
from graph.connection import Driver

log = logging.getLogger(__name__)
TASKS = ("recommend", "fraud")
CHECK_EVERY_S = 2.0


def load_latest(models_dir: Path, task: str) -> Artefact | None:
    """The task's ``latest`` artefact, ``None`` when none was trained; raises ``ArtefactError``
    when broken. (No link is the normal state before training, so it is checked, not caught.)"""
    latest = models_dir / task / "latest"
    if not latest.exists():
        return None
    return load_artefact(latest.resolve())


def latest_targets(models_dir: Path) -> tuple[str, ...]:
    """Where each task's ``latest`` points: the cheap change detector."""
    out = []
    for task in TASKS:
        try:
            out.append(os.readlink(models_dir / task / "latest"))
        except OSError:
            out.append("")
    return tuple(out)


def build_live(
    settings: Settings,
    driver: Driver,
    cleaner: CheckoutCleaner | None = None,
    writer: OrderWriter | None = None,
    reader: AsyncReader | None = None,
    cpu: CpuSlots | None = None,
) -> ModelProvider:
    """A ``LiveProvider`` on the latest artefacts of ``settings.train.models_dir``; raises
    ``GraphMismatchError`` (E610) when one was trained on another graph (``gnn.fingerprint``)."""
    rec = load_latest(settings.train.models_dir, "recommend")
    fraud = load_latest(settings.train.models_dir, "fraud")
    for art in (rec, fraud):
        if art is not None:
            check_graph(art.manifest, driver, settings.neo4j.database)
    provider = LiveProvider(
        driver, settings.neo4j.database, settings.api.query_timeout_s, rec, fraud, cleaner, writer,
        reader, cpu,
    )  # fmt: skip
    log.info(
        "models loaded: %s", {t: a.version for t, a in (("recommend", rec), ("fraud", fraud)) if a}
    )
    return provider


class HotSwapProvider:
    """Delegates to the current provider; ``reload`` swaps in a new one or keeps the old.

    ``refused`` holds the ``GraphMismatchError`` of the last build that found a model trained
    on another graph: ``/admin/reload`` answers it (409), and while it stands from start-up (no
    model for this graph has served yet) ``/ready`` reports it (503)."""

    def __init__(
        self,
        build: Callable[[], ModelProvider],
        watch: Callable[[], object],
        fallback: Callable[[], ModelProvider],
        check_every_s: float = CHECK_EVERY_S,
    ) -> None:
        self._build, self._watch, self.check_every_s = build, watch, check_every_s
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.refused: GraphMismatchError | None = None
        self.serving_models = False  # a build succeeded: trained models for this graph serve
        self._seen = watch()
        self._next_check = time.monotonic() + check_every_s
        try:
            self.current: ModelProvider = build()
            self.serving_models = True
        except (CartographError, OSError) as exc:
            self._failed(exc)
            log.error("cannot load the models, serving stored scores: %s", exc)
            self.current = fallback()

    def _failed(self, exc: Exception) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        self.refused = exc if isinstance(exc, GraphMismatchError) else None

    def reload(self) -> tuple[bool, str | None]:
        """Build a new provider and swap it in; on failure keep the old one (logged)."""
        with self._lock:
            seen = self._watch()
            try:
                new = self._build()
            except (CartographError, OSError) as exc:
                self._seen = seen  # do not retry the same broken artefact on every request
                self._failed(exc)
                log.error("model reload failed, the old models keep serving: %s", exc)
                return False, self.last_error
            self.current, self._seen, self.last_error, self.refused = new, seen, None, None
            self.serving_models = True
            return True, None

    def _check(self) -> None:
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.check_every_s
        if self._watch() != self._seen and not self._lock.locked():
            threading.Thread(target=self.reload, daemon=True, name="model-reload").start()

    def status(self) -> dict[str, str]:
        self._check()
        return self.current.status()

    def recommend(self, user_key: str, k: int) -> Recommendations:
        self._check()
        return self.current.recommend(user_key, k)

    def score_links(self, pairs: list[LinkPair]) -> list[LinkScore]:
        self._check()
        return self.current.score_links(pairs)

    async def score_order(self, order: OrderIn) -> Risk:
        self._check()
        return await self.current.score_order(order)

    async def risk(self, kind: RiskKind, key: str) -> Risk:
        self._check()
        return await self.current.risk(kind, key)


def hot_swap(
    settings: Settings,
    driver: Driver,
    cleaner: CheckoutCleaner | None = None,
    writer: OrderWriter | None = None,
    reader: AsyncReader | None = None,
    cpu: CpuSlots | None = None,
) -> HotSwapProvider:
    """The serving provider of ``cartograph serve``: live models, hot-swapped."""
    return HotSwapProvider(
        build=lambda: build_live(settings, driver, cleaner, writer, reader, cpu),
        watch=lambda: latest_targets(settings.train.models_dir),
        fallback=lambda: StoredScoresProvider(
            driver, settings.neo4j.database, settings.api.query_timeout_s, reader, cpu
        ),
    )
