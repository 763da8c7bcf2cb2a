"""The sample panel's tooltips: what each control does to the text the model writes.

Apart from the panel's code because they are long, and are edited for teaching, not for behaviour.
"""

from __future__ import annotations

TIPS = {
    "primeEdit": "The prime: text fed to the model before it writes. It sets the context.",
    "linePrime": "The prefix: every generated line starts with it (e.g. a name's first letters).",
    "temperatureSlider": "Temperature divides the scores before they become probabilities.\n"
    "Below 1: safer, repetitive; above 1: more surprising, more mistakes.\n"
    "Watch the chart change as you move it.",
    "temperatureLabel": "The current temperature (1 = the model's own probabilities).",
    "lengthSpin": "How many characters to generate after the prime.",
    "lineCountSpin": "How many lines (e.g. names) to generate; each starts with the prefix.",
    "topKSpin": "Top-k: draw only among the k most likely characters (off = all of them).\n"
    "A small k cuts off rare characters: fewer typos, less variety.",
    "greedyCheck": "Greedy: always take the single most likely character. No dice, so the same\n"
    "prime gives the same text every time; it often falls into loops.\n"
    "Ignores temperature and top-k.",
    "sampleButton": "Generate text from the model as it is now (Ctrl+G).\n"
    "Press again (or Esc) to stop.",
    "sampleOutput": "The prime, then what the model wrote, one character at a time.",
    "nextCharPlot": "The 15 most likely characters after the prime at the current temperature.\n"
    "Sampling rolls a die weighted by these bars (␣ is a space, ⏎ a new line).",
    "autoSampleCheck": "While training, add a short sample to the timeline every few seconds\n"
    "or at chosen steps: watch the text go from noise to words. The dice are the same\n"
    "each time, so the changes come from training, not luck.",
    "autoSampleModeCombo": "When to add a sample: every few seconds of the clock, or at chosen\n"
    "training steps (the same steps give the same model on any machine).",
    "autoSampleSeconds": "Seconds between two timeline samples.",
    "autoSampleStepsEdit": "The training steps to sample at, e.g. 100, 300, 500, 700, 1200, 2000.\n"
    "The weights are copied right after each of these steps.",
    "keepSamplesCheck": "Keep earlier samples: each new one goes below them, headed by its\n"
    "temperature and followed by its mean entropy, to compare them side by side.",
    "sampleEntropyLabel": "Entropy: how uncertain the model's draw was at each character,\n"
    "averaged over the sample (nats). Low temperature: near 0; at T = 1 the model's own\n"
    "uncertainty; high temperature: towards ln V, guessing among all characters.",
    "beamSpin": "Beam search: keep the K likeliest beginnings at every character and show\n"
    "the K likeliest continuations with their log-probabilities, and greedy decoding's\n"
    "to compare. Off: sample. Ignores temperature, top-k and greedy.",
    "sampleTimeline": "Samples over training: one per training step (⏎ marks a line end).",
    "primeWarning": "The prime was changed before sampling.",
    "sampleSourceCombo": "What writes the text: the current run's network, or an n-gram model\n"
    "counted from the training text (Markov text, for comparison). The prime, temperature,\n"
    "top-k and greedy apply to both.",
}
