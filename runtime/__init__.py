"""The hot path: matchers and redactors. Imports neither lark nor jsonschema."""
