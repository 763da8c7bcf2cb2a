"""Errors a user can cause and fix. Their messages are one line, written for the user."""


class RnnlabError(Exception):
    """Base of every error caused by the user's input; the CLI prints it and exits with code 2."""


class CorpusError(RnnlabError):
    """A text file that cannot be used as a training corpus."""


class EncodingError(CorpusError):
    """A text that is not in the encoding asked for, or in none that can be told from its bytes.
    Its message is ``reason`` then the command line's ``advice``; the window shows the reason
    and offers ``suggested``: encodings that read its first bytes cleanly, likeliest first."""

    def __init__(self, reason: str, advice: str, suggested: tuple[str, ...] = ()) -> None:
        super().__init__(f"{reason}; {advice}")
        self.reason, self.suggested = reason, suggested


class ConfigError(RnnlabError):
    """A model or training setting out of range."""


class CheckpointError(RnnlabError):
    """A checkpoint file that cannot be read (missing, corrupt, hostile, too new)."""


class SamplingError(RnnlabError):
    """Sampling settings or a prime text that cannot be used."""


class DeviceError(RnnlabError):
    """A device that was asked for but is not available."""


class LessonError(RnnlabError):
    """A lesson file that cannot be opened: unreadable, not TOML, or a key or action it cannot
    use. The message names the file and the key."""


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` says memory ran out: Python's MemoryError, torch.OutOfMemoryError (a
    RuntimeError saying "out of memory", as CUDA and MPS do) or PyTorch's CPU allocator."""
    if isinstance(error, MemoryError):
        return True
    lowered = str(error).lower()
    return isinstance(error, RuntimeError) and (
        "out of memory" in lowered or "can't allocate memory" in lowered
    )
