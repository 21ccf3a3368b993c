"""Lark grammars and the parsers that turn text into located syntax trees."""
