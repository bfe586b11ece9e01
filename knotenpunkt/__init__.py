"""The knotenpunkt command and the development server (make run): the one place that wires all services."""
