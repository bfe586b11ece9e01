"""Events rules as pure functions, one module per aggregate: meetings, planning, consultations."""
