"""Stories: one event told by several outlets becomes one story, so a channel gets one alert.

`assign` puts an item in a story and stores the decision (merges, splits, the in-memory index
per database); `match` makes the decision (the index of recent stories, candidates, scores,
release waves); `features` reads an item and keeps a story; `text` prepares the headline
(terms, concept classes of `data/concepts.json`, names, asides); `wave` recognises release
waves and statements' speakers; `conflicts` says when a story cannot take an item, and event
frames; `pairs` is the learned pair scorer (`data/pairs.json`, `make train-stories`); `report`
lists stories (`monitor stories`); `split` answers `/split`. docs/ALERTS.md, "Stories".
"""
