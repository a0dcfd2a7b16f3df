"""Personal data: self-service deletion and retention."""
