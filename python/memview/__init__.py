"""Zero-copy, typed, N-dimensional views over memory.

memview.memoryview is a drop-in for the builtin memoryview that does more:
N-dimensional slicing and sub-views, pickling (out of band with pickle
protocol 5) and DLPack (``__dlpack__``, :func:`from_dlpack`); :func:`map`
gives a view of any byte range of a file.  The work is
done by the C library libmemview, compiled into ``memview._memview``.
"""

from memview._memview import Stats, __version__, from_dlpack, map, memoryview

__all__ = ["Stats", "__version__", "from_dlpack", "map", "memoryview"]
