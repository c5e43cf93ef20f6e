"""Versioned model artifacts under ASSIST_DIR (default var/assist):

    var/assist/<version>/classifier.pkl   the topic classifier
    var/assist/<version>/retrieval.pkl    statute index + question statistics + re-ranker
    var/assist/<version>/meta.json        what it was trained on, dev metrics, timings
    var/assist/current                    the name of the version in use (replaced atomically)

Loaded lazily once per process and reloaded when `current` changes (checked at most every
RELOAD_CHECK_SECONDS). Without an artifact the classifier is trained in memory from the data
directory on first use (seconds), or falls back to the keyword lexicon; the retriever is built
in memory from the library (database, else files) the same way `trainassist` builds it."""

from __future__ import annotations

import json
import logging
import os
import pickle
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

CLASSIFIER_FILE = "classifier.pkl"
RETRIEVAL_FILE = "retrieval.pkl"
META_FILE = "meta.json"
POINTER = "current"
RELOAD_CHECK_SECONDS = 10.0

_lock = threading.RLock()
_state: dict = {"version": None, "checked": 0.0, "classifier": None, "retriever": None}


def root() -> Path:
    return Path(getattr(settings, "ASSIST_DIR", settings.BASE_DIR / "var" / "assist"))


def new_version_dir() -> Path:
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1000):
        name = stamp if n == 0 else f"{stamp}-{n}"
        path = base / name
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RuntimeError("no free artifact version name")


def _dump(obj, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def save(version_dir: Path, *, classifier, retriever, meta: dict) -> Path:
    """Write the artifact and point `current` at it."""
    if classifier is not None:
        _dump(classifier, version_dir / CLASSIFIER_FILE)
    if retriever is not None:
        _dump(retriever, version_dir / RETRIEVAL_FILE)
    (version_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    pointer = root() / POINTER
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(version_dir.name, encoding="utf-8")
    os.replace(tmp, pointer)
    reset()
    return version_dir


def current_version() -> str | None:
    pointer = root() / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name or "/" in name or name.startswith(".") or not (root() / name).is_dir():
        return None
    return name


def current_meta() -> dict | None:
    version = current_version()
    if version is None:
        return None
    try:
        return json.loads((root() / version / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def reset() -> None:
    """Forget what this process loaded (next use reads `current` again)."""
    with _lock:
        _state.update(version=None, checked=0.0, classifier=None, retriever=None)


def _refresh() -> str | None:
    now = time.monotonic()
    if now - _state["checked"] < RELOAD_CHECK_SECONDS and _state["version"] is not None:
        return _state["version"]
    version = current_version()
    _state["checked"] = now
    if version != _state["version"]:
        _state.update(version=version, classifier=None, retriever=None)
    return version


def _load(version: str, name: str):
    path = root() / version / name
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        return pickle.load(handle)  # noqa: S301 — our own artifact, written by trainassist


def current_classifier():
    return _current("classifier", CLASSIFIER_FILE, _fallback_classifier)


def current_retriever():
    return _current("retriever", RETRIEVAL_FILE, _fallback_retriever)


def _current(kind: str, filename: str, fallback):
    """The model of the current artifact (loaded once per version), else the fallback."""
    with _lock:
        version = _refresh()
        if _state[kind] is None:
            model = None
            if version is not None:
                try:
                    model = _load(version, filename)
                except Exception:
                    logger.exception("cannot load the %s of artifact %s", kind, version)
            if model is None:
                model = fallback()
            _state[kind] = model
        return _state[kind]


def _fallback_classifier():
    from open12348.assist import training
    from open12348.assist.classifier import KeywordClassifier

    try:
        return training.train_classifier_in_memory()
    except Exception as exc:
        logger.info("no topic training data (%s): keyword classifier", exc)
        return KeywordClassifier()


def _fallback_retriever():
    """None: building the statute index takes minutes, never inside a web request. `make run`
    (trainassist --if-present) and the `assist` commands build the artifact first."""
    logger.warning("no trained statute index: run manage.py trainassist")
    return None
