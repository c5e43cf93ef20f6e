import pytest

from open12348.laws import importer
from open12348.laws.tests import factories


@pytest.fixture(scope="session")
def userdict_path(tmp_path_factory):
    return tmp_path_factory.mktemp("laws") / "userdict.txt"


@pytest.fixture(autouse=True)
def _laws_settings(settings, userdict_path):
    """The legal user dictionary in a temp file (never var/), and the laws app's URLs."""
    settings.LAWS_USERDICT_PATH = userdict_path


@pytest.fixture
def dataset(tmp_path):
    return factories.write_dataset(tmp_path / "data")


@pytest.fixture
def library(db, dataset):
    """The tiny library imported (national and local)."""
    return importer.import_library(dataset)
