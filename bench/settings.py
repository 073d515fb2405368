"""The product's settings with changes for the benchmarks: the URLconf adds the bench-only bare
endpoint; BENCH_CHANNEL_LAYER picks which Redis channel layer serves the sockets, and
BENCH_REDIS_PY8_FIX=1 gives the layer's Redis pool the settings redis-py 8 no longer defaults to."""

from django.core.exceptions import ImproperlyConfigured

from branchsite.env import env_bool, env_str
from branchsite.settings import *  # noqa: F403
from branchsite.settings import CHANNEL_LAYERS, REDIS_URL

ROOT_URLCONF = "bench.urls"

# bench_lobby.py serves the live lobby on each Redis layer in turn to compare them. Both take the
# product's CONFIG (hosts, prefix) as is.
BENCH_CHANNEL_LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
_bench_layer = env_str("BENCH_CHANNEL_LAYER")
if _bench_layer:
    if _bench_layer not in BENCH_CHANNEL_LAYERS:
        raise ImproperlyConfigured(
            f"BENCH_CHANNEL_LAYER={_bench_layer!r}: use one of {', '.join(BENCH_CHANNEL_LAYERS)}"
        )
    if "hosts" not in CHANNEL_LAYERS["default"].get("CONFIG", {}):
        raise ImproperlyConfigured("BENCH_CHANNEL_LAYER compares Redis layers: set REDIS_URL")
    CHANNEL_LAYERS["default"]["BACKEND"] = BENCH_CHANNEL_LAYERS[_bench_layer]

# redis-py 8 changed two defaults that channels_redis 4.3 relies on (django/channels_redis#422):
# - reads time out after 5 s, and the core layer's receive is a BZPOPMIN that blocks for 5 s, so
#   a process that gets no message for 5 s loses a consumer and its socket to a TimeoutError;
# - a connection pool holds at most 100 connections and fails at once beyond, so a burst of
#   group_add/group_discard (screens connecting or leaving together) raises MaxConnectionsError,
#   and a failed group_discard leaves a dead channel in the group for a day.
# The fix: a read timeout longer than the blocking pop, and as many connections as Redis itself
# accepts by default (maxclients).
if env_bool("BENCH_REDIS_PY8_FIX") and REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [
        {"address": REDIS_URL, "socket_timeout": 10, "max_connections": 10_000}
    ]
