"""optim (filled by a later issue)."""
