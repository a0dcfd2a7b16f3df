"""Storage: the engine, every table, all queries, and the migrations; nothing here speaks HTTP."""
