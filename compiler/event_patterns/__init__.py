"""Event patterns (EventBridge rule patterns, SNS filter policies, Lambda filter criteria): pattern ->
checked conditions -> the matcher's compiled form."""
