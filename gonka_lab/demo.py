"""`python -m gonka_lab.demo`: run the quickstart and catch-a-cheater notebooks with papermill
against a fresh devnet, write the executed notebooks and their HTML to out/, print a summary and
tear the network down.

    python -m gonka_lab.demo [--out DIR] [--participants N]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

from gonka_lab.client import wait_serving
from gonka_lab.notebook_kernel import IpcKernelManager
from node.core.keys import AccountKey
from node.devnet.network import Devnet, DevnetError

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
DEMO_NOTEBOOKS = ("01-quickstart", "04-catch-a-cheater")
START_TIMEOUT_S = 240.0


def start_network(directory: Path, participants: int) -> Devnet:
    net = Devnet.up(directory, participants, only="all", timeout_s=START_TIMEOUT_S)
    try:
        faucet = AccountKey.from_private_hex(net.manifest.faucet.private_key)
        wait_serving(net.manifest.nodes_of("api")[0].url, faucet, net.manifest.model, START_TIMEOUT_S)
    except BaseException:
        net.down()
        raise
    return net


def run_notebook(name: str, out: Path, parameters: dict[str, object]) -> float:
    """Execute notebooks/NAME.ipynb into out/NAME.ipynb and out/NAME.html; the seconds it took."""
    started = time.monotonic()
    executed = out / f"{name}.ipynb"
    try:
        papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(executed), parameters=parameters,
                                   kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False,
                                   kernel_manager_class=IpcKernelManager)
    finally:  # a failed run's notebook shows where it failed: convert it too
        if executed.exists():
            html, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
            (out / f"{name}.html").write_text(html)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gonka_lab.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="Folder for the executed notebooks and HTML.")
    parser.add_argument("--participants", type=int, default=3)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="gonka-demo-"))
    print(f"starting a {args.participants}-participant devnet in {scratch / 'net'} …", flush=True)
    try:
        net = start_network(scratch / "net", args.participants)
    except DevnetError as error:
        print(f"demo: the devnet did not start: {str(error).splitlines()[0]}", file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)
        return 1
    failed = []
    try:
        for name in DEMO_NOTEBOOKS:
            print(f"running {name} …", flush=True)
            try:
                seconds = run_notebook(name, args.out, {"network_dir": str(net.dir), "gonka_home": str(scratch / "home")})
                print(f"  {name}: ok in {seconds:.0f} s -> {args.out / name}.html", flush=True)
            except papermill.PapermillExecutionError as error:
                failed.append(name)
                print(f"  {name}: FAILED in cell {error.exec_count}: {error.ename}: {error.evalue}", flush=True)
    finally:
        net.down(purge=True)
        shutil.rmtree(scratch, ignore_errors=True)  # the demo accounts' keyring too
        print("network stopped", flush=True)
    print(f"demo: {len(DEMO_NOTEBOOKS) - len(failed)}/{len(DEMO_NOTEBOOKS)} notebooks passed; outputs in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
