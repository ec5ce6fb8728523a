"""Uses of memview that must type-check (mypy --strict)."""

import array
import pickle

import numpy as np

import memview
from memview import memoryview

version: str = memview.__version__

m = memoryview(bytearray(b"abcdefgh"))
n: int = m.nbytes
ro: bool = m.readonly
shape: tuple[int, ...] = m.shape
data: bytes = m.tobytes()
data_f: bytes = m.tobytes(order="F")
text: str = m.hex(":", 2)
ints = m.cast("i", (2,))
sub: memoryview = m[1:3]
first = m[0]
m[0] = 120
m[0:2] = b"xy"
copy: memoryview = memoryview(m)
for item in m:
    print(item)
with memoryview(b"abc") as scoped:
    print(len(scoped), scoped.tolist(), scoped.count(97), scoped.index(98))
frozen: memoryview = m.toreadonly()

buffers: list[pickle.PickleBuffer] = []
blob = pickle.dumps(m, protocol=5, buffer_callback=buffers.append)
again = pickle.loads(blob, buffers=buffers)

device: tuple[int, int] = m.__dlpack_device__()
capsule = m.__dlpack__(max_version=(1, 0), copy=False)
shared: memoryview = memview.from_dlpack(np.arange(4.0))
back: memoryview = memview.from_dlpack(shared, copy=True)
del capsule, again, buffers  # each holds a buffer of m
m.release()

# Reductions, fields, newer casts and advice
nums = memoryview(array.array("i", range(6)))
total = nums.sum()
low = nums.min()
avg = nums.mean()
st: memview.Stats = nums.stats()
count: int = st.count
nanmean: float = st.nanmean
recs = memoryview(bytearray(30)).cast("T{<d:x:<h:y:}")
xs: memoryview = recs["x"]
fcast: memoryview = memoryview(bytes(6)).cast("B", [3, 2], order="F")
print(total, low, avg, count, nanmean, xs, fcast)
