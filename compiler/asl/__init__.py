"""Amazon States Language: where definitions come from, the validator, and the Choice compiler."""
