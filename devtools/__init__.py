"""Development tools, not part of the product: the Telegram Bot API emulator and its HTML
checker, a local feed server and sample feed documents (tests, benchmarks, soak runs), and
the offline demo (`make demo`). Not installed by the wheel nor copied into the image."""
