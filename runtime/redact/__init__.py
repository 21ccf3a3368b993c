"""The redactor: detectors that scan a message once, then audit, deny, de-identify; an optional C++ core."""
