"""Test-only helpers: shared-corpus access and plain reference interpreters."""
