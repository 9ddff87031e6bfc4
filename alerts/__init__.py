"""Stories, the alert outbox, delivery to Telegram, digests, the tally and the operator chat
(docs/ARCHITECTURE.md); nothing here imports `monitor`."""
