"""memview views between processes: multiprocessing queues and
multiprocessing.shared_memory.

Child processes are started with the "spawn" method, so that everything
they receive really went through pickling (nothing is inherited by fork).
The oracle is the parent's own view: items, format, shape, read-only flag.
"""

import multiprocessing as mp
import pickle
from multiprocessing import shared_memory

import numpy as np
import pytest

from memview import memoryview as mv

TIMEOUT = 120
CTX = mp.get_context("spawn")


def describe(v):
    return (type(v).__module__, type(v).__name__, v.format, v.itemsize,
            v.shape, v.readonly, v.tobytes())


def echo_child(inbox, outbox):
    """Describe each view received, then send it back."""
    while True:
        v = inbox.get(timeout=TIMEOUT)
        if v is None:
            return
        outbox.put((describe(v), v))


def views():
    a = np.arange(24, dtype=np.float64).reshape(4, 6)
    return [
        mv(b"bytes in a queue"),
        mv(bytearray(range(40))).cast("i", (2, 5)),
        mv(a)[::2, 1::2],  # strided: sent in C order
        mv(a).toreadonly(),
        mv(np.array(5, dtype=np.int16)),
    ]


def test_queue_round_trip():
    inbox, outbox = CTX.Queue(), CTX.Queue()
    child = CTX.Process(target=echo_child, args=(inbox, outbox))
    child.start()
    try:
        for v in views():
            inbox.put(v)
            seen, back = outbox.get(timeout=TIMEOUT)
            assert seen == ("memview", "memoryview", v.format, v.itemsize,
                            v.shape, v.readonly, v.tobytes())
            assert describe(back) == describe(v)
            assert back == v
            assert back.tolist() == v.tolist()
        inbox.put(None)
        child.join(TIMEOUT)
        assert child.exitcode == 0
    finally:
        if child.is_alive():
            child.kill()
            child.join()


def shm_child(name, meta, offset, nbytes, done):
    """Rebuild a view of the shared block from the parent's pickle (items
    given back out of band: the child's own mapping of the block), write
    into it through the view, and report what it saw."""
    shm = shared_memory.SharedMemory(name=name)
    try:
        with mv(shm.buf) as whole:
            region = whole[offset:offset + nbytes]
            v = pickle.loads(meta, buffers=[region])
            before = v.tolist()
            for i in range(v.shape[0]):
                for j in range(v.shape[1]):
                    v[i, j] = -v[i, j]
            done.put((v.format, v.shape, before))
            v.release()
            region.release()
    finally:
        shm.close()


def test_shared_memory_zero_copy():
    """A view of shared memory goes to another process as metadata only
    (pickle protocol 5, its items out of band); the child's writes through
    its view are seen through the parent's."""
    shm = shared_memory.SharedMemory(create=True, size=4096)
    try:
        base = mv(shm.buf)
        v = base[64:64 + 48].cast("i", (3, 4))
        for i in range(3):
            for j in range(4):
                v[i, j] = 10 * i + j
        expect = v.tolist()
        buffers = []
        meta = pickle.dumps(v, 5, buffer_callback=buffers.append)
        assert len(meta) < 200  # the items are not in the pickle
        done = CTX.Queue()
        child = CTX.Process(target=shm_child,
                            args=(shm.name, meta, 64, 48, done))
        child.start()
        fmt, shape, seen = done.get(timeout=TIMEOUT)
        child.join(TIMEOUT)
        assert child.exitcode == 0
        assert (fmt, shape, seen) == ("i", (3, 4), expect)
        assert v.tolist() == [[-x for x in row] for row in expect]
        # The block cannot be closed while views of it live.
        buffers.clear()
        with pytest.raises(BufferError):
            shm.close()
        v.release()
        base.release()
    finally:
        shm.close()
        shm.unlink()


def test_shared_memory_through_queue_is_a_copy():
    """Through a queue (pickle protocol 5 in band), a view is copied: the
    child gets equal items in memory of its own."""
    shm = shared_memory.SharedMemory(create=True, size=64)
    try:
        v = mv(shm.buf).cast("Q")
        for i in range(8):
            v[i] = i * i
        inbox, outbox = CTX.Queue(), CTX.Queue()
        child = CTX.Process(target=echo_child, args=(inbox, outbox))
        child.start()
        inbox.put(v)
        seen, back = outbox.get(timeout=TIMEOUT)
        inbox.put(None)
        child.join(TIMEOUT)
        assert child.exitcode == 0
        assert back.tolist() == [i * i for i in range(8)]
        v[0] = 99
        assert back[0] == 0
        v.release()
    finally:
        shm.close()
        shm.unlink()
