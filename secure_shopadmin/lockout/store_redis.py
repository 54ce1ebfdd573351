"""One round trip per reservation when ``LOCKOUT_CACHE`` is on Redis (Django's own backend, or
django-redis with its default client): a Lua script.

:mod:`.store_cache` takes a slot with a handful of ``add``/``incr``/``get`` calls, each a round trip.
Most attempts meet no lock, no delay and no limit, and for them those calls do nothing but count.
:func:`reserve` runs them as one script, atomically on the Redis server: it reads the locks (and the
account's gate), finds the window's start (rolling it over as :mod:`.store_cache` does), reads the
counts, and increments them **only if every resulting count stays below the count at which anything
happens**: a lock is written, a delay or the gate applies, a limit is reached. It then returns the
counts. In every other case (a lock or gate is active, a count would reach its threshold, a value it
cannot read) it writes nothing and answers "no", and the generic path of :mod:`.store_cache` runs as
it would have (it alone handles exemptions: unlock passes, known devices).

Why a mix of concurrent script and generic attempts still hands out at most *limit* slots. Each
counter key only ever moves by: +1 for an attempt (either path), −1 when a generic attempt takes its
own +1 back (refused) or a slot is released (the password was right), and deletion when a lock is
written (after the lock). So while no lock is written, a counter's value is never below the number
of slots it has handed out and not released. The generic path hands out a slot only if its ``incr``
returned at most *limit*; the script only if its increment gives at most *limit − 1*: both grant a
slot only when, counting that slot, at most *limit* are out, the script with one to spare. The
script's read of the locks and its increment are one atomic step, and the generic path writes a
lock before it deletes the count that lock ends: a script that runs before the lock sees the count
that attempt raised to the limit (less slots released since, each one fewer out) and declines unless
two slots are free, one that runs after sees the lock and declines. So the script never
hands out a slot the generic path would have refused, and never the one that must lock. (Once a lock
has run out its count starts over; both paths read the same keys, so they start over alike.)

Times the script compares (a lock's end, the gate, a window's start) are stored by both paths as
integer milliseconds since the epoch (``store_cache.FOREVER``: locked until unlocked); Lua cannot
read Django's pickled values, and Django's Redis serializer writes integers as plain numbers. A value
the script cannot read (a float written before this representation) sends the attempt down the
generic path, which reads both. The script builds the window's count key from its start, so it runs
only when the cache's key function appends (the default ``prefix:version:key`` does); keys it builds
are not declared to Redis, which Redis Cluster would refuse (neither backend's client is a cluster).
django-redis's other clients (herd, sharded) store values their own way and take the generic path.
``LOCKOUT_CACHE_SCRIPT = False`` turns the script off (e.g. where a managed Redis forbids ``EVAL``).
"""

from django.core.cache.backends.redis import RedisCache

from ..conf import app_settings

try:
    from django_redis.cache import RedisCache as DjangoRedisCache
    from django_redis.client import DefaultClient
except ImportError:  # django-redis is optional
    DjangoRedisCache = DefaultClient = None

RESERVE = """
local now, nlocks = tonumber(ARGV[1]), tonumber(ARGV[2])
local function int(value)
  if not value then return 0 end
  return tonumber(value)
end
if nlocks > 0 then
  for _, value in ipairs(redis.call('MGET', unpack(KEYS, 1, nlocks))) do
    local until_ = int(value)
    if until_ == nil or until_ > now then return {0} end
  end
end
local start_key = KEYS[nlocks + 1]
local start = redis.call('GET', start_key)
if start and not tonumber(start) then return {0} end
local roll
if not start or now - tonumber(start) >= tonumber(ARGV[3]) then
  roll = ARGV[5] .. (start or '0')
  start = redis.call('GET', roll) or ARGV[1]
  if not tonumber(start) then return {0} end
end
local keys = {ARGV[4] .. start}
for i = nlocks + 2, #KEYS do keys[#keys + 1] = KEYS[i] end
local counts = redis.call('MGET', unpack(keys))
for i, key in ipairs(keys) do
  local n = int(counts[i])
  if n == nil or n + 1 >= tonumber(ARGV[5 + 2 * i]) then return {0} end
end
local ttl = ARGV[6]
if roll then
  redis.call('SET', roll, start, 'EX', ttl, 'NX')
  redis.call('SET', start_key, start, 'EX', ttl)
end
redis.call('SET', keys[1], 0, 'EX', ttl, 'NX')
local result = {1, start, redis.call('INCR', keys[1])}
for i = 2, #keys do
  result[#result + 1] = redis.call('INCR', keys[i])
  redis.call('EXPIRE', keys[i], ARGV[4 + 2 * i])
end
return result
"""

SETTLE = """
local n = tonumber(ARGV[1])
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local left = redis.call('DECR', KEYS[i])
    if left < 0 then redis.call('INCRBY', KEYS[i], -left) end
  end
end
if #KEYS > n then redis.call('DEL', unpack(KEYS, n + 1)) end
return n
"""

_scripts = {}  # source -> redis-py Script (its SHA1), registered once per process


def _script(source, client):
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = client.register_script(source)
    return script


def client_for(cache):
    """(a Redis client, the cache's key function) when ``cache`` can run the scripts, else None."""
    if not app_settings.LOCKOUT_CACHE_SCRIPT:
        return None
    if isinstance(cache, RedisCache):
        client, make_key = cache._cache.get_client(write=True), cache.make_and_validate_key
    elif DjangoRedisCache is not None and isinstance(cache, DjangoRedisCache) and type(cache.client) is DefaultClient:
        client, make_key = cache.client.get_client(write=True), lambda key: str(cache.client.make_key(key))
    else:
        return None
    if make_key("ssa") + ":n" != make_key("ssa:n"):  # the script appends to made keys
        return None
    return client, make_key


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def reserve(cache, now_ms, lock_keys, window, counters):
    """Take a slot in one round trip if nothing but counting is due; None when the generic path must run.

    ``lock_keys``: keys whose (millisecond) value in the future refuses or may exempt; ``window``:
    (count key prefix, roll key prefix, start key, seconds, limit) of the windowed counter;
    ``counters``: (key, first special count, seconds to live from each count) of the others.
    Returns (window start, [window count, *counts]).
    """
    found = client_for(cache)
    seconds = [window[3], *(ttl for _key, _at, ttl in counters)]
    thresholds = [window[4], *(at for _key, at, _ttl in counters)]
    if found is None or not all(_whole(v) for v in seconds + thresholds):
        return None
    client, make_key = found
    keys = [make_key(k) for k in (*lock_keys, window[2], *(key for key, _at, _ttl in counters))]
    args = [now_ms, len(lock_keys), window[3] * 1000, make_key(window[0]), make_key(window[1]),
            window[3] * 2 + 60, thresholds[0]]
    for at, ttl in zip(thresholds[1:], seconds[1:], strict=True):
        args += [ttl, at]
    answer = _script(RESERVE, client)(keys=keys, args=args, client=client)
    if not answer or answer[0] != 1:
        return None
    start = answer[1].decode() if isinstance(answer[1], bytes) else str(answer[1])
    return start, [int(n) for n in answer[2:]]


def settle(cache, decrements, deletions=()):
    """Take one back from each of ``decrements`` (never below 0, only where the key exists) and delete
    ``deletions``, in one round trip; False when ``cache`` cannot run the script."""
    found = client_for(cache)
    if found is None:
        return False
    client, make_key = found
    if decrements or deletions:
        keys = [make_key(k) for k in (*decrements, *deletions)]
        _script(SETTLE, client)(keys=keys, args=[len(decrements)], client=client)
    return True
