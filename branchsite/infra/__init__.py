"""Infrastructure every app may use: errors and their HTTP mapping, idempotency, rate limits,
the audit trail, the channel-layer broadcast, the socket base, input cleaning and the edge
middleware. Nothing here imports a domain app (queueing, kiosks, umbrellas); they import this.
"""
