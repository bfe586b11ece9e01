"""SQL of the events service, one module per aggregate; every function runs in the caller's unit of work."""
