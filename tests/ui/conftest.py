"""UI fixtures: one 4-validator chain-only devnet, one JupyterLab server and one Chromium page per
module, always torn down. Screenshots go to out/ui/ at the repository root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from node.devnet.network import Devnet
from tests.ui.lab import CHROMIUM_ARGS, LabServer, chromium_executable, start_lab

ARTIFACTS = Path(__file__).resolve().parents[2] / "out" / "ui"
# Four equal validators: with one stopped the other three still hold > 2/3 of the power.
PARTICIPANTS = 4
PAGE_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def ui_devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = Devnet.up(tmp_path_factory.mktemp("ui-devnet") / "net", participants=PARTICIPANTS)
    try:
        yield net
    finally:
        net.down()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, ui_devnet: Devnet) -> Iterator[LabServer]:
    """JupyterLab whose sidebar finds the devnet by itself, through $GONKA_DEVNET_DIR."""
    workdir = tmp_path_factory.mktemp("lab")
    server = start_lab(workdir, {"GONKA_DEVNET_DIR": str(ui_devnet.dir), "GONKA_HOME": str(workdir / "home")})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(browser: Browser, lab: LabServer) -> Iterator[Page]:
    """JupyterLab loaded, splash screen gone."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(lab.url)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    try:
        yield page
    finally:
        context.close()
