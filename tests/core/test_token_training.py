"""Runs on words and BPE pieces: the split where the characters split, losses read per character
over the very characters the tokens spell, checkpoints that keep the unit and resume exactly,
and sampling that an unknown word does not stop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from engine_helpers import fast_training, tiny_model

from rnnlab.core.batching import IGNORE_INDEX
from rnnlab.core.checkpoint import load_checkpoint, save_checkpoint
from rnnlab.core.errors import CheckpointError, ConfigError
from rnnlab.core.resume import resume_trainer
from rnnlab.core.sampling import Sampler, SampleSettings
from rnnlab.core.token_corpus import TokenCorpus, learn_unit
from rnnlab.core.tokens import UNKNOWN, Tokenizer, TokenUnit, split_texts
from rnnlab.core.trainer import StepReport, new_trainer


@pytest.fixture(scope="module")
def pieces(shakespeare) -> TokenCorpus:
    corpus = learn_unit(shakespeare, TokenUnit("bpe", 80), 0.1)
    assert isinstance(corpus, TokenCorpus)
    return corpus


def test_a_token_run_trains_on_the_training_text_only(shakespeare, pieces) -> None:
    training, validation = split_texts(shakespeare.text, 0.1, None)
    tokenizer = pieces.tokenizer
    split = len(pieces.codes) - pieces.validation_tokens
    assert tokenizer.decode(pieces.codes[:split]) == training
    assert tokenizer.decode(pieces.codes[split:]) == validation
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    # Validation reads from where the validation text starts, in tokens as in characters.
    first = trainer.data.validation_batches()[0].inputs[0].tolist()
    assert validation.startswith(tokenizer.decode(first))


def test_the_validation_loss_is_read_per_character_of_the_text_it_covers(pieces) -> None:
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    list(trainer.run(max_steps=5))
    report = trainer.evaluate()
    batches = trainer.data.validation_batches()
    # The characters a batch counts are those its target tokens spell, decoded.
    counted = [batch.targets[batch.targets != IGNORE_INDEX].tolist() for batch in batches]
    spelled = sum(len(pieces.tokenizer.decode(targets)) for targets in counted)
    assert sum(batch.characters for batch in batches) == spelled
    tokens = sum(batch.chars for batch in batches)
    assert spelled > 1.5 * tokens  # pieces are longer than characters
    # Per character: nats per token x tokens / (characters x ln 2), over the same targets.
    expected = report.loss * tokens / (spelled * math.log(2))
    assert report.bits_per_char == pytest.approx(expected, rel=1e-9)
    seen, batch = trainer.chars_seen, trainer.data.train_batch(trainer.position)
    step = next(trainer.run(max_steps=1))
    assert isinstance(step, StepReport) and step.bits_per_char < step.loss / math.log(2)
    # Characters of text trained on, not tokens: runs of every unit share the x axis, and a
    # step reads about the characters a character run's step reads (batch 8 x 32).
    assert step.chars == trainer.chars_seen - seen == batch.characters
    assert 0.8 * 8 * 32 < step.chars < 1.3 * 8 * 32 and batch.chars < 0.7 * 8 * 32
    expected = step.loss * batch.chars / batch.characters / math.log(2)
    assert step.bits_per_char == pytest.approx(expected)


def test_a_bpe_run_resumes_exactly_with_its_own_merges(shakespeare, pieces, tmp_path) -> None:
    model, config = tiny_model(pieces), fast_training(eval_every=4)
    uninterrupted = [
        report.loss for report in new_trainer(pieces, model, config).run(max_steps=10)
        if isinstance(report, StepReport)
    ]  # fmt: skip
    first = new_trainer(pieces, model, config)
    head = [r.loss for r in first.run(max_steps=4) if isinstance(r, StepReport)]
    path = save_checkpoint(first, pieces, tmp_path / "pieces.pt")
    checkpoint = load_checkpoint(path)
    assert isinstance(checkpoint.vocabulary, Tokenizer)
    assert checkpoint.vocabulary.merges == pieces.tokenizer.merges
    assert checkpoint.vocabulary.tokens == pieces.tokenizer.tokens
    torch.manual_seed(999)
    resumed, corpus = resume_trainer(checkpoint)
    assert isinstance(corpus, TokenCorpus) and np.array_equal(corpus.codes, pieces.codes)
    tail = [r.loss for r in resumed.run(max_steps=6) if isinstance(r, StepReport)]
    assert head + tail == pytest.approx(uninterrupted, abs=1e-6)
    assert torch.load(path, weights_only=True)["tokens"]["unit"] == "bpe:80"  # plain data


def test_unknown_words_do_not_stop_sampling(shakespeare, tmp_path) -> None:
    words = learn_unit(shakespeare, TokenUnit("word"), 0.1)
    trainer = new_trainer(words, tiny_model(words), fast_training())
    list(trainer.run(max_steps=3))
    checkpoint = load_checkpoint(save_checkpoint(trainer, words, tmp_path / "words.pt"))
    tokenizer = checkpoint.vocabulary
    assert isinstance(tokenizer, Tokenizer) and tokenizer.unknown_code is not None
    sampler = Sampler.from_model(checkpoint.model, tokenizer)
    # A prime with a word the model never saw, and hot sampling that draws the unknown token.
    text = sampler.sample("Zyzzyva, my lord", 3000, SampleSettings(temperature=3.0, seed=0))
    assert UNKNOWN in text and len(text) >= 3000  # the length counts characters
    assert sampler.clean_prime("Zyzzyva ☃")[1] == []  # no character is refused: words map


def test_a_line_mode_corpus_is_refused_for_words_and_pieces(names) -> None:
    with pytest.raises(ConfigError, match="line mode"):
        learn_unit(names, TokenUnit("bpe", 60), 0.1)
    assert learn_unit(names, TokenUnit("char"), 0.1) is names


def test_every_unit_reads_the_same_stretches_of_text_in_the_same_number_of_steps(
    shakespeare, pieces
) -> None:
    words = learn_unit(shakespeare, TokenUnit("word"), 0.1)
    config = fast_training()
    corpora = {"char": shakespeare, "bpe": pieces, "word": words}
    runs = {name: new_trainer(corpus, tiny_model(corpus), config)
            for name, corpus in corpora.items()}  # fmt: skip
    epochs = {name: run.data.batches_per_epoch for name, run in runs.items()}
    assert len(set(epochs.values())) == 1  # one epoch: the same number of steps
    stream = len(split_texts(shakespeare.text, 0.1, None)[0]) // runs["char"].data.batch_size

    def text_of(name: str, window: int, row: int) -> str:
        batch = runs[name].data.train_batch(window)
        codes = batch.inputs[row].tolist()
        if name == "char":
            return shakespeare.vocabulary.decode(codes)
        counted = batch.targets[row] != IGNORE_INDEX  # padding reads code 0: leave it out
        kept = [code for code, keep in zip(codes, counted.tolist()) if keep]
        return corpora[name].vocabulary.decode(kept)

    for row in (0, 3):
        # Each stream starts where the character run's starts, and the first window reads about
        # the same characters.
        start = shakespeare.text[row * stream : row * stream + 32]
        assert text_of("char", 0, row) == start
        for name in ("bpe", "word"):
            read = text_of(name, 0, row)
            assert start.startswith(read[:20]) or read.startswith(start[:20]), (name, read)
            assert 20 <= len(read) <= 50


@pytest.mark.parametrize("unit", ["word", "bpe:60"])
def test_no_batch_is_all_padding_and_an_epoch_reads_the_whole_text(unit: str) -> None:
    from rnnlab.core.config import TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.trainer import batching_for

    characters = load_corpus("sonnets")
    corpus = learn_unit(characters, TokenUnit.parse(unit), 0.1)
    for batch_size, seq_len in ((32, 64), (8, 32), (3, 200), (64, 5), (10, 4), (7, 13)):
        config = TrainConfig(batch_size=batch_size, seq_len=seq_len)
        try:
            data = batching_for(corpus, config)
        except ConfigError as error:  # a window too short for a word: refused, saying what to use
            assert seq_len < 10 and "use --seq-len" in str(error)
            continue
        batches = [data.train_batch(window) for window in range(data.batches_per_epoch)]
        assert all(batch.chars > 0 for batch in [*batches, *data.validation_batches()])
        # The same characters as a character run's epoch (it leaves off a stream's last few).
        epoch = sum(batch.characters for batch in batches)
        assert epoch >= 0.98 * batching_for(characters, config).train_chars, (seq_len, epoch)


def test_a_window_shorter_than_a_token_is_refused_with_what_to_use() -> None:
    from rnnlab.core.config import TrainConfig
    from rnnlab.core.corpus import load_corpus
    from rnnlab.core.trainer import batching_for

    corpus = learn_unit(load_corpus("sonnets"), TokenUnit("word"), 0.1)
    with pytest.raises(ConfigError, match=r"--seq-len 1 characters is shorter than a words "
                                          r"token on sonnets: use --seq-len \d+ or more"):
        batching_for(corpus, TrainConfig(batch_size=64, seq_len=1))


@pytest.mark.parametrize(
    ("change", "message"),
    [({"tokens": ["a", "a"]}, "damaged: a tokenizer's tokens must be distinct"),
     ({"unit": "bpe:9"}, "cannot use: BPE takes 50 to 5,000 merges, not 9"),
     ({"tokens": 5}, "is damaged"),
     ({"merges": None}, "is damaged"),
     ({"unit": None}, "cannot use: unknown token unit 'None'")],
)  # fmt: skip
def test_a_tampered_token_list_is_named_not_loaded(pieces, tmp_path, change, message) -> None:
    trainer = new_trainer(pieces, tiny_model(pieces), fast_training())
    path = save_checkpoint(trainer, pieces, tmp_path / "pieces.pt")
    original = torch.load(path, weights_only=True)
    torch.save({**original, "tokens": {**original["tokens"], **change}}, path)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)
    missing = {key: value for key, value in original["tokens"].items() if key != "merges"}
    torch.save({**original, "tokens": missing}, path)
    with pytest.raises(CheckpointError, match="damaged: it has no 'merges'"):
        load_checkpoint(path)
