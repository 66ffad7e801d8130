"""kernels/cpu (filled by a later issue)."""
