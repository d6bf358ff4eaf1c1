"""Support-ticket intent: keyword rules, zero-shot similarity and a self-trained classifier.

Three signals, none trained on labelled tickets:

* **rules**: hand-written patterns for each intent ("never received", "refund", "hacked");
  precise, but blind to phrasings nobody wrote a pattern for;
* **zero-shot**: cosine similarity between each sentence of the ticket and short descriptions of
  each intent (written here), via the sentence encoder;
* **self-training**: a logistic regression on ticket vectors, fitted on tickets whose rule label
  is unambiguous and agrees with zero-shot (plus the descriptions themselves as anchors), then
  applied to every ticket, so phrasings the rules miss are judged by their neighbours.

The final label maximises the classifier's log-probability plus a bonus for labels the rules fired
and for the zero-shot favourite; "other" is what is left when nothing specific is asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

INTENTS = (
    "item_not_received", "refund_request", "wrong_item", "account_hacked", "change_address",
    "damaged_item", "other",
)  # fmt: skip

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "item_not_received": (
        "My order has not arrived yet.",
        "I never received my package.",
        "Where is my parcel? The delivery is missing.",
        "The tracking says delivered but nothing came.",
        "My parcel got lost in the post.",
    ),
    "refund_request": (
        "I would like a refund.",
        "Please give me my money back.",
        "I want to return the item and get reimbursed.",
        "Please refund the payment for my order.",
    ),
    "wrong_item": (
        "I received the wrong item.",
        "The package contained a different product than I ordered.",
        "You sent me the wrong size or colour.",
        "This is not what I ordered.",
    ),
    "account_hacked": (
        "My account was hacked.",
        "Someone logged into my account and placed orders.",
        "There are orders on my account that I did not make.",
        "My password was stolen.",
    ),
    "change_address": (
        "Please change the delivery address of my order.",
        "I need to update my shipping address.",
        "I moved, please send the order to my new address.",
    ),
    "damaged_item": (
        "The item arrived damaged.",
        "The product was broken on arrival.",
        "The parcel was crushed and the item is cracked.",
        "It arrived defective and does not work.",
    ),
    "other": (
        "I have a question about my order.",
        "General enquiry.",
        "Do you ship to my country?",
        "Can I get an invoice for my purchase?",
        "I need some information.",
    ),
}

_R = lambda *ps: tuple(re.compile(p, re.I) for p in ps)  # noqa: E731
RULES: dict[str, tuple[re.Pattern[str], ...]] = {
    "account_hacked": _R(
        r"hack",
        r"unauthori[sz]ed",
        r"did(?:n'?t| not) (?:place|make|authori[sz]e)",
        r"someone (?:else )?(?:has )?(?:logged|accessed|used|got into|broke into)",
        r"compromised",
        r"(?:stolen|changed) (?:my )?(?:account|password|login)",
        r"fraudulent (?:order|purchase|activity)",
        r"without my (?:permission|consent|knowledge)",
        r"suspicious (?:login|activity|orders?)",
        r"not (?:me|mine)\b",
    ),
    "change_address": _R(
        r"(?:change|update|correct|amend|modify|edit)\w*\b.{0,40}\baddress",
        r"address (?:change|update|correction)",
        r"new (?:delivery |shipping )?address",
        r"\bmoved\b",
        r"(?:ship|send|deliver) (?:it )?to (?:a |my )?(?:different|new|other|another)",
        r"redirect",
    ),
    "wrong_item": _R(
        r"wrong (?:item|product|size|colou?r|model|article|thing|one|variant)",
        r"(?:different|incorrect|another|other) (?:item|product|article|model)",
        r"not (?:the )?(?:one |item |product )?(?:what )?i (?:ordered|bought|purchased)",
        r"(?:sent|shipped|received|got|delivered) (?:me )?(?:the |a )?wrong",
        r"instead of",
        r"mix-?up",
        r"(?:does ?n[o']t|did ?n[o']t) match",
    ),
    "damaged_item": _R(
        r"damag",
        r"broken",
        r"\bbroke\b",
        r"crack",
        r"smash",
        r"shatter",
        r"\bdent",
        r"scratch",
        r"defect",
        r"faulty",
        r"dead on arrival",
        r"\bDOA\b",
        r"\btorn\b",
        r"leak",
        r"crushed",
        r"(?:does ?n[o']t|did ?n[o']t|won'?t|will not|stopped) (?:work|turn on|power on|charge)",
    ),
    "item_not_received": _R(
        r"(?:never|not|n't|yet to) (?:yet )?(?:been )?(?:received|arrived|got|come|shown up|"
        r"delivered|turned up|showed up|reached)",
        r"where(?:'s| is) (?:my |the )?(?:order|parcel|package|delivery|item|stuff)",
        r"still (?:nothing|waiting|not here|no sign)",
        r"missing (?:parcel|package|delivery|order)",
        r"(?:parcel|package|order|delivery|shipment) (?:is |was |has been |went )?(?:missing|lost)",
        r"\blost\b",
        r"no sign of",
        r"(?:tracking|track).{0,30}(?:says|shows|stuck|no update)",
        r"never (?:came|arrived|showed|turned)",
        r"hasn'?t (?:turned|shown) up",
        r"(?:not|never) (?:been )?(?:here|arrived)",
    ),
    "refund_request": _R(
        r"refund",
        r"money back",
        r"reimburs",
        r"(?:return|send (?:it )?back).{0,40}money",
        r"credit (?:my|the) (?:card|account)",
        r"pay (?:me )?back",
    ),
    "other": _R(
        r"question",
        r"enquir",
        r"inquir",
        r"\binvoice\b",
        r"\breceipt\b",
        r"do you (?:ship|deliver|sell|have|offer|accept)",
        r"(?:information|info|details) (?:about|on)",
        r"how (?:do|can|long)",
        r"is it possible",
        r"\bVAT\b",
        r"opening hours",
        r"wonder",
        r"could you (?:tell|let me know|explain)",
    ),
}


def rule_labels(text: str) -> list[str]:
    """Intents whose patterns match; "other" only when no specific intent does."""
    fired = [k for k, pats in RULES.items() if k != "other" and any(p.search(text) for p in pats)]
    if fired:
        return fired
    return ["other"] if any(p.search(text) for p in RULES["other"]) else []


class IntentClassifier:
    """Combines the three signals in the module docstring; fit and predict in one pass."""

    def __init__(
        self, rule_bonus: float = 2.0, zero_shot_bonus: float = 0.5, seed: int = 0
    ) -> None:
        self.rule_bonus = rule_bonus
        self.zero_shot_bonus = zero_shot_bonus
        self.seed = seed

    def zero_shot(
        self, sentence_vecs: Sequence[np.ndarray], label_vecs: np.ndarray, owners: np.ndarray
    ) -> np.ndarray:
        """``(n, n_intents)``: best cosine of any sentence of the ticket to any description."""
        out = np.full((len(sentence_vecs), len(INTENTS)), -1.0)
        for i, sv in enumerate(sentence_vecs):
            if len(sv):
                sims = (sv @ label_vecs.T).max(axis=0)
                for j in range(len(INTENTS)):
                    out[i, j] = sims[owners == j].max()
        return out

    def predict(
        self,
        texts: Sequence[str],
        doc_vecs: np.ndarray,
        sentence_vecs: Sequence[np.ndarray],
        label_vecs: np.ndarray,
        owners: np.ndarray,
    ) -> list[tuple[str, float, str]]:
        """(intent, confidence, method) per ticket; ``label_vecs``/``owners``: the encoded
        ``DESCRIPTIONS`` and the intent index of each."""
        zs = self.zero_shot(sentence_vecs, label_vecs, owners)
        rules = [rule_labels(t) for t in texts]
        x_train, y_train = [label_vecs], [owners]
        for i, labels in enumerate(rules):
            if len(labels) == 1 and INTENTS.index(labels[0]) == int(zs[i].argmax()):
                x_train.append(doc_vecs[i : i + 1])
                y_train.append(np.array([INTENTS.index(labels[0])]))
        clf = LogisticRegression(
            C=2.0, max_iter=2000, class_weight="balanced", random_state=self.seed
        )
        clf.fit(np.vstack(x_train), np.concatenate(y_train))
        logp = np.full((len(texts), len(INTENTS)), -30.0)
        logp[:, clf.classes_] = clf.predict_log_proba(doc_vecs)
        out = []
        for i, labels in enumerate(rules):
            score = logp[i].copy()
            for lab in labels:
                score[INTENTS.index(lab)] += self.rule_bonus
            score[int(zs[i].argmax())] += self.zero_shot_bonus
            j = int(score.argmax())
            p = np.exp(score - score.max())
            method = "rule+embedding" if INTENTS[j] in labels else "embedding"
            out.append((INTENTS[j], round(float(p[j] / p.sum()), 4), method))
        return out
