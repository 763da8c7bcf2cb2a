"""Beam search in the sample panel: the K likeliest continuations of the prime, with greedy
decoding's beside them, so a class sees that taking the likeliest character at each step is
not the likeliest text.

The search is ``CharSampler.beam_search`` on the panel's weight snapshot (or n-gram model). It
runs at once, not as a stream: at most ``MAX_BEAM_CHARS`` characters, a few hundred batched
steps of the cell equations.
"""

from __future__ import annotations

import math

from rnnlab.core.sampling import CharSampler, SampleSettings

MAX_BEAM_WIDTH = 20
MAX_BEAM_CHARS = 100  # longer beams only repeat themselves; a line in line mode ends sooner
_MINUS = "\N{MINUS SIGN}"


def _signed(nats: float) -> str:
    return f"{nats:.2f}".replace("-", _MINUS)


def beam_report(sampler: CharSampler, prime: str, width: int, length: int) -> tuple[str, str]:
    """(the report shown in the output, the best continuation with its prime). The report
    ranks the ``width`` best continuations of up to ``length`` characters (at most
    MAX_BEAM_CHARS) by log-probability and ends with greedy decoding's. SamplingError if the
    prime cannot start a sample."""
    length = min(length, MAX_BEAM_CHARS)
    beams = sampler.beam_search(prime, width, length)
    greedy = sampler.sample(prime, length, SampleSettings(greedy=True))
    greedy_score = sampler.log_probability(prime, greedy) if greedy else 0.0
    best_text, best_score = beams[0]
    unit = "line" if sampler.line_mode else f"{length} characters"
    shown_prime = prime.replace("\n", "⏎")
    lines = [
        f"Beam search, {width} beams: the likeliest continuations ({unit}) of “{shown_prime}”,",
        "with their log-probability in nats (0 is certain; every −0.69 halves the chance).",
        "",
    ]
    for rank, (text, score) in enumerate(beams, start=1):
        lines.append(f"{rank:>2}. {_signed(score):>8}  {text.replace(chr(10), '⏎')}")
    lines += ["", f"greedy {_signed(greedy_score):>8}  {greedy.replace(chr(10), '⏎')}"]
    if best_score > greedy_score + 1e-9:
        ratio = math.exp(min(best_score - greedy_score, 700.0))
        shown = f"{ratio:,.1f}" if ratio < 10 else f"{ratio:,.0f}"
        lines.append(f"The best beam is {shown} times as likely as greedy's text.")
    else:
        lines.append("Greedy decoding found the likeliest text here too.")
    return "\n".join(lines), prime + best_text
