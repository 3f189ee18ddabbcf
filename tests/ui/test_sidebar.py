"""The "Gonka network" sidebar in a real JupyterLab, in a real Chromium, watching a real devnet.

Tests run in file order on one page: the last one stops a node (and starts it again).
Screenshots of the sidebar land in out/ui/.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from node.devnet.network import Devnet
from tests.ui.lab import LabServer

SIDEBAR = "#gonka-lab-sidebar"
ADVANCE_TIMEOUT_MS = 45_000


def row(page: Page, name: str) -> Locator:
    return page.locator(f'{SIDEBAR} tr[data-participant="{name}"]')


def actions(page: Page, name: str) -> Locator:
    return page.locator(f'{SIDEBAR} tr[data-actions-of="{name}"]')


def heights(page: Page) -> dict[str, int]:
    """Each participant's height as the sidebar shows it (missing while it is unknown)."""
    shown: dict[str, int] = page.evaluate(
        """(sidebar) => Object.fromEntries(
            [...document.querySelectorAll(`${sidebar} tr[data-participant]`)]
                .map(tr => [tr.dataset.participant, tr.querySelector('td.jp-gonka-height').dataset.height])
                .filter(([, height]) => height !== '')
                .map(([name, height]) => [name, Number(height)]))""",
        SIDEBAR,
    )
    return shown


def wait_heights_above(page: Page, floor: dict[str, int]) -> None:
    """Poll the page until every named participant shows a height above its floor."""
    page.wait_for_function(
        """([sidebar, floor]) => Object.entries(floor).every(([name, h]) => {
            const td = document.querySelector(`${sidebar} tr[data-participant="${name}"] td.jp-gonka-height`);
            return td !== null && Number(td.dataset.height) > h;
        })""",
        arg=[SIDEBAR, floor],
        timeout=ADVANCE_TIMEOUT_MS,
    )


def open_sidebar(page: Page) -> None:
    if not page.locator(SIDEBAR).is_visible():
        page.locator(f'.jp-SideBar.jp-mod-left [data-id="{SIDEBAR[1:]}"]').click()
    expect(page.locator(SIDEBAR)).to_be_visible()


def test_sidebar_lists_every_participant_and_heights_advance(
    page: Page, ui_devnet: Devnet, artifacts: Path
) -> None:
    open_sidebar(page)
    names = [p.name for p in ui_devnet.manifest.participants]
    for name in names:
        expect(row(page, name).locator("td.jp-gonka-status")).to_have_attribute("data-status", "up")
    assert page.locator(f"{SIDEBAR} tr[data-participant]").count() == len(names)
    address = row(page, names[0]).locator(".jp-gonka-address").get_attribute("title")
    assert address == ui_devnet.manifest.participants[0].address
    first = heights(page)
    assert sorted(first) == sorted(names)
    wait_heights_above(page, first)
    expect(page.locator(f"{SIDEBAR} .jp-gonka-epoch .jp-gonka-progress")).to_be_visible()
    page.locator(SIDEBAR).screenshot(path=str(artifacts / "sidebar.png"))


def test_status_bar_shows_nodes_epoch_and_phase_and_opens_the_sidebar(page: Page, ui_devnet: Devnet) -> None:
    item = page.locator(".jp-gonka-statusitem")
    expect(item).to_have_text(re.compile(r"^Gonka: 4 nodes · epoch \d+ · \w+$"))
    with ui_devnet.client() as client:
        epoch = client.query("epoch")["epoch_index"]
    found = re.search(r"epoch (\d+)", item.inner_text())
    assert found is not None
    shown = int(found.group(1))
    assert abs(shown - epoch) <= 1  # an epoch boundary may fall between the two reads
    page.locator(f'.jp-SideBar.jp-mod-left [data-id="{SIDEBAR[1:]}"]').click()  # close it
    expect(page.locator(SIDEBAR)).to_be_hidden()
    item.click()
    expect(page.locator(SIDEBAR)).to_be_visible()


def test_new_notebook_button_fills_in_load_ext_and_connect(page: Page, lab: LabServer) -> None:
    open_sidebar(page)
    page.locator(f"{SIDEBAR} button.jp-gonka-notebook").click()
    cell = page.locator(".jp-NotebookPanel .jp-Cell").first
    expect(cell).to_contain_text("%load_ext gonka_lab")
    expect(cell).to_contain_text(re.compile(r"%gonka connect 127\.0\.0\.1:\d+"))
    assert any(lab.root.glob("Untitled*.ipynb"))


def test_adversary_select_is_off_on_a_chain_only_devnet_and_says_why(page: Page) -> None:
    open_sidebar(page)
    select = actions(page, "p1").locator("select.jp-gonka-adversary-select")
    expect(select).to_be_disabled()
    expect(select).to_have_value("")  # honest
    expect(actions(page, "p1").locator("label.jp-gonka-adversary")).to_have_attribute(
        "title", re.compile("full network"))


def test_logs_button_shows_the_node_log(page: Page) -> None:
    open_sidebar(page)
    actions(page, "p1").locator("button.jp-gonka-logs").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("p1-chain log")
    expect(dialog.locator("pre.jp-gonka-log")).not_to_be_empty()
    dialog.locator("button", has_text="Close").click()
    expect(dialog).to_have_count(0)


def test_stopping_a_node_marks_its_row_down_while_the_others_keep_going(
    page: Page, ui_devnet: Devnet, artifacts: Path
) -> None:
    open_sidebar(page)
    victim = row(page, "p4")
    actions(page, "p4").locator("button.jp-gonka-stop").click()
    expect(victim.locator("td.jp-gonka-status")).to_have_attribute("data-status", "down")
    assert not ui_devnet.is_running(ui_devnet.node("p4"))
    expect(page.locator(".jp-gonka-statusitem")).to_contain_text("Gonka: 3 nodes")
    others = {name: h for name, h in heights(page).items() if name != "p4"}
    assert sorted(others) == ["p1", "p2", "p3"]
    wait_heights_above(page, others)
    expect(victim.locator("td.jp-gonka-status")).to_have_attribute("data-status", "down")
    page.locator(SIDEBAR).screenshot(path=str(artifacts / "sidebar-node-down.png"))

    actions(page, "p4").locator("button.jp-gonka-start").click()
    expect(victim.locator("td.jp-gonka-status")).to_have_attribute("data-status", re.compile("up|catching up"))
    assert ui_devnet.is_running(ui_devnet.node("p4"))


def test_a_network_that_goes_down_is_reported_in_the_panel_and_the_status_bar(
    page: Page, ui_devnet: Devnet, artifacts: Path
) -> None:
    open_sidebar(page)
    ui_devnet.down()  # every node, behind the sidebar's back
    alert = page.locator(f"{SIDEBAR} .jp-gonka-alert")
    expect(alert).to_contain_text("network down")
    expect(page.locator(".jp-gonka-statusitem")).to_have_text("Gonka: 0 nodes · network down")
    for name in ("p1", "p2", "p3", "p4"):
        expect(row(page, name).locator("td.jp-gonka-status")).to_have_attribute("data-status", "down")
    page.locator(SIDEBAR).screenshot(path=str(artifacts / "sidebar-network-down.png"))
