"""nn (filled by a later issue)."""
