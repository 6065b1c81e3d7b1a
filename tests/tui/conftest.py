"""The embedded server the demo starts, stopped when the session ends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data folder the demo's embedded server lives in during the tests.

    It is the folder the shared fixtures point MIGTUI_DATA_DIR at; the server the
    demo starts there outlives the app by design, so it is stopped here.
    """
    folder = tmp_path_factory.getbasetemp() / "migtui-data"
    yield folder
    from migtui.db.embedded import stop_server

    before = os.environ.get("MIGTUI_DATA_DIR")
    os.environ["MIGTUI_DATA_DIR"] = str(folder)
    try:
        stop_server()
    finally:
        if before is None:
            del os.environ["MIGTUI_DATA_DIR"]
        else:
            os.environ["MIGTUI_DATA_DIR"] = before
