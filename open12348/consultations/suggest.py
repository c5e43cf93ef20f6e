"""Which legal category a question is about, suggested from its text when the citizen asks.

One pluggable step: the intelligence module's classifier (`open12348.assist.classifier.classify`)
when it is installed and sure enough (confidence ≥ CLASSIFIER_MIN_CONFIDENCE); otherwise the
keyword rule over the 20 top-level categories, with the topic lexicon the classifier itself
uses (`assist.labels`). The rule (`keyword_label`) is pure; `suggest_category` turns its topic
into the LegalCategory row."""

import logging
from collections.abc import Callable

from open12348.assist.labels import FALLBACK_LABEL, TOPIC_LABELS, lexicon_scores

logger = logging.getLogger("open12348.consultations")

CLASSIFIER_MIN_CONFIDENCE = 0.3
FALLBACK_CODE = "general"  # 综合咨询


def keyword_label(text: str) -> str | None:
    """The topic with the most lexicon words in `text` (ties go to the one listed first),
    or None when no word of a specific topic occurs: 综合咨询's words (请问, 咨询 …) make no
    suggestion, that category is what a question gets when nothing fits."""
    scores = lexicon_scores(text or "")
    scores[TOPIC_LABELS.index(FALLBACK_LABEL)] = 0
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return TOPIC_LABELS[best] if scores[best] else None


def _classifier() -> Callable | None:
    try:
        from open12348.assist.classifier import classify
    except ImportError:
        return None
    return classify


def _by_label(label: str):
    """A classifier label (a top-level category's code or name) as the LegalCategory row."""
    from open12348.catalog.selectors import legal_category_by_code, top_category_by_name

    return legal_category_by_code(label) or top_category_by_name(label)


def suggest_category(text: str, *, classifier: Callable | None = None):
    """The suggested LegalCategory for `text`, or None when neither the classifier nor the
    keyword rule has one. `classifier` replaces the assist module's (tests)."""
    classify = classifier or _classifier()
    if classify is not None:
        try:
            prediction = classify(text)
        except Exception:  # the classifier is optional: never let it break asking a question
            logger.warning("consultation classifier failed; falling back to keywords", exc_info=True)
            prediction = None
        if prediction is not None and getattr(prediction, "confidence", 0) >= CLASSIFIER_MIN_CONFIDENCE:
            found = _by_label(str(prediction.label))
            if found is not None:
                return found
    label = keyword_label(text)
    return _by_label(label) if label else None


def fallback_category():
    """综合咨询: the category of a question nothing else fits."""
    from open12348.catalog.selectors import legal_category_by_code

    return legal_category_by_code(FALLBACK_CODE)
