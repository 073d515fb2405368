"""How the ASGI server runs branchsite: the uvicorn flags that every launch shares (`make run`, the
tests' servers, the benchmarks) and that the README's production command spells out."""

UVICORN_FLAGS = (
    # Django's ASGI handler does not speak the lifespan protocol.
    "--lifespan",
    "off",
    # The client's address is decided once, in branchsite/infra/clients.py, from NUM_PROXIES.
    # uvicorn's own default trusts X-Forwarded-For from 127.0.0.1 and would hand Django whatever
    # address a client on this machine (or a proxy not counted in NUM_PROXIES) writes there.
    "--no-proxy-headers",
    # Pages send a few small JSON messages; uvicorn would take 16 MiB in one.
    "--ws-max-size",
    "65536",
)
