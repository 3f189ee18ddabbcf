"""Epoch reward with exponential decay, and its split by weight (reference protocol.md §7).

R(epoch) = initial · exp(−decay · (epoch − genesis_epoch)) is computed with
integers only: exp is a Taylor series after halving the argument below 1/16,
then squared back, all in binary fixed point with 64 guard bits. Python
integers are exact, so every machine gets the same bits. Precision: the
scaled result is within one unit (2^-128 absolute) of the true e^-x · 2^128
for 0 <= x <= 64 (tests check it against 80-digit decimal arithmetic), so
R(epoch) is the floor of the exact value unless that lies within ~10^-24
ngonka of an integer.
"""

from __future__ import annotations

from collections.abc import Sequence

EXP_FRACTION_BITS = 128  # exp_neg_scaled returns e^-x · 2^128
_GUARD_BITS = 64
_WORK_BITS = EXP_FRACTION_BITS + _GUARD_BITS
_PPB = 1_000_000_000


def exp_neg_scaled(numerator: int, denominator: int) -> int:
    """floor-ish(e^(−numerator/denominator) · 2^128) for numerator >= 0 < denominator."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("exp_neg_scaled needs numerator >= 0 and denominator > 0")
    halvings = 0
    while numerator * 16 > denominator << halvings:  # until y = x / 2^halvings <= 1/16
        halvings += 1
    reduced_den = denominator << halvings
    one = 1 << _WORK_BITS
    total, term, i = one, one, 0
    while term:  # alternating Taylor series of e^-y; each term is at most 1/16 of the last
        i += 1
        term = term * numerator // (reduced_den * i)
        total += -term if i % 2 else term
    for _ in range(halvings):
        total = total * total >> _WORK_BITS
    return total >> _GUARD_BITS


def epoch_reward(initial: int, decay_rate_ppb: int, genesis_epoch: int, epoch: int) -> int:
    """The fixed reward of `epoch` in ngonka; 0 before genesis_epoch."""
    if epoch < genesis_epoch:
        return 0
    factor = exp_neg_scaled(decay_rate_ppb * (epoch - genesis_epoch), _PPB)
    return initial * factor >> EXP_FRACTION_BITS


def split_by_weight(amount: int, weights: Sequence[int]) -> list[int]:
    """Shares proportional to `weights`, each floored; the remainder goes to the first recipient."""
    total = sum(weights)
    if total == 0:
        return [0] * len(weights)
    shares = [amount * weight // total for weight in weights]
    shares[0] += amount - sum(shares)
    return shares
