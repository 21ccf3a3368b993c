"""The event matcher: many rules against one event; per-field indexes, a path walker, an optional C core."""
