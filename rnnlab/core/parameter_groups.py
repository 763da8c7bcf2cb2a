"""Which group a parameter belongs to, for the views' gradient norms per group (the trainer
measures them each step; ``Trainer.group_grad_norms``)."""

from __future__ import annotations


def parameter_group(name: str) -> str:
    """A parameter's group for the views: "embedding" (a numeric task's "input layer"), "layer 2
    input", "layer 2 recurrent", "output". Biases join their weights; SRU's element-wise v_f,
    v_r and biases are its recurrent part (they act on c_(t-1)), its stacked input matrix the
    input part."""
    if name.startswith("embedding."):
        return "embedding"
    if name.startswith("input_layer."):
        return "input layer"
    if name.startswith("head."):
        return "output"
    if name.startswith("recurrent."):  # weight_ih_l0, bias_hh_l1, ...
        kind, layer = name.rsplit("_", 2)[-2:]
        part = "input" if kind == "ih" else "recurrent"
        return f"layer {int(layer.removeprefix('l')) + 1} {part}"
    if name.startswith("sru_layers."):  # sru_layers.0.weight, sru_layers.0.forget_bias, ...
        _, layer, attribute = name.split(".")
        return f"layer {int(layer) + 1} {'input' if attribute == 'weight' else 'recurrent'}"
    return name
