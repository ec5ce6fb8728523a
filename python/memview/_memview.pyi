# Type stubs of the extension module memview._memview (re-exported by
# memview). Items of a view are int, float, bool or bytes depending on its
# format, so item access is typed Any; everything else is exact.

import builtins
import os
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import (
    Any,
    Literal,
    NamedTuple,
    Protocol,
    SupportsIndex,
    Union,
    final,
    overload,
)

# What memoryview() takes: any object with the buffer protocol. typeshed's
# own alias (PEP 688 once supported) plus memview's type.
from _typeshed import ReadableBuffer

if sys.version_info >= (3, 11):
    from typing import Self
else:
    from typing_extensions import Self

__version__: str

_Order = Literal["C", "F", "A"]
_Advice = Literal["normal", "sequential", "random", "willneed", "dontneed"]
# An item of a numeric view: int ('?' min and max: bool), float, complex.
_Number = Union[int, float, complex]

# memoryview.stats(): the fields of the C mv_stats and of the CLI's stat.
# count, sum, min, max, mean as NumPy's sum, min, max, mean (NaN when an
# item is NaN); nans counts the NaN items; the nan* fields leave them out.
class Stats(NamedTuple):
    count: int  # type: ignore[assignment]  # the field, not tuple.count
    sum: int | float
    min: int | float
    max: int | float
    mean: float
    nans: int
    nansum: int | float
    nanmin: int | float
    nanmax: int | float
    nanmean: float
_Key = Union[SupportsIndex, slice, "builtins.ellipsis", tuple[Any, ...]]

# What from_dlpack takes: an object with the DLPack methods (a NumPy array,
# a memview.memoryview...). Only the keyword every producer has is named.
class _SupportsDLPack(Protocol):
    def __dlpack__(self, *, stream: None = ...) -> Any: ...
    def __dlpack_device__(self) -> Any: ...

@final
class memoryview:
    def __new__(cls, object: _Buffer) -> Self: ...
    # memoryview[int], as the builtin's from 3.14 (a types.GenericAlias).
    def __class_getitem__(cls, item: Any, /) -> Any: ...
    @property
    def obj(self) -> Any: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def readonly(self) -> bool: ...
    @property
    def itemsize(self) -> int: ...
    @property
    def format(self) -> str: ...
    @property
    def ndim(self) -> int: ...
    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def strides(self) -> tuple[int, ...]: ...
    @property
    def suboffsets(self) -> tuple[int, ...]: ...
    @property
    def c_contiguous(self) -> bool: ...
    @property
    def f_contiguous(self) -> bool: ...
    @property
    def contiguous(self) -> bool: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
        /,
    ) -> None: ...
    def release(self) -> None: ...
    def tobytes(self, order: _Order | None = "C") -> bytes: ...
    def hex(
        self, sep: str | bytes = ..., bytes_per_sep: SupportsIndex = 1
    ) -> str: ...
    def tolist(self) -> Any: ...
    def toreadonly(self) -> memoryview: ...
    # Beyond the builtin: write changes of a view of memview.map() to the
    # file (msync).
    def flush(self) -> None: ...
    # order (beyond the builtin before CPython 3.15): the layout of a new
    # N-D shape, 'C' (row-major) or 'F' (column-major).
    def cast(
        self,
        format: str,
        shape: list[int] | tuple[int, ...] = ...,
        *,
        order: Literal["C", "F"] = "C",
    ) -> memoryview: ...
    # Beyond the builtin: reductions over the items of any numeric view
    # (integer sums exact, NumPy's NaN rules; complex: sum and mean).
    def sum(self) -> _Number: ...
    def min(self) -> int | float: ...
    def max(self) -> int | float: ...
    def mean(self) -> float | complex: ...
    def stats(self) -> Stats: ...
    # Beyond the builtin: madvise's hint for the bytes of the file a view of
    # memview.map() reaches.
    def advise(self, advice: _Advice, /) -> None: ...
    def count(self, value: Any, /) -> int: ...
    def index(
        self,
        value: Any,
        start: SupportsIndex = 0,
        stop: SupportsIndex = sys.maxsize,
        /,
    ) -> int: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    @overload
    def __getitem__(self, key: slice, /) -> memoryview: ...
    # Beyond the builtin: a field of records by name ("x", "pos.x").
    @overload
    def __getitem__(self, key: str, /) -> memoryview: ...
    @overload
    def __getitem__(self, key: _Key, /) -> Any: ...
    def __setitem__(self, key: _Key | str, value: Any, /) -> None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    if sys.version_info >= (3, 12):
        def __buffer__(self, flags: int, /) -> builtins.memoryview: ...
        def __release_buffer__(
            self, buffer: builtins.memoryview, /
        ) -> None: ...
    # Pickling: protocol 5 with a buffer_callback passes the items out of
    # band, without copying them.
    def __reduce_ex__(self, protocol: SupportsIndex, /) -> tuple[Any, ...]: ...
    # DLPack (Python array API).
    def __dlpack__(
        self,
        *,
        stream: None = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> Any: ...
    def __dlpack_device__(self) -> tuple[int, int]: ...

_Buffer = Union[ReadableBuffer, memoryview]

def map(
    path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
    offset: int = 0,
    length: int | None = None,
    writable: bool = False,
    *,
    advise: _Advice | None = None,
) -> memoryview: ...
def from_dlpack(
    x: _SupportsDLPack,
    /,
    *,
    device: tuple[int, int] | None = None,
    copy: bool | None = None,
) -> memoryview: ...
def _rebuild(
    data: _Buffer,
    format: str,
    itemsize: int,
    shape: tuple[int, ...],
    readonly: bool,
    /,
) -> memoryview: ...
