"""The hot path: matchers and redactors. Imports neither lark nor jsonschema."""

import os

# TAMIS_NATIVE=0 in the environment keeps every native core (the event matcher's and the redactor's) off
# for the whole process, to rule them out when diagnosing; each module still has its own USE_NATIVE switch.
NATIVE_ALLOWED = os.environ.get("TAMIS_NATIVE", "1") != "0"
