"""The tally: where the figures stand and who states them, from the stored counts.

`figures` builds it (latest figure per event and source, the government's releases against
those rights groups verified, "still held"); `render` writes it as a table, CSV, JSON or a
caption; `chart` draws it (matplotlib); `posts` queues the chart in channels on a schedule;
`pin` keeps a channel's pinned message of live figures. docs/TALLY.md.
"""
