"""The options every event-pattern command takes: which service's dialect, and SNS's filter scope."""

from __future__ import annotations

import argparse


def add_dialect_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialect", default="eventbridge", choices=("eventbridge", "sns", "lambda"))
    parser.add_argument(
        "--scope",
        choices=("MessageAttributes", "MessageBody"),
        help="SNS FilterPolicyScope (default MessageAttributes)",
    )
