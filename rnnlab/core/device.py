"""Which device to train on, and how many CPU threads to use."""

from __future__ import annotations

import torch

from rnnlab.core.errors import DeviceError


def mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[tuple[str, str]]:
    """(name for TrainConfig.device, label for people), best first; CPU is always last."""
    devices = []
    if torch.cuda.is_available():
        devices.append(("cuda", f"CUDA: {torch.cuda.get_device_name(0)}"))
    if mps_available():
        devices.append(("mps", "Apple GPU (MPS)"))
    devices.append(("cpu", "CPU"))
    return devices


def choose_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA, then Apple MPS, then CPU; an explicit name must be available."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if mps_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(
                "CUDA was asked for, but PyTorch finds no CUDA GPU here; use --device cpu"
            )
        device = torch.device(name)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(f"there is no {name}: {torch.cuda.device_count()} CUDA GPU(s) found")
        return device
    if name == "mps":
        if not mps_available():
            raise DeviceError(
                "Apple MPS was asked for, but it is not available here; use --device cpu"
            )
        return torch.device("mps")
    if name == "cpu":
        return torch.device("cpu")
    raise DeviceError(f"unknown device {name!r}: use auto, cpu, cuda or mps")


def set_threads(threads: int | None) -> None:
    """Set PyTorch's intra-op CPU threads (process-wide); None leaves the default.

    Under a window, 1 is right on small machines: two threads collapse to a fraction of one
    thread's speed as soon as the GUI needs a core.
    """
    if threads is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so a wall-clock time covers it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
