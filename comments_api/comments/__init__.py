"""Comments: the service that creates, edits and lists them, threads, rendering, feeds, export."""
