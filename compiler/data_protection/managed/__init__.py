"""The managed data identifiers: their facts (a packaged JSON file) and how tamis detects each one."""
