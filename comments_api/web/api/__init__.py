"""HTTP routes; each module is one group of endpoints under /api/v1."""
