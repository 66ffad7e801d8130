"""nngraph (filled by a later issue)."""
