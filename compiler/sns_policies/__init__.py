"""SNS FIFO message archiving and replay: a topic's ``ArchivePolicy`` and a subscription's ``ReplayPolicy``
(https://docs.aws.amazon.com/sns/latest/dg/fifo-message-archiving-replay.html), checked with the
documented rules into small models; a mistake is a located ``SnsPolicyError``."""
