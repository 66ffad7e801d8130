"""threads (filled by a later issue)."""
