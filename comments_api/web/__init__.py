"""HTTP: request dependencies, middleware, the JSON API (`api/`) and server-rendered pages."""
