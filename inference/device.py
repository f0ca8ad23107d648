"""Turn the SKINBOT_DEVICE setting into a concrete torch device string."""

from __future__ import annotations


def resolve_device(setting: str) -> str:
    """'auto' picks CUDA when present. 'cuda' or 'cuda:N' without CUDA is an error, not a silent fallback."""
    import torch

    value = setting.strip().lower()
    if value == "auto":
        return "cuda:0" if torch.cuda.is_available() else "cpu"
    if value == "cpu":
        return "cpu"
    if value.startswith("cuda"):
        if not torch.cuda.is_available():
            raise RuntimeError(f"SKINBOT_DEVICE={setting} but no CUDA device is available")
        return value if ":" in value else "cuda:0"
    raise ValueError(f"SKINBOT_DEVICE must be auto, cpu, cuda or cuda:N, not {setting!r}")
