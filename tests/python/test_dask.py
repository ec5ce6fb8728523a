"""A real Dask distributed cluster moves a 100 MB memview view to a worker
process and back (Debian's python3-distributed).

The cluster is a LocalCluster of one worker process with one thread, on
the loopback interface, without a dashboard; it is shut down at the end of
the module.  Dask pickles the view with protocol 5 and a buffer_callback,
so its items travel as out-of-band frames: on our side, serializing and
deserializing make no copy of them (tracemalloc counts the bytes
allocated; a copy of 100 MB would show as 1.0), where bytes are copied
once.  bench/bench_transfer.py prints the same figures and times.
"""

import hashlib
import logging
import tracemalloc

import numpy as np
import pytest

from memview import memoryview as mv

distributed = pytest.importorskip("distributed")

SIZE = 100 * 2 ** 20


def inspect(v):
    """Run on the worker: what arrived, and the view itself to send back."""
    import os
    return {
        "type": (type(v).__module__, type(v).__name__),
        "pid": os.getpid(),
        "format": v.format,
        "shape": v.shape,
        "readonly": v.readonly,
        "sha256": hashlib.sha256(v).hexdigest(),
        "view": v,
    }


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True,
        host="127.0.0.1", dashboard_address=":0", memory_limit="2GiB",
        silence_logs=logging.ERROR)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def payload():
    a = np.random.default_rng(7).integers(0, 256, SIZE, dtype=np.uint8)
    return a.reshape(1024, SIZE // 1024)


def test_view_to_worker_and_back(client, payload):
    import os
    v = mv(payload).cast("B").cast("Q", (SIZE // 8 // 256, 256))
    digest = hashlib.sha256(v).hexdigest()
    [fut] = client.scatter([v])
    info = client.submit(inspect, fut, pure=False).result(timeout=120)
    assert info["pid"] != os.getpid()  # another process
    assert info["type"] == ("memview", "memoryview")
    assert (info["format"], info["shape"], info["readonly"]) == \
        ("Q", v.shape, False)
    assert info["sha256"] == digest
    back = info["view"]
    assert type(back) is mv
    assert back.shape == v.shape and back.format == "Q"
    assert hashlib.sha256(back).hexdigest() == digest
    assert back == v


def copies(obj):
    """How many copies of obj's payload Dask's serialization makes, on
    both ends of the wire, in this process (bytes allocated / payload)."""
    from distributed.protocol import dumps, loads, to_serialize
    tracemalloc.start()
    try:
        frames = dumps({"x": to_serialize(obj)})
        out = loads(frames)["x"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return out, peak / SIZE


def test_no_copy_on_our_side(payload):
    v = mv(payload)
    out, ours = copies(v)
    assert type(out) is mv and out == v
    out, theirs = copies(payload.tobytes())
    assert out == payload.tobytes()
    assert ours < 0.05, ours       # no copy of the 100 MB
    assert theirs > 0.9, theirs    # bytes: one copy at least
