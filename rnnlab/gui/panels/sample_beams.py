"""Beam search in the sample panel: the K likeliest continuations of the prime, with greedy
decoding's beside them, so a class sees that taking the likeliest character at each step is
not the likeliest text.

The search is ``CharSampler.beam_search`` on the panel's weight snapshot (or n-gram model). It
runs at once, not as a stream: at most ``MAX_BEAM_CHARS`` characters, a few hundred batched
steps of the cell equations.
"""

from __future__ import annotations

import math

from rnnlab.core.sampling import CharSampler

MAX_BEAM_WIDTH = 20
MAX_BEAM_CHARS = 100  # longer beams only repeat themselves; a line in line mode ends sooner
_MINUS = "\N{MINUS SIGN}"
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _shown(text: str) -> str:
    return text.replace("\n", "⏎")


def _signed(nats: float) -> str:
    return f"{nats:.2f}".replace("-", _MINUS)


def _times(nats: float) -> str:
    """How many times as likely a text ``nats`` more log-probable is, readable at any size."""
    if nats < math.log(10):
        return f"{math.exp(nats):.1f} times"
    if nats < math.log(1e6):
        return f"{math.exp(nats):,.0f} times"
    return f"about 10{str(round(nats / math.log(10))).translate(_SUPERSCRIPTS)} times"


def beam_report(sampler: CharSampler, prime: str, width: int, length: int) -> tuple[str, str]:
    """(the report shown in the output, the best continuation with its prime). The report
    ranks the ``width`` best continuations of up to ``length`` characters (at most
    MAX_BEAM_CHARS) by log-probability and ends with greedy decoding's. SamplingError if the
    prime cannot start a sample."""
    length = min(length, MAX_BEAM_CHARS)
    beams = sampler.beam_search(prime, width, length)
    greedy, greedy_score = sampler.greedy(prime, length)
    best_text, best_score = beams[0]
    unit = "to the line's end" if sampler.line_mode else f"of {length} characters"
    # Score and text on lines of their own: the sample dock is narrow, and a wrapped text
    # would hide where one beam ends and the next begins.
    lines = [
        f"The {len(beams)} likeliest continuations {unit} of “{_shown(prime)}” "
        "(log-probability in nats: 0 is certain, every −0.69 halves the chance):",
    ]
    start = prime if sampler.line_mode else ""  # a name reads whole, prefix and all
    for rank, (text, score) in enumerate(beams, start=1):
        lines += ["", f"{rank}. {_signed(score)}", f"   {_shown(start + text)}"]
    lines += ["", f"greedy {_signed(greedy_score)}", f"   {_shown(start + greedy)}", ""]
    if best_score > greedy_score + 1e-9:
        lines.append(f"The best beam is {_times(best_score - greedy_score)} as likely as greedy's.")
    else:
        lines.append("Greedy decoding found the likeliest text here too.")
    return "\n".join(lines), prime + best_text
