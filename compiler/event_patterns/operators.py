"""The operators of the event-pattern language: one list, read by the compiler and by lint's file-kind test.

Operator names and their per-service support come from the EventBridge user guide's comparison-operator
table (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html) and the
SNS filter-policy pages; each dialect (dialects.py) narrows ``VALUE_OPERATORS`` to what its service runs.
"""

from __future__ import annotations

NUMERIC_OPS = ("=", "<", "<=", ">", ">=")
VALUE_OPERATORS = (
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "exactly",
)
# Names the services keep for future operators: rejected as unknown, with a clearer message.
RESERVED_OPERATORS = (
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
)
