"""Misuses of memview that mypy must report, one per line marked E."""

import memview
from memview import memoryview

m = memoryview(b"abc")
memoryview(3)  # E: not a buffer
m.cast(1)  # E: a format is a str
m.readonly = True  # E: read-only property
memview.from_dlpack(b"abc")  # E: bytes have no __dlpack__
m.tobytes(order="X")  # E: order is C, F or A
m.__dlpack__(max_version=1)  # E: max_version is a tuple
h: bytes = m.hex()  # E: hex() is a str
v: int = memview.__version__  # E: the version is a str
m.release(1)  # E: release() takes no argument
m.nbytes.upper()  # E: nbytes is an int
t: str = m[1:2]  # E: a slice is a memoryview
memoryview(b"ab").cast("B", [2], order="A")  # E: cast's order is C or F
memoryview(b"ab").advise("fast")  # E: not an advice
memview.map("f", advise="often")  # E: not an advice
memoryview(b"ab").stats().bogus  # E: Stats has no such field
