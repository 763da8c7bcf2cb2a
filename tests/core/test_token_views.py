"""What the window needs of word and BPE runs from the engine: the unit as a run setting, one
learning of a unit shared by threads, probes that read the text in the run's tokens (an unknown
word included), losses per character in the history, and the unit's facts from a reading."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from engine_helpers import fast_training, tiny_model

from rnnlab.core.config import TrainConfig
from rnnlab.core.errors import ConfigError
from rnnlab.core.history import History
from rnnlab.core.inspection import inspect
from rnnlab.core.token_corpus import TokenCorpus, learn_unit
from rnnlab.core.token_facts import reading_facts, token_facts
from rnnlab.core.token_readings import UnitReadings
from rnnlab.core.tokens import UNKNOWN, TokenUnit
from rnnlab.core.trainer import new_trainer


def test_the_unit_is_a_training_setting_spelled_one_way() -> None:
    assert TrainConfig().tokens == "char"
    assert TrainConfig(tokens=" BPE:500 ").tokens == "bpe:500"
    assert TrainConfig(tokens="word").token_unit == TokenUnit("word")
    with pytest.raises(ConfigError, match="BPE takes 50 to 5,000 merges"):
        TrainConfig(tokens="bpe:10")
    with pytest.raises(ConfigError, match="unknown token unit"):
        TrainConfig(tokens="syllables")
    # Saved settings from before the unit existed still load, as characters.
    values = TrainConfig().to_dict()
    del values["tokens"]
    assert TrainConfig.from_dict(values).tokens == "char"


def test_a_unit_is_learned_once_however_many_threads_ask(shakespeare) -> None:
    readings = UnitReadings()
    assert readings.peek(shakespeare, "bpe:60", 0.1) is None
    assert readings.peek(shakespeare, "char", 0.1) is shakespeare
    got: list = []
    threads = [
        threading.Thread(target=lambda: got.append(readings.get(shakespeare, "bpe:60", 0.1)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 3 and got[0] is got[1] is got[2]  # one learning, one object
    assert isinstance(got[0], TokenCorpus) and got[0].tokenizer.unit == TokenUnit("bpe", 60)
    assert readings.peek(shakespeare, "bpe:60", 0.1) is got[0]
    assert readings.peek(shakespeare, "bpe:60", 0.2) is None  # another split: another reading


def test_a_probe_of_a_bpe_run_reads_the_text_in_its_pieces(shakespeare) -> None:
    pieces = learn_unit(shakespeare, TokenUnit("bpe", 80), 0.1)
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    list(trainer.run(max_steps=3))
    text = shakespeare.text[-200:-80]
    result = inspect(trainer.model, pieces.tokenizer, text, step=3).probe
    cut = pieces.tokenizer.pieces(text)
    assert len(cut) < len(text)  # merges joined some characters
    assert result.tokens == tuple(cut)
    assert result.positions == len(cut) - 1 == len(result.losses)
    assert list(result.inputs) == cut[:-1] and list(result.targets) == cut[1:]
    assert result.input_text + cut[-1] == text  # the pieces spell the text
    # Guesses name the run's own tokens.
    assert result.token_list == pieces.tokenizer.tokens
    assert result.guess_indices.max() < len(pieces.tokenizer)


def test_a_word_runs_probe_reads_an_unknown_word_as_the_unknown_token(shakespeare) -> None:
    words = learn_unit(shakespeare, TokenUnit("word"), 0.1)
    trainer = new_trainer(words, tiny_model(words), fast_training())
    list(trainer.run(max_steps=2))
    text = "The qwzxv of the king, my lord."
    result = inspect(trainer.model, words.tokenizer, text, step=2).probe
    assert " qwzxv" in result.inputs  # shown as written
    unknown = words.tokenizer.unknown_code
    assert words.tokenizer.tokens[unknown] == UNKNOWN
    assert np.all(np.isfinite(result.losses))
    # A connectivity position past the tokens falls back to the last one.
    late = inspect(trainer.model, words.tokenizer, text, step=2, connectivity_position=25).probe
    assert late.connectivity_position == late.positions - 1


def test_the_history_keeps_a_token_runs_loss_per_character(shakespeare) -> None:
    pieces = learn_unit(shakespeare, TokenUnit("bpe", 80), 0.1)
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    reports = [report for report in trainer.run(max_steps=4) if hasattr(report, "grad_norm")]
    history = trainer.history
    per_character = history.since("char_losses", 0)
    expected = [report.bits_per_char * math.log(2.0) for report in reports]
    np.testing.assert_allclose(per_character, expected, rtol=1e-6)
    # Pieces of about two characters: the loss per character is below the loss per token.
    assert np.all(per_character < history.losses)


def test_a_character_runs_loss_per_character_is_its_loss(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    list(trainer.run(max_steps=3))
    history = trainer.history
    assert np.array_equal(history.since("char_losses", 0), history.losses)


def test_a_history_saved_before_losses_per_character_loads_with_its_losses(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    list(trainer.run(max_steps=3))
    stored = trainer.history.to_dict()
    del stored["char_losses"]
    loaded = History.from_dict(stored)
    assert np.array_equal(loaded.since("char_losses", 0), trainer.history.losses)


@pytest.mark.parametrize("unit", ["word", "bpe:120"])
def test_the_facts_of_a_reading_are_those_of_learning_the_unit_again(shakespeare, unit) -> None:
    token_unit = TokenUnit.parse(unit)
    reading = learn_unit(shakespeare, token_unit, 0.1)
    _, learned = token_facts(shakespeare, token_unit, 0.1)
    facts = reading_facts(reading, token_unit)
    assert facts.vocabulary_size == learned.vocabulary_size
    assert facts.tokens == learned.tokens and facts.characters == learned.characters
    assert facts.unknown_share == pytest.approx(learned.unknown_share)
    assert facts.memory_distance == pytest.approx(learned.memory_distance)
    assert np.array_equal(facts.length_counts, learned.length_counts)
    assert 1 < facts.memory_distance < 25  # a dependency 25 characters back is fewer tokens
    # Characters: the facts come without an array as long as the text (a 300 MB text's took
    # gigabytes and half a minute of the window's thread), and say what learning them says.
    characters = reading_facts(shakespeare, TokenUnit())
    _, learned = token_facts(shakespeare, TokenUnit(), 0.1)
    assert characters.memory_distance == pytest.approx(25.0) == learned.memory_distance
    assert characters.tokens == characters.characters == learned.tokens == len(shakespeare.text)
    assert np.array_equal(characters.length_counts, learned.length_counts)


def test_a_bpe_runs_surprise_is_its_tokens_shared_over_their_characters(shakespeare) -> None:
    from rnnlab.core.sampling import Sampler
    from rnnlab.core.surprise import surprise_of

    pieces = learn_unit(shakespeare, TokenUnit("bpe", 80), 0.1)
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    list(trainer.run(max_steps=3))
    sampler = Sampler.from_model(trainer.model, pieces.tokenizer)
    text = "the king of the world"
    surprise = surprise_of(sampler, text + " €")  # BPE cannot spell €: skipped, not fatal
    assert surprise.unknown_chars == ["€"] and len(surprise) == len(text) + 2
    cut = pieces.tokenizer.pieces(text + " ")
    # The first token is the context; every later one's surprise, shared evenly.
    total, start = 0.0, len(cut[0])
    logits, state = sampler.begin(cut[0])
    for piece in cut[1:]:
        code = pieces.tokenizer.index(piece)
        token_nats = -(logits - np.log(np.exp(logits - logits.max()).sum()) - logits.max())[code]
        np.testing.assert_allclose(surprise.nats[start : start + len(piece)],
                                   token_nats / len(piece), rtol=1e-5)  # fmt: skip
        total, start = total + token_nats, start + len(piece)
        logits, state = sampler.advance(code, state)
    assert surprise.mean == pytest.approx(total / (start - len(cut[0])), rel=1e-5)


def test_a_bpe_runs_beams_are_as_long_in_characters_as_asked(shakespeare) -> None:
    from rnnlab.core.sampling import Sampler

    pieces = learn_unit(shakespeare, TokenUnit("bpe", 80), 0.1)
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    list(trainer.run(max_steps=3))
    sampler = Sampler.from_model(trainer.model, pieces.tokenizer)
    longest = max(map(len, pieces.tokenizer.tokens))
    beams = sampler.beam_search("the king", 3, 20)
    assert len(beams) == 3
    assert all(20 <= len(text) < 20 + longest for text, _ in beams)
    assert [score for _, score in beams] == sorted((score for _, score in beams), reverse=True)


def test_a_bpe_run_saved_without_losses_per_character_gets_them_back(shakespeare, tmp_path):
    from rnnlab.core.checkpoint import load_checkpoint, run_history, save_checkpoint

    pieces = learn_unit(shakespeare, TokenUnit("bpe", 80), 0.1)
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    list(trainer.run(max_steps=5))
    checkpoint = load_checkpoint(save_checkpoint(trainer, pieces, tmp_path / "old.pt"))
    del checkpoint.trainer_state["history"]["char_losses"]  # as the first token runs saved it
    history = run_history(checkpoint, trainer.data)
    np.testing.assert_allclose(history.since("char_losses", 0),
                               trainer.history.since("char_losses", 0), rtol=1e-5)  # fmt: skip


def test_greedy_decoding_is_scored_on_the_tokens_it_chose(shakespeare) -> None:
    from rnnlab.core.sampling import Sampler, SampleSettings

    words = learn_unit(shakespeare, TokenUnit("word"), 0.1)
    trainer = new_trainer(words, tiny_model(words), fast_training())
    list(trainer.run(max_steps=3))
    sampler = Sampler.from_model(trainer.model, words.tokenizer)
    text, score = sampler.greedy("The king", 40)
    assert len(text) >= 40 and text == sampler.sample("The king", 40, SampleSettings(greedy=True))
    logits, state = sampler.begin("The king")
    expected, written = 0.0, 0
    while written < 40:
        code = int(logits.argmax())
        expected += float(logits[code] - logits.max() - np.log(np.exp(logits - logits.max()).sum()))
        written += len(words.tokenizer.tokens[code])
        logits, state = sampler.advance(code, state)
    assert score == pytest.approx(expected, rel=1e-5)
    # A character model's greedy score is what reading its text back gives, as before.
    characters = new_trainer(shakespeare, tiny_model(shakespeare), fast_training())
    plain = Sampler.from_model(characters.model, shakespeare.vocabulary)
    text, score = plain.greedy("The king", 30)
    assert score == pytest.approx(plain.log_probability("The king", text), rel=1e-6)
