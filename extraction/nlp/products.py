"""Product facts (brand, category, attributes, model, compatibility) from titles and descriptions.

``ProductExtractor.from_catalogue`` builds everything from the web shop's own rows: brand and
category vocabularies (``vocab.py``), model names (``models.py``), a category classifier learnt
from the category column (``categorise.py``) and the spaCy pipeline (``pipeline.py``). ``extract``
then reads each record's title and description once (``nlp.pipe``) and settles every attribute
by votes over its mentions (``evidence.py``), keeping only the attributes the category can have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from cartograph.errors import ConfigError
from extraction.nlp import evidence
from extraction.nlp.categorise import CategoryModel
from extraction.nlp.evidence import Mention
from extraction.nlp.facts import Fact
from extraction.nlp.lexicon import ANY_CATEGORY, ATTRIBUTES_BY_LEAF, COMPAT_LEAVES, MODEL_LEAVES
from extraction.nlp.models import LEXICON_WORDS, ModelVocabulary, build_models
from extraction.nlp.pipeline import build_nlp
from extraction.nlp.vocab import Vocabulary, build_vocabulary, fold

ProductText = tuple[str, str, str | None]  # (record id, title, description)
Brand = tuple[str, Mention | None, float]  # (brand, the mention that shows it, confidence)
NOUN_LOG_ODDS = 3.0  # a product noun ("laptop") is strong but not decisive category evidence


class ProductExtractor:
    """Rule pipeline over one catalogue's vocabulary; see the module docstring."""

    def __init__(
        self,
        vocab: Vocabulary,
        models: ModelVocabulary,
        category: CategoryModel,
        nlp: Language,
        columns: Mapping[str, tuple[str | None, str | None]],
    ) -> None:
        self.vocab = vocab
        self.models = models
        self.category = category
        self.nlp = nlp
        self.columns = columns

    @classmethod
    def from_catalogue(
        cls, rows: Iterable[Mapping[str, str | None]], extra_texts: Iterable[str] = ()
    ) -> ProductExtractor:
        """Build from web-shop product rows (``product_id``, ``title``, ``brand``, ``category``);
        ``extra_texts`` (e.g. marketplace titles and descriptions) widen the model vocabulary."""
        rows = list(rows)
        vocab = build_vocabulary(rows)
        titles = [r.get("title") or "" for r in rows]
        models = build_models([*titles, *extra_texts], vocab)
        protected = set(LEXICON_WORDS) | {fold(n.split()[0]) for n in models.names.values()}
        nlp = build_nlp(vocab, models.names, models.pattern(), protected)
        columns = {
            str(r["product_id"]): (
                vocab.canonical_brand(r.get("brand")),
                vocab.canonical_leaf(r.get("category")),
            )
            for r in rows
            if r.get("product_id")
        }
        train: list[tuple[str, str | None, str]] = []
        for title, row in zip(titles, rows, strict=True):
            brand, leaf = columns.get(str(row.get("product_id")), (None, None))
            if leaf:
                train.append((title, brand, leaf))
        if not train:
            raise ConfigError(
                "the catalogue has no usable category values to learn from", code="E160"
            )
        category = CategoryModel()
        category.fit(
            [t for t, _, _ in train], [b for _, b, _ in train], [leaf for _, _, leaf in train]
        )
        return cls(vocab, models, category, nlp, columns)

    def extract(self, records: Sequence[ProductText], batch_size: int = 256) -> list[Fact]:
        """Facts for (record id, title, description) triples, in record order."""
        docs: list[dict[str, Doc]] = [{} for _ in records]
        stream = (
            (text, (i, field))
            for i, (_, title, desc) in enumerate(records)
            for field, text in (("title", title), ("description", desc))
            if text
        )
        for doc, (i, field) in self.nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
            docs[i][field] = doc
        brands = [self._brand(rid, d) for (rid, _, _), d in zip(records, docs, strict=True)]
        texts = [f"{t} {d or ''}" for _, t, d in records]
        cols = [self.columns.get(rid, (None, None))[1] for rid, _, _ in records]
        nouns = self._noun_evidence(docs)
        post = self.category.posterior(texts, [b[0] if b else None for b in brands], cols, nouns)
        facts: list[Fact] = []
        for i, (rid, _, _) in enumerate(records):
            j = int(post[i].argmax())
            leaf = self.category.classes[j]
            facts.extend(self._record_facts(rid, docs[i], brands[i], leaf, float(post[i, j])))
        return facts

    def _noun_evidence(self, docs: Sequence[Mapping[str, Doc]]) -> np.ndarray:
        """Log-odds per class from lexicon product nouns: each field that names a leaf's noun
        ("laptop", "phone case") adds ``NOUN_LOG_ODDS`` to that leaf."""
        classes = {c: j for j, c in enumerate(self.category.classes)}
        out = np.zeros((len(docs), len(classes)))
        for i, fields in enumerate(docs):
            for leaf in evidence.noun_leaves(fields):
                if leaf in classes:
                    out[i, classes[leaf]] += NOUN_LOG_ODDS
        return out

    def _brand(self, rid: str, docs: Mapping[str, Doc]) -> Brand | None:
        """The column wins (it is cleaned, never wrong, sometimes blank), else text votes."""
        mentions = evidence.brand_mentions(docs, self.vocab.brand_spellings)
        column = self.columns.get(rid, (None, None))[0]
        if column:
            shown = next((m for m in mentions if m.value == column), None)
            return column, shown, 0.97 if shown else 0.9
        voted = evidence.vote(mentions)
        if voted is None:
            return None
        return voted[0].value, voted[0], round(0.95 * voted[1] * voted[0].weight, 3)

    def _record_facts(
        self, rid: str, docs: Mapping[str, Doc], brand: Brand | None, leaf: str, leaf_p: float
    ) -> list[Fact]:
        """Brand, category and one fact per attribute the category allows and the text shows."""
        out: list[Fact] = []
        if brand:
            method = "column" if brand[1] is None else "rule"
            out.append(_fact(rid, "brand", "brand", brand[0], brand[1], brand[2], method))
        where = evidence.noun_span(docs, leaf) or self._evidence_word(docs, leaf)
        path = self.vocab.category_path(leaf)
        out.append(_fact(rid, "category", "category", path, where, round(leaf_p, 3), "classifier"))
        allowed = ATTRIBUTES_BY_LEAF.get(fold(leaf), ANY_CATEGORY)
        by_name = evidence.attribute_mentions(docs, allowed)
        if fold(leaf) in MODEL_LEAVES:
            by_name["model"] = evidence.model_mentions(docs, self.models.brand_of, compat=False)
        if fold(leaf) in COMPAT_LEAVES:
            by_name["compat"] = evidence.model_mentions(docs, self.models.brand_of, compat=True)
        for name in sorted(by_name):
            voted = evidence.vote(by_name[name])
            if voted:
                m, share = voted
                conf = round(m.weight * share, 3)
                out.append(_fact(rid, "attribute", name, m.value, m, conf, "rule"))
        return out

    def _evidence_word(self, docs: Mapping[str, Doc], leaf: str) -> Mention | None:
        """Without a lexicon noun, the word that most favours the leaf in the classifier."""
        for field, doc in docs.items():
            span = self.category.evidence_word(doc.text, leaf)
            if span:
                return Mention("category", leaf, field, span[0], span[1], 1.0)
        return None


def _fact(
    rid: str,
    kind: str,
    name: str,
    value: str,
    where: Mention | None,
    confidence: float,
    method: str,
) -> Fact:
    """A product fact; without a mention it comes from the column named after its kind."""
    field = where.field if where else kind
    start, end = (where.start, where.end) if where else (None, None)
    return Fact("Product", rid, kind, name, value, field, start, end, confidence, method)
