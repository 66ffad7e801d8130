"""kernels/cuda (filled by a later issue)."""
