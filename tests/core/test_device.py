"""Device choice: CUDA, then Apple MPS, then CPU; an unavailable device is a clear error."""

import pytest
import torch

from rnnlab.core.device import available_devices, choose_device, set_threads
from rnnlab.core.errors import DeviceError


def test_auto_picks_the_best_available_device() -> None:
    expected = "cuda" if torch.cuda.is_available() else None
    chosen = choose_device("auto")
    if expected:
        assert chosen.type == expected
    assert choose_device("cpu") == torch.device("cpu")
    assert available_devices()[-1] == ("cpu", "CPU")
    assert available_devices()[0][0] == chosen.type


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_asking_for_a_missing_gpu_says_what_to_do() -> None:
    with pytest.raises(DeviceError, match="no CUDA GPU here; use --device cpu"):
        choose_device("cuda")


def test_unknown_device_names_are_refused() -> None:
    with pytest.raises(DeviceError, match="unknown device 'tpu'"):
        choose_device("tpu")


def test_threads_setting_is_applied_and_none_leaves_it() -> None:
    before = torch.get_num_threads()
    try:
        set_threads(1)
        assert torch.get_num_threads() == 1
        set_threads(None)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
