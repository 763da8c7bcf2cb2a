"""Character models: embedding -> L stacked recurrent layers -> linear head.

A numeric task's model reads its numbers through a linear input layer in place of the
embedding, and its head may give one number (``ModelConfig.input_size``, ``output_size``).

RNN, LSTM and GRU train on PyTorch's fused multi-layer modules (the fastest path on CPU and
GPU). SRU (Lei et al. 2017) is ours: its input projections are one matrix product over all time
steps and only the element-wise recurrence loops (``rnnlab.core.cells.recur``).

State: a tuple of (L, B, H) tensors, in the order of ``STATE_NAMES[cell]``:
(h,) for RNN and GRU, (h, c) for LSTM, (c,) for SRU.
"""

from __future__ import annotations

import math
from typing import cast

import torch
from torch import nn

from rnnlab.core import cells
from rnnlab.core.cell_names import DEFAULT_FORGET_BIAS, MEMORY_GATES, STATE_NAMES
from rnnlab.core.config import ModelConfig

State = tuple[torch.Tensor, ...]

_FUSED = {"rnn": nn.RNN, "rnn-relu": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def forget_bias_of(config: ModelConfig) -> float | None:
    """The memory gate's starting bias of this model (None: PyTorch's draw, or no such gate)."""
    if config.cell not in MEMORY_GATES:
        return None
    return DEFAULT_FORGET_BIAS[config.cell] if config.forget_bias is None else config.forget_bias


class SRULayer(nn.Module):
    """One SRU layer (Lei et al. 2017):

        f_t = σ(W_f x_t + v_f ⊙ c_{t-1} + b_f)        r_t = σ(W_r x_t + v_r ⊙ c_{t-1} + b_r)
        c_t = f_t ⊙ c_{t-1} + (1 - f_t) ⊙ W x_t       h_t = r_t ⊙ c_t + (1 - r_t) ⊙ x_t

    Where the input width differs from the hidden size, x_t in the highway term is projected
    (W_skip x_t), stacked into the same matrix product as W, W_f and W_r.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        chunks = 3 if input_size == hidden_size else 4
        self.weight = nn.Parameter(torch.empty(chunks * hidden_size, input_size))
        self.forget_weight = nn.Parameter(torch.empty(hidden_size))  # v_f
        self.reset_weight = nn.Parameter(torch.empty(hidden_size))  # v_r
        self.forget_bias = nn.Parameter(torch.zeros(hidden_size))  # b_f (set by CharModel)
        self.reset_bias = nn.Parameter(torch.zeros(hidden_size))  # b_r
        bound = 1.0 / math.sqrt(hidden_size)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.forget_weight, -bound, bound)
        nn.init.uniform_(self.reset_weight, -bound, bound)

    def layer_weights(self) -> cells.LayerWeights:
        return cells.LayerWeights(
            cell="sru",
            hidden_size=self.hidden_size,
            w_ih=self.weight,
            b_ih=None,
            v_f=self.forget_weight,
            v_r=self.reset_weight,
            b_f=self.forget_bias,
            b_r=self.reset_bias,
        )

    def forward(self, inputs: torch.Tensor, c0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """inputs (B, T, D), c0 (B, H) -> outputs (B, T, H), c_T (B, H)."""
        outputs, (c_last,) = cells.run_layer(self.layer_weights(), inputs, (c0,))
        return torch.stack(outputs, dim=1), c_last


class CharModel(nn.Module):
    """Predicts the next character at every position of a batch of character codes."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        hidden, layers = config.hidden_size, config.layers
        if config.input_size:  # numbers a step: (B, T, input_size) -> (B, T, E)
            self.input_layer = nn.Linear(config.input_size, config.embedding_size)
        else:
            self.embedding = nn.Embedding(config.vocab_size, config.embedding_size)
        if config.cell == "sru":
            widths = [config.embedding_size] + [hidden] * (layers - 1)
            self.sru_layers = nn.ModuleList(SRULayer(width, hidden) for width in widths)
        else:
            options = {"nonlinearity": "relu" if config.cell == "rnn-relu" else "tanh"}
            self.recurrent = _FUSED[config.cell](
                config.embedding_size,
                hidden,
                num_layers=layers,
                batch_first=True,
                dropout=config.dropout if layers > 1 else 0.0,
                **(options if config.cell.startswith("rnn") else {}),
            )
        bias = forget_bias_of(config)
        if bias is not None:
            _set_memory_bias(self, bias)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(hidden, config.outputs)

    def initial_state(self, batch_size: int, device: torch.device | str = "cpu") -> State:
        """A zero state: one (L, B, H) tensor per carried state."""
        shape = (self.config.layers, batch_size, self.config.hidden_size)
        names = STATE_NAMES[self.config.cell]
        return tuple(torch.zeros(shape, device=device) for _ in names)

    def forward(
        self, tokens: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State]:
        """tokens (B, T) int64 (or a numeric task's (B, T, D) float32) -> outputs (B, T, V) and
        the state after the last step."""
        if state is None:
            state = self.initial_state(tokens.shape[0], tokens.device)
        embedded = self.embed(tokens)  # (B, T, E)
        if self.config.cell == "sru":
            outputs, state = self._sru_forward(embedded, state)
        elif self.config.cell == "lstm":
            outputs, state = self.recurrent(embedded, state)
        else:
            outputs, hidden = self.recurrent(embedded, state[0])
            state = (hidden,)
        return self.head(self.dropout(outputs)), state

    def embed(self, inputs: torch.Tensor) -> torch.Tensor:
        """The input layer: codes (B, T) through the embedding, or numbers (B, T, D) through a
        linear layer -> (B, T, E)."""
        if self.config.input_size:
            return self.input_layer(inputs)
        return self.embedding(inputs)

    def _sru_forward(self, embedded: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        outputs, finals = embedded, []
        for index, layer in enumerate(self.sru_layers):
            if index > 0:
                outputs = self.dropout(outputs)  # between layers, as nn.LSTM's dropout
            outputs, c_last = layer(outputs, state[0][index])
            finals.append(c_last)
        return outputs, (torch.stack(finals),)

    def layer_weights(self, layer: int) -> cells.LayerWeights:
        """Layer ``layer``'s weights under the names of the cell equations (shared, not copied)."""
        if self.config.cell == "sru":
            # sru_layers holds only SRULayer; ModuleList's items are typed as plain Modules.
            return cast(SRULayer, self.sru_layers[layer]).layer_weights()
        return cells.fused_layer_weights(self.recurrent, self.config.cell, layer)

    def recurrent_matrices(self) -> list[torch.Tensor]:
        """Each layer's recurrent weight matrix (w_hh), for spectral-norm views; empty for SRU."""
        if self.config.cell == "sru":
            return []
        matrices = []
        for layer in range(self.config.layers):
            w_hh = self.layer_weights(layer).w_hh
            assert w_hh is not None  # fused cells always have one; only SRU's is None
            matrices.append(w_hh)
        return matrices

    def parameter_count(self) -> int:
        return sum(parameter.numel() for parameter in self.parameters())


def _set_memory_bias(model: CharModel, value: float) -> None:
    """Start every layer's memory gate at bias ``value``.

    Fused cells add b_ih and b_hh, so b_ih takes the value and b_hh 0. The gate is the second
    slice of H rows in both of PyTorch's layouts: LSTM (i, f, g, o), GRU (r, z, n).
    """
    with torch.no_grad():
        if model.config.cell == "sru":
            for layer in model.sru_layers:
                cast(SRULayer, layer).forget_bias.fill_(value)
            return
        hidden = model.config.hidden_size
        for index in range(model.config.layers):
            getattr(model.recurrent, f"bias_ih_l{index}")[hidden : 2 * hidden].fill_(value)
            getattr(model.recurrent, f"bias_hh_l{index}")[hidden : 2 * hidden].fill_(0.0)
