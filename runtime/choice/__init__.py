"""Decision functions of compiled Choice states."""
