"""Fixtures of the classification and retrieval tests (none is autouse: the assistant's tests
fake these models instead). The data sets are the tiny ones of datasets.py."""

import pytest

from open12348.assist.tests.datasets import write_dataset


@pytest.fixture
def assist_env(settings, tmp_path):
    """OPEN12348_DATA_DIR = the tiny data set, ASSIST_DIR = an empty folder; nothing loaded."""
    from open12348.assist import artifacts

    data = write_dataset(tmp_path / "data")
    settings.OPEN12348_DATA_DIR = data
    settings.ASSIST_DIR = tmp_path / "assist"
    settings.AI_BASE_URL = ""
    settings.AI_MODEL = ""
    artifacts.reset()
    yield data
    artifacts.reset()


@pytest.fixture
def no_data(settings, tmp_path):
    """No data directory and no artifact at all."""
    from open12348.assist import artifacts

    settings.OPEN12348_DATA_DIR = tmp_path / "missing"
    settings.ASSIST_DIR = tmp_path / "assist"
    settings.AI_BASE_URL = ""
    settings.AI_MODEL = ""
    artifacts.reset()
    yield tmp_path
    artifacts.reset()


@pytest.fixture
def trained(assist_env):
    """A trained artifact of the tiny data set (statutes from the files)."""
    from open12348.assist import training

    return training.train(assist_env, log=lambda message: None)
