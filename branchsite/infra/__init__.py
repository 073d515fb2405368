"""Infrastructure every app may use: errors and their HTTP mapping, idempotency, rate limits,
the audit trail, the channel-layer broadcast, the socket base, input cleaning, the edge
middleware and the text-message backends. Nothing here imports a domain app (queueing, kiosks,
umbrellas); they import this.
"""
