"""Ready-made SQL views over the ledger tables; each is also queryable by name in SQL.

The inference views read inference_totals (totals.py), which the writer keeps up to date, so
they answer in milliseconds on millions of inferences. Sums are cast back to BIGINT: DuckDB
sums BIGINTs into HUGEINT, which pandas would turn into floats and round large ngonka amounts."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class View:
    name: str
    description: str
    sql: str


VIEWS: tuple[View, ...] = (
    View(
        "tokens_served",
        "Tokens served per participant (executor) per epoch, with the coins earned for them.",
        """
        SELECT epoch, executor AS participant, inferences, prompt_tokens, completion_tokens, tokens,
               cost AS cost_ngonka
        FROM inference_totals
        WHERE inferences > 0
        ORDER BY epoch, participant
        """,
    ),
    View(
        "validation_rate",
        "Share of each executor's finished inferences that were validated, next to its reputation.",
        """
        SELECT epoch, executor AS participant, reputation_sum / reputations AS reputation, inferences, validated,
               validated / inferences AS validation_rate, invalidated
        FROM inference_totals
        WHERE inferences > 0
        ORDER BY epoch, participant
        """,
    ),
    View(
        "rewards_vs_weight",
        "Per epoch and participant: PoC weight and voting power against the coins settled, claimed and forfeited.",
        """
        WITH weights AS (
            SELECT epoch, address, sum(weight)::BIGINT AS weight, sum(voting_power)::BIGINT AS voting_power
            FROM participants_by_epoch GROUP BY epoch, address
        ), settled AS (
            SELECT epoch, address, sum(work_coins)::BIGINT AS work_coins, sum(reward_coins)::BIGINT AS reward_coins
            FROM settlements GROUP BY epoch, address
        ), paid AS (
            SELECT epoch, address,
                   sum(amount) FILTER (WHERE kind = 'claim')::BIGINT AS claimed,
                   sum(amount) FILTER (WHERE kind = 'forfeit')::BIGINT AS forfeited
            FROM rewards WHERE kind IN ('claim', 'forfeit') GROUP BY epoch, address
        )
        SELECT epoch, address AS participant, weight,
               weight / sum(weight) OVER (PARTITION BY epoch) AS weight_share,
               voting_power, work_coins, reward_coins,
               reward_coins / sum(reward_coins) OVER (PARTITION BY epoch) AS reward_share,
               claimed, forfeited
        FROM weights FULL JOIN settled USING (epoch, address) FULL JOIN paid USING (epoch, address)
        ORDER BY epoch, participant
        """,
    ),
    View(
        "cheaters_caught",
        "Every participant marked a cheater or jailed, with its invalidated inferences, slashes and forfeits.",
        """
        WITH caught AS (
            SELECT address, min(height) AS first_caught_height, list(DISTINCT epoch ORDER BY epoch) AS epochs,
                   list(DISTINCT reason ORDER BY reason) AS reasons, count(*) AS marks,
                   bool_or(source = 'validator_jailed') AS jailed
            FROM cheaters GROUP BY address
        ), invalidated AS (
            SELECT executor AS address, sum(invalidated)::BIGINT AS invalidated_inferences
            FROM inference_totals GROUP BY executor
        ), penalties AS (
            SELECT address,
                   sum(amount) FILTER (WHERE kind = 'slash')::BIGINT AS slashed,
                   sum(amount) FILTER (WHERE kind = 'forfeit')::BIGINT AS forfeited
            FROM rewards WHERE kind IN ('slash', 'forfeit') GROUP BY address
        )
        SELECT caught.address AS participant, first_caught_height, epochs, reasons, marks, jailed,
               coalesce(invalidated_inferences, 0) AS invalidated_inferences,
               coalesce(slashed, 0) AS slashed, coalesce(forfeited, 0) AS forfeited
        FROM caught LEFT JOIN invalidated USING (address) LEFT JOIN penalties USING (address)
        ORDER BY first_caught_height, participant
        """,
    ),
)

BY_NAME = {view.name: view for view in VIEWS}


def create(con: duckdb.DuckDBPyConnection) -> None:
    for view in VIEWS:
        con.execute(f"CREATE OR REPLACE VIEW {view.name} AS {view.sql}")
