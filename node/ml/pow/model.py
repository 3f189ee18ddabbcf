"""The PoW 2.0 transformer: a Llama-3.1-style decoder fed with embeddings instead of tokens.

Module and parameter names and their order follow the reference (Karpathy's nano-llama3.1 port):
they name the per-parameter offsets into the seeded weight pool, so renaming anything changes
every weight. The forward repeats the reference's operations one by one (same dtypes, same order,
same kernels) so that the distances agree bit for bit; the only change is that the final norm and
the output projection run at the last position only, the one position whose logits are used.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from node.ml.pow.params import PowParams

# Rows of the output projection are padded to a multiple of this: the BLAS gives a row the same
# bits whatever the batch only when the row count is a multiple of its kernel height (4 with
# 1 thread, 4 per thread with more). 32 covers that and equals the row count of the reference's
# all-positions projection at its smallest seq_len, so one nonce costs no more than there.
_HEAD_ROW_MULTIPLE = 32


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.empty(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = x.float()
        normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return normed.type_as(x) * self.weight


def rope_table(params: PowParams) -> torch.Tensor:
    """(cos, sin) pairs [2*seq_len, head_dim/2, 2] in float32, built with the reference's ops."""
    head_dim = params.head_dim
    freqs = 1.0 / (params.rope_theta ** (torch.arange(0, head_dim, 2)[: head_dim // 2].float() / head_dim))
    positions = torch.arange(2 * params.seq_len, dtype=torch.float32)
    angles = torch.outer(positions, freqs)
    return torch.stack([angles.cos(), angles.sin()], dim=-1)


def apply_rope(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Rotate interleaved pairs (x[2i], x[2i+1]) of x [B, S, heads, head_dim] in float32."""
    pairs = x.float().reshape(*x.shape[:-1], -1, 2)
    table = table.view(1, pairs.size(1), 1, pairs.size(3), 2)
    rotated = torch.stack(
        [
            pairs[..., 0] * table[..., 0] - pairs[..., 1] * table[..., 1],
            pairs[..., 1] * table[..., 0] + pairs[..., 0] * table[..., 1],
        ],
        -1,
    )
    return rotated.flatten(3).type_as(x)


class Attention(nn.Module):
    def __init__(self, params: PowParams) -> None:
        super().__init__()
        self.n_heads = params.n_heads
        self.n_kv_heads = params.kv_heads
        self.head_dim = params.head_dim
        self.wq = nn.Linear(params.dim, self.n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(params.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(params.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(self.n_heads * self.head_dim, params.dim, bias=False)

    def forward(self, x: torch.Tensor, rope: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        bsz, seqlen, _ = x.shape
        xq = self.wq(x).view(bsz, seqlen, self.n_heads, self.head_dim)
        xk = self.wk(x).view(bsz, seqlen, self.n_kv_heads, self.head_dim)
        xv = self.wv(x).view(bsz, seqlen, self.n_kv_heads, self.head_dim)
        xq = apply_rope(xq, rope)
        xk = apply_rope(xk, rope)
        keys = _repeat_kv(xk, self.n_heads // self.n_kv_heads)
        values = _repeat_kv(xv, self.n_heads // self.n_kv_heads)
        xq, keys, values = (t.transpose(1, 2) for t in (xq, keys, values))
        scores = torch.matmul(xq, keys.transpose(2, 3)) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores + mask
        scores = F.softmax(scores.float(), dim=-1).type_as(xq)
        output = torch.matmul(scores, values)
        return self.wo(output.transpose(1, 2).contiguous().view(bsz, seqlen, -1))


def _repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    if n_rep == 1:
        return x
    bsz, seqlen, n_kv_heads, head_dim = x.shape
    return x[:, :, :, None, :].expand(bsz, seqlen, n_kv_heads, n_rep, head_dim).reshape(
        bsz, seqlen, n_kv_heads * n_rep, head_dim
    )


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.w1 = nn.Linear(dim, hidden_dim, bias=False)
        self.w2 = nn.Linear(hidden_dim, dim, bias=False)
        self.w3 = nn.Linear(dim, hidden_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class TransformerBlock(nn.Module):
    def __init__(self, params: PowParams) -> None:
        super().__init__()
        self.attention = Attention(params)
        self.feed_forward = FeedForward(params.dim, params.ffn_hidden_dim)
        self.attention_norm = RMSNorm(params.dim, params.norm_eps)
        self.ffn_norm = RMSNorm(params.dim, params.norm_eps)

    def forward(self, x: torch.Tensor, rope: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        h = x + self.attention(self.attention_norm(x), rope, mask)
        return h + self.feed_forward(self.ffn_norm(h))


class Transformer(nn.Module):
    def __init__(self, params: PowParams) -> None:
        super().__init__()
        self.params = params
        # Never used (inputs are embeddings), but it is named, counted and seeded like the rest.
        self.tok_embeddings = nn.Embedding(params.vocab_size, params.dim)
        self.layers = nn.ModuleList(TransformerBlock(params) for _ in range(params.n_layers))
        self.norm = RMSNorm(params.dim, params.norm_eps)
        self.output = nn.Linear(params.dim, params.vocab_size, bias=False)
        # A plain attribute, not a buffer: it stays float32 whatever dtype the weights take.
        self.rope = rope_table(params)

    def hidden_states(self, h: torch.Tensor) -> torch.Tensor:
        """Run the blocks on input embeddings [B, seq_len, dim] (positions from 0, causal)."""
        seqlen = h.shape[1]
        rope = self.rope[:seqlen].to(h.dtype)
        mask = None
        if seqlen > 1:
            mask = torch.triu(torch.full((seqlen, seqlen), float("-inf"), dtype=h.dtype), diagonal=1)
        for layer in self.layers:
            h = layer(h, rope, mask)
        return h

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Last-position logits [B, vocab_size] in float32."""
        last = h.new_zeros(-(-h.shape[0] // _HEAD_ROW_MULTIPLE) * _HEAD_ROW_MULTIPLE, h.shape[2])
        last[: h.shape[0]] = self.hidden_states(h)[:, -1, :]
        return self.output(self.norm(last))[: h.shape[0]].float()
