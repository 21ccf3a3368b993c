"""Syntax trees -> checked models -> automata; RE2 guardrails; lint rules."""
