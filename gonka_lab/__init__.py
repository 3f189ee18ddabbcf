"""gonka-lab: the notebook-first layer over a Gonka network. `%load_ext gonka_lab` loads the
`%gonka` magics (gonka_lab.magics)."""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    # imported here: `import gonka_lab` (the CLI, the nodes' entry point) must not pull in IPython
    from gonka_lab.magics import load_ipython_extension as load

    load(ipython)
