"""Resuming a checkpoint's run exactly where it stopped: on its own corpus (loaded again and
checked unchanged) or its task (at its length, or another: "now make it harder")."""

from __future__ import annotations

from rnnlab.core.checkpoint import Checkpoint, restore_trainer
from rnnlab.core.config import TrainConfig
from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.core.errors import CheckpointError, RnnlabError
from rnnlab.core.tasks import Task
from rnnlab.core.token_corpus import TokenCorpus, tokenize_corpus
from rnnlab.core.tokens import Tokenizer
from rnnlab.core.trainer import Trainer, trainer_for


def training_corpus(checkpoint: Checkpoint) -> Corpus:
    """The corpus the checkpoint's model was trained on, loaded again and checked unchanged."""
    if checkpoint.task is not None:
        raise CheckpointError(f"{checkpoint.path} is a run on the task {checkpoint.task.name}, "
                              "not on a text corpus")  # fmt: skip
    info = checkpoint.corpus_info
    try:
        corpus = load_corpus(info["source"], encoding=info["encoding"], line_mode=info["line_mode"])
    except RnnlabError as error:
        raise CheckpointError(
            f"the training corpus {info['name']!r} of {checkpoint.path} cannot be loaded ({error})"
        ) from None
    if corpus.fingerprint != info["fingerprint"]:
        raise CheckpointError(
            f"{corpus.source} is not the text {checkpoint.path} was trained on "
            "(it changed since the checkpoint was written)"
        )
    return corpus


def resume_trainer(
    checkpoint: Checkpoint,
    corpus: Corpus | None = None,
    *,
    device: str | None = None,
    threads: int | None = None,
    task_length: int | None = None,
) -> tuple[Trainer, Corpus | Task]:
    """A trainer that continues exactly where ``checkpoint`` stopped, on its own corpus or task.

    The corpus is loaded from the checkpoint's source unless given; it must be the same text
    (same fingerprint). ``device`` and ``threads`` may differ from the original run; a task run
    may go on at another length (``task_length``: "now make it harder").
    """
    source: Corpus | Task
    if checkpoint.task is not None:
        if corpus is not None:
            raise CheckpointError(f"cannot resume {checkpoint.path} on a corpus: it is a run on "
                                  f"the task {checkpoint.task.name}")  # fmt: skip
        source = Task(checkpoint.task.spec, task_length or checkpoint.task.length)
    elif task_length is not None:
        raise CheckpointError(f"{checkpoint.path} is a text run: it has no task length")
    elif corpus is None:
        source = training_corpus(checkpoint)  # checked unchanged there
    elif corpus.fingerprint != checkpoint.corpus_info["fingerprint"]:
        raise CheckpointError(
            f"cannot resume: {corpus.source} is not the text this model was trained on "
            "(it changed since the checkpoint was written)"
        )
    else:
        source = corpus
    config = checkpoint.train_config
    read = isinstance(source, TokenCorpus) and source.tokenizer is checkpoint.vocabulary
    if isinstance(checkpoint.vocabulary, Tokenizer) and isinstance(source, Corpus) and not read:
        # The run's own tokens and merges, as stored: learning them again could differ.
        source = tokenize_corpus(source, checkpoint.vocabulary, config.validation_fraction)
    overrides = {"device": device or config.device, "threads": threads or config.threads}
    config = TrainConfig.from_dict({**config.to_dict(), **overrides})
    trainer = trainer_for(source, checkpoint.model, config)
    restore_trainer(trainer, checkpoint)
    return trainer, source
