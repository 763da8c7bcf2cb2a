"""The surprise panel's texts: tooltips that say what surprise is and why a typo lights up, the
default text and the messages.

Apart from the panel's code because they are long, and are edited for teaching, not for behaviour.
"""

from __future__ import annotations

# Sonnet 18 with one letter wrong ("dsy": s sits beside a on a keyboard). A line a Shakespeare
# model has seen the like of, so the typo is the one character it did not expect.
DEFAULT_TEXT = "Shall I compare thee to a summer's dsy?"

NO_MODEL = (
    "No model yet: train one (or pick an n-gram source above once the corpus is counted), "
    "and each character here shows how much it surprised the model."
)
NO_TEXT = "Type a text above: each character is coloured by how little the model expected it."
NOTHING_SCORED = (
    "Nothing to score yet: the first character is the context the next ones are read after. "
    "Type more."
)
ON_A_TASK = "Surprise scores text: on a task, the inspector shows the model's answers instead."

SHORT_MESSAGES = {NO_MODEL: "No model yet", NO_TEXT: "No text", ON_A_TASK: "Not on a task"}
HELP = (
    "A language model gives every possible next character a probability p. Surprise is −log p: "
    "0 where the model was sure, large where it thought the character unlikely. A typo is a "
    "character it rarely saw in that place, so it, or the character after it, lights up. "
    "The mean over the text is the loss per character, the number on the loss plot."
)

TIPS = {
    "surpriseEdit": "Type or paste a text; the model reads it one character at a time.\n"
    "Make a typo and watch it light up: the model gave that character a low probability.",
    "surpriseText": "Each character coloured by its surprise, −log p(character | the text before "
    "it):\nhow little the model expected it. 0 means it was certain; ln V (the middle of the "
    "scale) is\nwhat guessing blindly among V characters scores. A typo is a character the "
    "model\nrarely saw in that place, so it, or the character after it, lights up.\n"
    "Hover a character for its probability and what the model expected instead.",
    "surpriseTotal": "The loss of this text: the mean surprise per character. It is the number "
    "the loss\nplot shows, measured on your text: training lowers it on text like the corpus.",
    "surpriseTop": "The characters the model expected least, with what it expected there: "
    "a spelling checker's\nsuggestions, read off the probabilities it learned.",
    "surpriseLegend": "The colour scale: from 0 (the model was sure) through ln V (a blind guess "
    "among the V\ncharacters) to twice that; beyond it the colour stays at the top.",
    "surpriseSourceCombo": "Which model reads the text: the current run's network, or an n-gram "
    "model counted\nfrom the training text. Compare them: an n-gram sees only the last few "
    "characters.",
}


def context_tip(char: str) -> str:
    return (
        f"{char}: the first character, the context the rest is read after. As in training, "
        "where a sequence's first character is only read, it is not predicted: nothing before "
        "it tells the model where in the text it is."
    )


def unknown_tip(char: str) -> str:
    return (
        f"{char}: a character the model never saw in training. It has no probability, so it is "
        "not scored, and the model reads on as if it were not there."
    )
