"""kernels (filled by a later issue)."""
