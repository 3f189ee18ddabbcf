"""Every notebook runs top to bottom under papermill against a real devnet; the notebooks assert
inside their cells, so a failing cell fails the test."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from gonka_lab.notebook_kernel import IpcKernelManager
from node.devnet.network import Devnet

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# in this order: 04 makes p3 a cheater on the shared network (its inference only: it still trains
# and validates honestly in 05)
ORDER = ("01-quickstart", "02-sprint", "03-ledger", "04-catch-a-cheater", "05-training")

pytestmark = pytest.mark.slow


def test_every_notebook_is_tested_and_has_parameters() -> None:
    found = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert found == sorted(n for n in ORDER if (NOTEBOOKS / f"{n}.ipynb").exists())
    for name in found:
        notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "network_dir" in tagged[0].source, name


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", [n for n in ORDER if (NOTEBOOKS / f"{n}.ipynb").exists()])
def test_notebook_runs(name: str, cockpit_network: Devnet, tmp_path: Path) -> None:
    output = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(output), kernel_name="python3",
                               parameters={"network_dir": str(cockpit_network.dir),
                                           "gonka_home": str(tmp_path / "home")},
                               cwd=str(NOTEBOOKS), progress_bar=False, kernel_manager_class=IpcKernelManager)
    executed = nbformat.read(output, as_version=4)
    assert "injected-parameters" in executed.cells[2].metadata.get("tags", [])
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
