"""What each cell exposes to the views: gate and state names, their value ranges, their meaning,
and the gate that keeps memory with the bias it starts at.

Torch-free, so the window's views can read it before torch has loaded; ``rnnlab.core.cells``
computes the values under these names, and ``rnnlab.core.models`` sets the memory gate's bias.
"""

from __future__ import annotations

# The gates and states each cell exposes to the views, in display order.
GATE_NAMES: dict[str, tuple[str, ...]] = {
    "rnn": ("pre", "h"),
    "rnn-relu": ("pre", "h"),
    "lstm": ("i", "f", "g", "o", "c", "h"),
    "gru": ("r", "z", "n", "h"),
    "sru": ("f", "r", "c", "h"),
}

# Which states each cell carries from step to step, in the order of the model's state tuple.
STATE_NAMES: dict[str, tuple[str, ...]] = {
    "rnn": ("h",),
    "rnn-relu": ("h",),
    "lstm": ("h", "c"),
    "gru": ("h",),
    "sru": ("c",),
}

# The range a value can take, which fixes its colour levels:
# "sigmoid" 0..1, "tanh" -1..1, "relu" 0..unbounded, "unbounded" either sign.
_SIGMOID, _TANH, _RELU, _UNBOUNDED = "sigmoid", "tanh", "relu", "unbounded"
VALUE_RANGES: dict[str, dict[str, str]] = {
    "rnn": {"pre": _UNBOUNDED, "h": _TANH},
    "rnn-relu": {"pre": _UNBOUNDED, "h": _RELU},
    "lstm": {"i": _SIGMOID, "f": _SIGMOID, "g": _TANH, "o": _SIGMOID, "c": _UNBOUNDED, "h": _TANH},
    "gru": {"r": _SIGMOID, "z": _SIGMOID, "n": _TANH, "h": _TANH},
    # h = r ⊙ c + (1 - r) ⊙ x carries the layer input x through the highway: any sign, any size.
    "sru": {"f": _SIGMOID, "r": _SIGMOID, "c": _UNBOUNDED, "h": _UNBOUNDED},
}

# One line per gate and state, for tooltips and view titles: what a student should read in it.
MEANINGS: dict[str, dict[str, str]] = {
    "rnn": {
        "pre": "pre-activation W_ih x_t + W_hh h_(t-1) + b: beyond ±2, tanh saturates",
        "h": "hidden state h_t = tanh(pre): all the memory a vanilla RNN has",
    },
    "rnn-relu": {
        "pre": "pre-activation W_ih x_t + W_hh h_(t-1) + b",
        "h": "hidden state h_t = relu(pre): 0 where the unit is off",
    },
    "lstm": {
        "i": "input gate: 1 writes the candidate g into the cell, 0 ignores it",
        "f": "forget gate: 1 keeps the cell state, 0 erases it",
        "g": "candidate g = tanh(...): what would be written into the cell",
        "o": "output gate: how much of tanh(c) is shown as h",
        "c": "cell state c_t = f ⊙ c_(t-1) + i ⊙ g: the long-term memory, unbounded",
        "h": "hidden state h_t = o ⊙ tanh(c_t): what the next layer and the output see",
    },
    "gru": {
        "r": "reset gate: 0 makes the candidate ignore the previous state",
        "z": "update gate: 1 keeps the previous state, 0 takes the candidate",
        "n": "candidate n = tanh(...): the proposed new state",
        "h": "hidden state h_t = (1 - z) ⊙ n + z ⊙ h_(t-1)",
    },
    "sru": {
        "f": "forget gate: 1 keeps the cell state, 0 replaces it with the input",
        "r": "reset (highway) gate: 1 shows the cell state, 0 passes the input through",
        "c": "cell state c_t = f ⊙ c_(t-1) + (1 - f) ⊙ W x_t: the memory, unbounded",
        "h": "output h_t = r ⊙ c_t + (1 - r) ⊙ x_t",
    },
}

# The bias each cell's memory gate starts with, where ModelConfig.forget_bias is None: the
# forget gate of LSTM and SRU, the update gate of GRU (the share of h_(t-1) it keeps). None
# leaves PyTorch's own draw, uniform in ±1/√H (PyTorch issue #20102).
# - LSTM 1: an open forget gate remembers from the first step (Gers et al. 2000; Jozefowicz
#   et al. 2015; char-rnn). Measured: recall at T = 20 sat at chance for 2,700 steps with
#   PyTorch's draw and was solved in 330 steps with 1.
# - GRU and SRU keep theirs: measured (equal parameters, one core, raced in turns), a bias of 1
#   changed nothing that holds up. Adding at T = 50, 30 s, two seeds: GRU solved it at the
#   same validation (steps 300 and 400) with PyTorch's draw and with 1; SRU solved it either
#   way, 100-200 steps sooner with 1 (final loss 0.006 against 0.045 x chance). tinyshakespeare,
#   1 x 128, 60 s: GRU 1.687 with PyTorch's draw, 1.679 with 1 (noise); SRU 1.876 with 0, 1.895
#   with 1. No default wins on both, so each cell keeps the start it had; forgetBiasSpin lets a
#   class try it.
DEFAULT_FORGET_BIAS: dict[str, float | None] = {"lstm": 1.0, "gru": None, "sru": 0.0}
MEMORY_GATES = {"lstm": "forget gate", "gru": "update gate", "sru": "forget gate"}


def value_range(cell: str, name: str) -> str:
    """ "sigmoid", "tanh", "relu" or "unbounded" for gate or state ``name`` of ``cell``."""
    return VALUE_RANGES[cell][name]
