"""Ledger charts as matplotlib Figures (no pyplot state: they render inline in a notebook,
or save with `fig.savefig(path)`).

    from gonka_lab import plots
    plots.weight_distribution(ledger)
    plots.inference_volume(ledger, bucket_blocks=20)
    plots.rewards_per_participant(ledger)
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gonka_lab.ledger import Ledger

GNK = 10**9
OUTCOMES = ("FINISHED", "VALIDATED", "VOTING", "INVALIDATED", "EXPIRED", "STARTED")
_COLORS = {"FINISHED": "#8da0cb", "VALIDATED": "#66c2a5", "VOTING": "#ffd92f", "INVALIDATED": "#fc8d62",
           "EXPIRED": "#b3b3b3", "STARTED": "#e5c494"}


def short(address: str) -> str:
    """'gonka1abcdefgh…xyz' -> a label that still tells participants apart."""
    return address if len(address) <= 16 else f"{address[:10]}…{address[-4:]}"


def _empty(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in the ledger yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _stacked(ax: Axes, table: pd.DataFrame, x: list[float], width: float, colors: dict[str, str] | None = None) -> None:
    """Stacked bars at `x`: one bar per row of `table`, one segment per column."""
    bottom = pd.Series(0.0, index=table.index)
    for column in table.columns:
        color = (colors or {}).get(str(column))
        ax.bar(x, table[column], width=width, bottom=bottom, label=str(column), color=color)
        bottom += table[column]


def weight_distribution(ledger: Ledger) -> Figure:
    """Per epoch: each participant's share of PoC weight and of capped voting power."""
    frame = ledger.sql(
        "SELECT epoch, address, sum(weight)::BIGINT AS weight, sum(voting_power)::BIGINT AS voting_power "
        "FROM participants_by_epoch GROUP BY epoch, address ORDER BY epoch, address"
    )
    fig = Figure(figsize=(10, 4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    panels = (("weight", "PoC weight"), ("voting_power", "voting power (capped)"))
    for ax, (column, title) in zip(axes, panels, strict=True):
        ax.set_title(f"{title} share per epoch")
        if frame.empty:
            _empty(ax, "weights")
            continue
        table = frame.pivot_table(index="epoch", columns="address", values=column, aggfunc="sum", fill_value=0)
        totals = table.sum(axis=1).replace(0, 1)
        positions = list(range(len(table.index)))
        _stacked(ax, table.div(totals, axis=0).rename(columns=short), positions, 0.8)
        ax.set_xticks(positions, [str(epoch) for epoch in table.index])
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("share")
    if not frame.empty:
        axes[1].legend(title="participant", fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def inference_volume(ledger: Ledger, bucket_blocks: int = 10) -> Figure:
    """Inferences by the height they started (or were first seen), per bucket of blocks,
    split by their current outcome."""
    if bucket_blocks < 1:
        raise ValueError("bucket_blocks must be at least 1")
    frame = ledger.sql(
        f"SELECT (coalesce(started_height, finished_height, expired_height) // {bucket_blocks}) * {bucket_blocks} "
        "AS bucket, status, count(*) AS inferences FROM inferences GROUP BY ALL ORDER BY bucket"
    )
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    ax.set_title(f"inferences per {bucket_blocks} blocks, by outcome")
    if frame.empty:
        _empty(ax, "inferences")
        return fig
    table = frame.pivot_table(index="bucket", columns="status", values="inferences", aggfunc="sum", fill_value=0)
    order = [s for s in OUTCOMES if s in table.columns] + [s for s in table.columns if s not in OUTCOMES]
    # bars centred on their bucket of heights
    _stacked(ax, table[order], [b + bucket_blocks / 2 for b in table.index], bucket_blocks * 0.9, _COLORS)
    ax.set_xlabel("block height")
    ax.set_ylabel("inferences")
    ax.legend(fontsize="small")
    return fig


def rewards_per_participant(ledger: Ledger) -> Figure:
    """Coins per participant over all epochs: settled work and reward coins, claimed, forfeited, slashed (GNK)."""
    frame = ledger.sql(
        """
        WITH settled AS (SELECT address, sum(work_coins)::BIGINT AS work, sum(reward_coins)::BIGINT AS reward
                         FROM settlements GROUP BY address),
             moved AS (SELECT address,
                              sum(amount) FILTER (WHERE kind = 'claim')::BIGINT AS claimed,
                              sum(amount) FILTER (WHERE kind = 'forfeit')::BIGINT AS forfeited,
                              sum(amount) FILTER (WHERE kind = 'slash')::BIGINT AS slashed
                       FROM rewards WHERE kind IN ('claim', 'forfeit', 'slash') GROUP BY address)
        SELECT address, coalesce(work, 0) AS "work coins", coalesce(reward, 0) AS "reward coins",
               coalesce(claimed, 0) AS claimed, coalesce(forfeited, 0) AS forfeited, coalesce(slashed, 0) AS slashed
        FROM settled FULL JOIN moved USING (address) ORDER BY address
        """
    )
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    ax.set_title("rewards per participant")
    if frame.empty:
        _empty(ax, "rewards")
        return fig
    values = frame.set_index("address").rename(index=short).astype(float) / GNK
    width = 0.8 / len(values.columns)
    for i, column in enumerate(values.columns):
        ax.bar([x + i * width for x in range(len(values))], values[column], width=width, label=column)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(values))], list(values.index))
    ax.set_ylabel("GNK")
    ax.legend(fontsize="small")
    return fig
