"""What happens after an order: reviews, support tickets, chargebacks and the fraud labels.

These events happen days or weeks after their order, so they wait in a time-ordered queue and
are written once no later order can precede them; their files therefore come out in time order
with ids assigned in that order. Chargebacks arrive 7-60 days after the order; only those
labelled by the end of the data window appear in the raw exports (the latest fraud is unlabelled).
"""

from __future__ import annotations

import heapq
import random
from typing import Any

from .catalog import Catalog
from .config import DAY, END_TS, PLATFORMS, WEBSHOP
from .formats import email_variant, iso, iso_date, money
from .ids import seq_id
from .noise import Noise
from .order_render import Placed
from .text_support import rating_for, review_text, ticket_text
from .writers import Sink

_DELIVERED_INTENTS = ("damaged_item", "wrong_item", "refund_request", "other")
_DELIVERED_WEIGHTS = (0.3, 0.25, 0.3, 0.15)
_FRAUD_REASON = {"webshop": ("10.4", "4837"), "marketplace": ("fraudulent",)}
_DISPUTE_REASON = {"webshop": ("13.1", "13.3"), "marketplace": ("not_as_described",)}


class Aftermath:
    """Schedules and writes reviews, tickets and chargebacks; writes fraud labels at once."""

    def __init__(self, sink: Sink, catalog: Catalog, rnd: random.Random, noise: Noise) -> None:
        self.catalog, self.rnd, self.noise = catalog, rnd, noise
        self.reviews = sink.csv(
            "raw/webshop/reviews.csv",
            ["review_id", "product_id", "customer_id", "created_at", "rating", "title", "text"],
        )
        self.review_truth = sink.jsonl("truth/reviews.jsonl")
        self.tickets = sink.jsonl("raw/marketplace/tickets.jsonl")
        self.ticket_truth = sink.jsonl("truth/tickets.jsonl")
        self.ws_cb = sink.csv(
            "raw/webshop/chargebacks.csv", ["order_id", "chargeback_date", "amount", "reason_code"]
        )
        self.mp_cb = sink.jsonl("raw/marketplace/chargebacks.jsonl")
        self.cb_truth = sink.csv(
            "truth/chargebacks.csv", ["platform", "order_id", "label_date", "reason", "is_fraud"]
        )
        self.fraud_truth = sink.csv(
            "truth/fraud_orders.csv", ["platform", "order_id", "is_fraud", "fraud_type", "ring_id"]
        )
        self._queue: list[tuple[int, int, str, Any]] = []
        self._seq = 0
        self._n_reviews = 0
        self._n_tickets = 0

    def _later(self, ts: int, kind: str, payload: Any) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (ts, self._seq, kind, payload))

    def handle(self, o: Placed, raw_account_id: str) -> None:
        """Label the order and schedule whatever follows from it."""
        ring = o.detail.ring if o.detail else ""
        self.fraud_truth.write(
            [PLATFORMS[o.platform], o.order_id, int(bool(o.fraud_type)), o.fraud_type, ring]
        )
        if o.platform == WEBSHOP and not o.fraud_type and o.delivered is not None:
            self._schedule_reviews(o, raw_account_id)
        self._schedule_ticket(o)
        self._schedule_chargeback(o)

    def _schedule_reviews(self, o: Placed, customer_id: str) -> None:
        rnd = self.rnd
        assert o.delivered is not None
        for p, _, li, _ in o.items:
            if rnd.random() >= 0.12:
                continue
            t = o.delivered + int(rnd.gammavariate(2.0, 3.0) * DAY)
            if t <= END_TS:
                product = self.catalog.products[p]
                rating = max(1, rating_for(product, rnd) - (o.status == "returned"))
                rv = review_text(product, rating, self.catalog, rnd)
                ids = sorted({i for m in rv.mentions for i in self.catalog.name_groups[m.value]})
                raw = [
                    self.catalog.listings[li].raw_id,
                    "" if rnd.random() < 0.03 else customer_id,
                    iso(t, rnd),
                    rating,
                    self.noise.text(rv.title, 0.05),
                    self.noise.trailing(rv.text),
                ]
                truth = {
                    "product_id": raw[0],
                    "canonical_product_id": product.cid,
                    "rating": rating,
                    "sentiment": rv.sentiment,
                    "aspects": sorted(rv.aspects),
                    "aspect_sentiment": rv.aspects,
                    "mentioned_product_ids": [self.catalog.products[i].cid for i in ids],
                    "mentions": [
                        {"start": m.start, "end": m.end, "text": m.text, "name": m.value}
                        for m in rv.mentions
                    ],
                    "template_pool": rv.pool,
                }
                self._later(t, "review", (raw, truth))

    def _legit_intent(self, o: Placed) -> tuple[str, int] | None:
        """A genuine customer's ticket, if any, and when it is filed."""
        rnd = self.rnd
        r = rnd.random()
        if o.status == "shipped" and o.delivered is None and o.ts < END_TS - 10 * DAY:
            return ("item_not_received", o.ts + rnd.randint(8, 20) * DAY) if r < 0.8 else None
        if r < 0.006:  # before dispatch: wrong address typed, or a question
            return rnd.choice(("change_address", "other")), o.ts + int(rnd.uniform(0.05, 1) * DAY)
        if o.delivered is not None and r < 0.03:
            intent = rnd.choices(_DELIVERED_INTENTS, _DELIVERED_WEIGHTS)[0]
            return intent, o.delivered + int(rnd.uniform(0.5, 10) * DAY)
        return None

    def _schedule_ticket(self, o: Placed) -> None:
        d = o.detail
        if d is not None and d.ticket:
            base = o.delivered if d.ticket == "item_not_received" and o.delivered else o.ts
            intent, t = d.ticket, base + int(d.ticket_delay_days * DAY)
        elif o.fraud_type:
            return
        else:
            found = self._legit_intent(o)
            if found is None:
                return
            intent, t = found
        if t > END_TS:
            return
        text = ticket_text(intent, (PLATFORMS[o.platform], o.order_id), o.person.first, self.rnd)
        raw = {
            "created": t,
            "channel": self.rnd.choice(("email", "email", "chat", "web_form")),
            "requester_email": self.noise.text(email_variant(o.person.email, self.rnd), 0.02),
            "source": PLATFORMS[o.platform] if self.rnd.random() < 0.8 else None,
            "subject": self.noise.text(text.subject, 0.05),
            "body": text.body,
        }
        ref = text.ref
        truth = {
            "intent": intent,
            "about_order_id": o.order_id,
            "referenced_order_id": ref.value if ref else None,
            "referenced_platform": PLATFORMS[o.platform] if ref else None,
            "ref_span": {"start": ref.start, "end": ref.end, "text": ref.text} if ref else None,
            "template_pool": text.pool,
        }
        self._later(t, "ticket", (raw, truth))

    def _schedule_chargeback(self, o: Placed) -> None:
        rnd = self.rnd
        fraud = bool(o.detail is not None and o.detail.chargeback)
        if not fraud and not (
            o.delivered is not None and not o.fraud_type and rnd.random() < 0.002
        ):
            return
        plat = PLATFORMS[o.platform]
        reason = rnd.choice((_FRAUD_REASON if fraud else _DISPUTE_REASON)[plat])
        label = o.ts + rnd.randint(7 * DAY, 60 * DAY)
        self.cb_truth.write([plat, o.order_id, iso_date(label), reason, int(fraud)])
        if label <= END_TS:
            self._later(label, "chargeback", (o.platform, o.order_id, o.total, o.currency, reason))

    def flush(self, upto: int) -> None:
        """Write every scheduled event at or before ``upto`` (no later order can precede it)."""
        while self._queue and self._queue[0][0] <= upto:
            ts, _, kind, payload = heapq.heappop(self._queue)
            if kind == "review":
                self._write_review(ts, payload)
            elif kind == "ticket":
                self._write_ticket(ts, payload)
            else:
                self._write_chargeback(ts, payload)

    def _write_review(self, ts: int, payload: tuple[list[Any], dict[str, Any]]) -> None:
        raw, truth = payload
        review_id = seq_id("WS-R", self._n_reviews)
        self._n_reviews += 1
        self.reviews.write([review_id, *raw])
        self.review_truth.write({"review_id": review_id, **truth})

    def _write_ticket(self, ts: int, payload: tuple[dict[str, Any], dict[str, Any]]) -> None:
        raw, truth = payload
        ticket_id = f"TCK-{self._n_tickets + 1:07d}"
        self._n_tickets += 1
        self.tickets.write({"ticket_id": ticket_id, **raw})
        self.ticket_truth.write({"ticket_id": ticket_id, **truth})

    def _write_chargeback(self, ts: int, payload: tuple[int, str, float, str, str]) -> None:
        platform, order_id, total, currency, reason = payload
        if platform == WEBSHOP:
            amount = money(total, currency, self.rnd)
            self.ws_cb.write([order_id, iso_date(ts), amount, self.noise.text(reason, 0.03)])
        else:
            self.mp_cb.write(
                {
                    "order_id": order_id,
                    "ts": ts,
                    "reason": self.noise.text(reason, 0.03),
                    "amount": total,
                    "currency": currency,
                }
            )
