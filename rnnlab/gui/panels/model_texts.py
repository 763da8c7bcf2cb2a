"""The model panel's texts and data: cell equations and notes, presets and tooltips.

Apart from the panel's code because they are long, and are edited for teaching, not for behaviour.
"""

from __future__ import annotations

from typing import Any

CELLS = (
    ("vanilla RNN (tanh)", "rnn", "h_t = tanh(W x_t + U h_{t−1} + b)"),
    ("vanilla RNN (ReLU)", "rnn-relu", "h_t = max(0, W x_t + U h_{t−1} + b)"),
    (
        "LSTM",
        "lstm",
        "i, f, o = σ(W x_t + U h_{t−1} + b) (one W, U, b per gate)<br>"
        "g = tanh(W_g x_t + U_g h_{t−1} + b_g)<br>c_t = f⊙c_{t−1} + i⊙g<br>h_t = o⊙tanh(c_t)",
    ),
    (
        "GRU",
        "gru",
        "r, z = σ(W x_t + U h_{t−1} + b) (one W, U, b per gate)<br>"
        "n = tanh(W_n x_t + b_in + r⊙(U_n h_{t−1} + b_hn))<br>h_t = (1−z)⊙n + z⊙h_{t−1}",
    ),
    (
        "SRU",
        "sru",
        "f = σ(W_f x_t + v_f⊙c_{t−1} + b_f)<br>r = σ(W_r x_t + v_r⊙c_{t−1} + b_r)<br>"
        "c_t = f⊙c_{t−1} + (1−f)⊙W x_t<br>h_t = r⊙c_t + (1−r)⊙x_t  (Lei et al. 2017)",
    ),
)
CELL_NOTES = {
    "rnn": "The simplest cell. Gradients shrink or explode through time: it forgets fast.",
    "rnn-relu": "Cheaper than tanh, but h is unbounded: without clipping it can blow up.",
    "lstm": "A memory cell c with forget (f), input (i) and output (o) gates: c carries "
    "information over hundreds of steps. The classic char-RNN cell.",
    "gru": "Two gates, no separate memory: close to LSTM quality with 3/4 of its parameters.",
    "sru": "Gates see c_{t−1} only element-wise, so the big matrix products run for all steps "
    "at once: fast on GPUs.",
}

# Each preset: (ModelConfig fields, TrainConfig fields, corpus the window switches to or None).
PRESETS: dict[str, tuple[dict[str, Any], dict[str, Any], str | None]] = {
    # Learns visibly on one laptop core: validation 2.1 nats/char after 15 s, 1.9 after 45 s.
    "Fast demo (CPU)": (
        dict(cell="lstm", layers=1, hidden_size=128, embedding_size=32, dropout=0.0),
        dict(
            batch_size=32,
            seq_len=64,
            optimizer="adam",
            learning_rate=3e-3,
            clip="norm",
            clip_value=5.0,
            threads=1,
        ),
        None,
    ),
    "Quality (GPU)": (
        dict(cell="lstm", layers=3, hidden_size=512, embedding_size=128, dropout=0.2),
        dict(
            batch_size=64,
            seq_len=128,
            optimizer="adam",
            learning_rate=2e-3,
            clip="norm",
            clip_value=5.0,
        ),
        None,
    ),
    # Measured on tinyshakespeare (seeds 1-4 and 1234): the loss falls from 4.2 to 3.2 in about
    # 6 steps, then the gradient norm jumps from ~1 to 10-300 and the loss to 20-400 nats/char
    # (the uniform guess is 4.2) within 10 steps, and stays there for hundreds of steps. The
    # same run with clipping at norm 1 (the threshold kept here) learns: 1.8 after 250 steps.
    # SGD's momentum 0.9 (TrainConfig's default) multiplies the effective step tenfold.
    "Vanilla RNN without clipping (watch it explode)": (
        dict(cell="rnn", layers=1, hidden_size=256, embedding_size=32, dropout=0.0),
        dict(
            batch_size=32,
            seq_len=128,
            optimizer="sgd",
            learning_rate=1.0,
            momentum=0.9,
            clip="none",
            clip_value=1.0,
        ),
        "tinyshakespeare",
    ),
    "Names generator (line mode)": (
        dict(cell="lstm", layers=1, hidden_size=128, embedding_size=32, dropout=0.0),
        dict(
            batch_size=64,
            seq_len=32,
            optimizer="adam",
            learning_rate=3e-3,
            clip="norm",
            clip_value=5.0,
        ),
        "names",
    ),
}


TOOLTIPS = {
    "presetCombo": "Settings for a purpose. <b>Fast demo</b>: learns visibly within a minute on a "
    "CPU. <b>Quality</b>: needs a GPU. <b>Vanilla RNN without clipping</b>: the loss explodes "
    "within seconds; restart with clipping at norm 1 and it learns. <b>Names generator</b>: "
    "one name per line, samples new names.",
    "layersSpin": "Recurrent layers stacked; each reads the h of the layer below. Typical: 1–3. "
    "More layers learn more abstract patterns but train slower and overfit small texts.",
    "hiddenSizeSpin": "Units in each layer's hidden state h: the model's memory. Typical: 128 "
    "(fast) to 512 (quality). Too small: the loss stalls high. Too big: slow on a CPU and it "
    "memorises a small text. Parameters grow with its square.",
    "embeddingSizeSpin": "Length of the learned vector each character becomes before the first "
    "layer. Typical: 16–128; a character vocabulary is small, so more rarely helps.",
    "dropoutSpin": "Share of activations zeroed at random while training, between layers and "
    "before the output. Typical: 0 for small models, 0.1–0.3 for big ones. Raise it when the "
    "validation loss rises while the training loss falls (overfitting); too high slows learning.",
    "batchSizeSpin": "Text windows trained side by side in one step. Typical: 32–64 on a CPU, "
    "64–256 on a GPU. Bigger: smoother gradients, more characters/s on a GPU. Too small: a "
    "noisy loss.",
    "seqLenSpin": "Truncated backpropagation through time: characters per training window. The "
    "state flows on to the next window, the gradient goes back only this far. Typical: 64–128. "
    "Longer: longer dependencies, slower steps, and vanilla RNN gradients vanish or explode.",
    "optimizerCombo": "How a gradient becomes a weight update. <b>Adam</b>: a step size per "
    "weight; works almost always at 1e-3…3e-3. <b>AdamW</b>: Adam with decoupled weight decay. "
    "<b>SGD</b> (momentum 0.9): the textbook rule; needs 0.1…1 and clipping. <b>RMSprop</b>: "
    "the RNN classic before Adam, 1e-3.",
    "learningRateSpin": "Size of each update; changes live while training. Adam: 1e-3…3e-3; "
    "SGD: 0.1…1. Too high and the loss jumps or becomes NaN; too low and it creeps down. "
    "Arrows multiply by 1.78 (four steps per ×10). Type 3e-3 or 0.003.",
    "clipModeCombo": "Gradient clipping, changes live: stops one huge gradient (an exploding "
    "RNN) from wrecking the weights. <b>norm</b>: shrink the whole gradient when its length is "
    "above the threshold (standard). <b>value</b>: clamp each element. <b>none</b>: no limit.",
    "clipValueSpin": "Clipping threshold, changes live. norm: typical 1–5; too small slows "
    "every step, too large never clips. value: typical 0.5–5.",
    "seedSpin": "Random seed for the initial weights, dropout and batch order. Same seed and "
    "settings, same run; change it to see how much runs vary.",
    "deviceCombo": "Where training runs. A GPU pays off for big models (Quality preset); small "
    "models train well on the CPU.",
    "threadsSpin": "CPU threads for training. Keep 1 while the window is open on a machine with "
    "few cores: the window needs part of a core to draw, and two training threads then wait "
    "for each other, measured at a fraction of one thread's speed on 2 cores. More only with "
    "many idle cores.",
    "parameterCount": "Weights the model learns: embedding (V×E), the recurrent layers (LSTM "
    "4 gates, GRU 3, RNN 1) and the output layer (H×V + V). Training with Adam needs about "
    "16 bytes per parameter.",
}
CELL_INTRO = "<b>Recurrent cell</b>: how h_t is computed from the input x_t and h_{t−1}.<br>"

# The forget-bias control's tooltip: the first part for every cell with a memory gate, then a
# line naming the current cell's gate and its default (rnnlab.gui.panels.forget_bias_spin).
FORGET_BIAS_TIP = (
    "Where the gate that keeps memory starts: the LSTM forget gate, the GRU update gate, the "
    "SRU forget gate. A positive bias starts it open (σ(1) ≈ 0.73), so early training "
    "remembers instead of forgetting and the gradient reaches far back (Gers et al. 2000). "
    "Jozefowicz et al. 2015 found that +1 closes most of the gap between LSTM and GRU; "
    "char-rnn uses 1. PyTorch instead draws it uniformly in ±1/√H (its issue #20102): the gate "
    "starts half open and a long memory task can sit at chance for thousands of steps. "
    "<b>cell default</b>, the lowest entry: the cell's own start. Typical: 1–2."
)
NO_MEMORY_GATE_TIP = (
    "A vanilla RNN has no gate that keeps memory: h_t is rewritten from x_t and h_{t−1} at "
    "every step, so there is no bias to start open. Choose LSTM, GRU or SRU to set one; the "
    "value shown is kept for them."
)
# While the data is a task (set_task_mode): why some text settings are off.
TASK_SEQUENCE_TIP = (
    "On a task, a sequence is one backpropagation window whatever this says: each sequence "
    "starts from a zero state and the gradient flows back through all of it, so the task length "
    "T sets the window."
)
TASK_PRESET_TIP = (
    "The presets are tuned for text, and two of them open a corpus: off while a task is the data."
)
NUMERIC_INPUT_TIP = (
    "Width of the linear layer that turns each step's numbers (a value and a marker for the "
    "adding task) into a vector before the first recurrent layer. Typical: 16–64."
)
