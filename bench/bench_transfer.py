"""Moving 100 MB between processes: memview views against bytes, one run.

Printed, for a memview.memoryview and for bytes of the same 100 MB:

  copies   bytes allocated (tracemalloc peak) / payload, on both ends of
           the wire in this process: pickle protocol 5 with a
           buffer_callback (dumps, then loads with the buffers), and Dask's
           serialization (distributed.protocol dumps + loads, what its
           comms do before and after the socket). 1.0 is one full copy.
  time     a real Dask cluster (LocalCluster, one worker process on
           loopback): scatter to the worker, run a task that hashes the
           object and returns it, gather; best of --repeat; the ratio is
           memview / bytes.

    PYTHONPATH=build/python python3 bench/bench_transfer.py [--repeat R]
        [--mb 100] [--no-cluster]
"""

import argparse
import hashlib
import logging
import pickle
import time
import tracemalloc

import numpy as np

import memview


def copies(fn, obj, size):
    """Bytes fn(obj) allocates, over size (imports and caches excluded)."""
    fn(type(obj)(bytearray(16)))
    tracemalloc.start()
    try:
        fn(obj)
        return tracemalloc.get_traced_memory()[1] / size
    finally:
        tracemalloc.stop()


def pickle_round_trip(obj):
    buffers = []
    data = pickle.dumps(obj, 5, buffer_callback=buffers.append)
    return pickle.loads(data, buffers=buffers)


def dask_round_trip(obj):
    from distributed.protocol import dumps, loads, to_serialize
    return loads(dumps({"x": to_serialize(obj)}))["x"]


def work(x):
    return hashlib.sha256(x).hexdigest(), x


def cluster_times(objs, repeat):
    import distributed
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=":0", memory_limit="2GiB",
        silence_logs=logging.ERROR)
    client = distributed.Client(cluster)
    best = {name: float("inf") for name in objs}
    try:
        for _ in range(repeat):
            for name, obj in objs.items():  # taking turns
                t = time.perf_counter()
                [fut] = client.scatter([obj])
                digest, back = client.submit(work, fut, pure=False).result()
                best[name] = min(best[name], time.perf_counter() - t)
                assert digest == hashlib.sha256(obj).hexdigest()
                assert type(back) is type(obj)
                del fut, back
    finally:
        client.close()
        cluster.close()
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--no-cluster", action="store_true")
    args = ap.parse_args()
    size = args.mb * 2 ** 20
    raw = np.random.default_rng(1).integers(0, 256, size, dtype=np.uint8)
    objs = {"memview": memview.memoryview(raw.reshape(1024, -1)),
            "bytes": raw.tobytes()}

    print(f"payload {args.mb} MB; copies = bytes allocated / payload")
    print(f"{'':24}{'memview':>10}{'bytes':>10}")
    for label, fn in [("pickle 5 out of band", pickle_round_trip),
                      ("Dask serialization", dask_round_trip)]:
        c = {name: copies(fn, obj, size) for name, obj in objs.items()}
        print(f"{label:24}{c['memview']:10.3f}{c['bytes']:10.3f}")
    if args.no_cluster:
        return
    best = cluster_times(objs, args.repeat)
    print(f"Dask cluster round trip (best of {args.repeat}): memview "
          f"{best['memview'] * 1e3:.0f} ms, bytes {best['bytes'] * 1e3:.0f} "
          f"ms, ratio memview/bytes {best['memview'] / best['bytes']:.2f}")


if __name__ == "__main__":
    main()
