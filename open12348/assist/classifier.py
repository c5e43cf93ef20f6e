"""Question classification (routing, issue 6 item 3).

    classify(text) -> Prediction(label, confidence, top3)

`label` is one of the 20 topics (labels.TOPIC_LABELS = the top-level LegalCategory names);
`confidence` is a calibrated probability (temperature-scaled on cross-validated scores);
`top3` the three most likely topics with their probabilities (they sum to at most 1).

The model (chosen on lawbench_topic dev and 5-fold cross-validation, see bench/README.md):
character 1–3-gram TF-IDF plus the topic lexicon's counts, multinomial logistic regression,
with every topic taken as equally likely before the question is read (`uniform_prior`): the
labelled set is balanced (25 questions per topic), so the uneven label counts of its train
split are an accident of sampling, and a model that learnt them would lean towards topics that
happen to be frequent there (and are therefore rarer in the held-out rest).
It is loaded lazily from the current artifact (artifacts.py); with no artifact it is trained
on first use from OPEN12348_DATA_DIR (a few seconds), and with no data it falls back to the
keyword lexicon alone."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from open12348.assist import text as qtext
from open12348.assist.labels import FALLBACK_LABEL, TOPIC_LABELS, lexicon_scores


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    top3: list[tuple[str, float]] = field(default_factory=list)
    source: str = "model"  # "model" | "keywords"


def _prediction(probabilities: np.ndarray, labels: tuple[str, ...] | list[str], source: str) -> Prediction:
    order = np.lexsort((np.arange(len(labels)), -probabilities))
    top3 = [(labels[i], round(float(probabilities[i]), 4)) for i in order[:3]]
    return Prediction(label=top3[0][0], confidence=top3[0][1], top3=top3, source=source)


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(scores, dtype=np.float64) / max(temperature, 1e-6)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def lexicon_matrix(texts: list[str]) -> sp.csr_matrix:
    return sp.csr_matrix(np.array([lexicon_scores(t) for t in texts], dtype=np.float64).reshape(len(texts), -1))


class KeywordClassifier:
    """The lexicon alone: topic = most lexicon words found; 综合咨询 when none."""

    labels = TOPIC_LABELS
    temperature = 1.0

    def probabilities(self, texts: list[str]) -> np.ndarray:
        counts = lexicon_matrix(texts).toarray()
        fallback = TOPIC_LABELS.index(FALLBACK_LABEL)
        counts[:, fallback] += 0.5  # a tie-breaker: nothing recognised → general consultation
        return softmax(counts, 1.0)

    def predict(self, text: str) -> Prediction:
        return _prediction(self.probabilities([text])[0], self.labels, "keywords")


class TopicClassifier:
    """TF-IDF character n-grams + lexicon counts → logistic regression, temperature-scaled."""

    def __init__(self, *, C: float = 30.0, lexicon_weight: float = 0.3, ngram_range=(1, 3), uniform_prior: bool = True):
        self.C = C
        self.lexicon_weight = lexicon_weight
        self.ngram_range = tuple(ngram_range)
        self.uniform_prior = uniform_prior
        self.temperature = 1.0
        self.log_prior = None  # log label frequencies of the training set, in self.labels order
        self.vectorizer = None
        self.model = None
        self.labels: list[str] = list(TOPIC_LABELS)

    def _features(self, texts: list[str], *, fit: bool = False):
        from sklearn.feature_extraction.text import TfidfVectorizer

        if fit:
            self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True)
            chars = self.vectorizer.fit_transform(texts)
        else:
            chars = self.vectorizer.transform(texts)
        if self.lexicon_weight:
            return sp.hstack([chars, self.lexicon_weight * lexicon_matrix(texts)]).tocsr()
        return chars

    def _fit_raw(self, texts: list[str], labels: list[str], weights=None):
        from sklearn.linear_model import LogisticRegression

        features = self._features(texts, fit=True)
        self.model = LogisticRegression(C=self.C, max_iter=5000)
        self.model.fit(features, labels, sample_weight=weights)
        self.labels = [str(c) for c in self.model.classes_]
        counts = np.array([labels.count(label) for label in self.labels], dtype=np.float64)
        self.log_prior = np.log(counts / counts.sum()) if self.uniform_prior else np.zeros(len(self.labels))
        return self

    def decision(self, texts: list[str]) -> np.ndarray:
        """The model's scores, one column per `self.labels`; with two labels the binary
        model's log-odds s become (0, s), so that softmax gives its probabilities."""
        scores = self.model.decision_function(self._features(texts))
        return np.column_stack([np.zeros_like(scores), scores]) if scores.ndim == 1 else scores

    def logits(self, texts: list[str], temperature: float = 1.0) -> np.ndarray:
        """Temperature-scaled scores with the training prior divided out:
        softmax(s / T) / prior ∝ exp(s / T − log prior). A model pickled before the prior
        existed (an older artifact, until `trainassist` runs) keeps its learnt prior."""
        scores = self.decision(texts) / max(temperature, 1e-6)
        log_prior = getattr(self, "log_prior", None)
        return scores if log_prior is None else scores - log_prior

    def fit(self, texts: list[str], labels: list[str], weights=None, *, calibrate: bool = True, seed: int = 0):
        """Fit; then choose the softmax temperature minimising the log loss of 5-fold
        cross-validated scores (calibration without touching any evaluation set)."""
        texts = [qtext.normalize(t) for t in texts]
        if calibrate and len(set(labels)) > 1 and len(texts) >= 20:
            self.temperature = self._cv_temperature(texts, labels, weights, seed)
        self._fit_raw(texts, labels, weights)
        return self

    def _cv_temperature(self, texts, labels, weights, seed) -> float:
        from sklearn.model_selection import StratifiedKFold

        counts = {label: labels.count(label) for label in set(labels)}
        folds = min(5, min(counts.values()))
        if folds < 2:
            return 1.0
        scores, priors, truth = [], [], []
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
            part = TopicClassifier(
                C=self.C,
                lexicon_weight=self.lexicon_weight,
                ngram_range=self.ngram_range,
                uniform_prior=self.uniform_prior,
            )
            w = None if weights is None else np.asarray(weights)[train]
            part._fit_raw([texts[i] for i in train], [labels[i] for i in train], w)
            columns = [TOPIC_LABELS.index(label) for label in part.labels]
            full = np.full((len(test), len(TOPIC_LABELS)), -1e3)
            full[:, columns] = part.decision([texts[i] for i in test])
            prior = np.zeros((len(test), len(TOPIC_LABELS)))
            prior[:, columns] = part.log_prior
            scores.append(full)
            priors.append(prior)
            truth += [TOPIC_LABELS.index(labels[i]) for i in test]
        scores, priors = np.vstack(scores), np.vstack(priors)
        truth = np.asarray(truth)
        best, best_loss = 1.0, math.inf
        for t in np.exp(np.linspace(math.log(0.1), math.log(10), 60)):
            p = softmax(scores / t - priors)[np.arange(len(truth)), truth]
            loss = -np.mean(np.log(np.clip(p, 1e-12, 1)))
            if loss < best_loss:
                best, best_loss = float(t), loss
        return best

    def probabilities(self, texts: list[str]) -> np.ndarray:
        probs = softmax(self.logits(texts, self.temperature))
        full = np.zeros((len(texts), len(TOPIC_LABELS)))
        for j, label in enumerate(self.labels):
            full[:, TOPIC_LABELS.index(label)] = probs[:, j]
        return full

    def predict(self, text: str) -> Prediction:
        return _prediction(self.probabilities([text])[0], TOPIC_LABELS, "model")


def classify(text: str) -> Prediction:
    """The topic of a question (see the module doc). Raises ValueError (text.EmptyQuestion)
    for an empty question."""
    from open12348.assist import artifacts

    question = qtext.normalize(text)
    model = artifacts.current_classifier()
    return model.predict(question)
