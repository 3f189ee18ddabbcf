"""`gonka ml ...`: ML node tools. `gonka ml pow` recomputes PoW 2.0 nonces for anyone to check."""

from __future__ import annotations

import json

import click


def parse_nonces(spec: str) -> list[int]:
    """`A:B` (A included, B excluded), `N`, or a comma-separated mix such as `7,10:20`."""
    nonces: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        try:
            if ":" in part:
                low_text, high_text = part.split(":")
                low, high = int(low_text), int(high_text)
                if not 0 <= low < high:
                    raise ValueError
                nonces.extend(range(low, high))
            else:
                value = int(part)
                if value < 0:
                    raise ValueError
                nonces.append(value)
        except ValueError:
            raise click.BadParameter(
                f"{part!r} is not a nonce N >= 0 or a range A:B with 0 <= A < B", param_hint="--nonces"
            ) from None
    return nonces


@click.group()
def group() -> None:
    """ML node tools."""


@group.command("pow", short_help="Recompute PoW 2.0 distances of nonces.")
@click.option(
    "--params", "params_spec", required=True,
    help="devnet, testnet, mainnet, or a JSON file with the reference's field names.",
)
@click.option("--block-hash", required=True, help="Block hash that seeds the model and the target.")
@click.option("--public-key", required=True, help="Public key of the participant whose nonces these are.")
@click.option("--nonces", "nonce_spec", required=True, help="A:B (B excluded), N, or a comma-separated mix.")
@click.option("--dtype", type=click.Choice(["float32", "float16"]), default="float32", show_default=True)
@click.option("--r-target", type=float, default=None, help="Acceptance radius [default: 1.4013564660458173].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def pow_command(
    params_spec: str,
    block_hash: str,
    public_key: str,
    nonce_spec: str,
    dtype: str,
    r_target: float | None,
    as_json: bool,
) -> None:
    """Recompute PoW 2.0 distances of nonces and say which are valid (distance < r_target)."""
    # Imported here so `gonka --help` does not load torch.
    from node.ml.pow.engine import DTYPES, PowEngine
    from node.ml.pow.params import R_TARGET, PowParams

    nonces = parse_nonces(nonce_spec)
    try:
        params = PowParams.resolve(params_spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--params") from None
    radius = R_TARGET if r_target is None else r_target
    try:
        engine = PowEngine(params, block_hash, public_key, dtype=DTYPES[dtype], r_target=radius)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    dists = engine.distances(nonces)
    results = [{"nonce": n, "distance": float(d), "valid": bool(d < radius)} for n, d in zip(nonces, dists)]
    if as_json:
        report = {
            "params": params.to_dict(),
            "block_hash": block_hash,
            "public_key": public_key,
            "dtype": dtype,
            "r_target": radius,
            "results": results,
        }
        click.echo(json.dumps(report, indent=2))
        return
    width = max(5, *(len(str(n)) for n in nonces))
    click.echo(f"{'nonce':>{width}}  {'distance':<20}  valid")
    for row in results:
        click.echo(f"{row['nonce']:>{width}}  {row['distance']!r:<20}  {'yes' if row['valid'] else 'no'}")
    valid = sum(row["valid"] for row in results)
    click.echo(f"{valid} of {len(results)} valid (r_target {radius!r}, {dtype})")
