"""The article's examples, as memview must reproduce them."""

import pytest

import memview


def test_first_byte_is_104():
    m = memview.memoryview(b"hello world")
    assert m[0] == 104
    assert type(m[0]) is int


def test_chr_of_first_byte():
    assert chr(memview.memoryview(b"hello world")[0]) == "h"


def test_index_past_end():
    with pytest.raises(IndexError) as info:
        memview.memoryview(b"42")[2]
    assert str(info.value) == "index out of bounds on dimension 1"
    with pytest.raises(IndexError) as builtin:
        memoryview(b"42")[2]
    assert str(info.value) == str(builtin.value)


def test_slice_is_a_view():
    data = bytearray(b"hello world")
    m = memview.memoryview(data)[6:]
    data[6] = ord("W")
    assert m.tobytes() == b"World"
    assert m.obj is data


@pytest.mark.parametrize("n", [0, 1, 2, 17, 1000])
def test_seed_loop_matches_builtin(n):
    data = bytes(range(256)) * (n // 256 + 1)
    data = data[:n]
    b = memview.memoryview(data)
    ref = memoryview(data)
    steps = 0
    while b:
        assert ref
        assert len(b) == len(ref)
        assert b[0] == ref[0]
        assert b.tobytes() == ref.tobytes()
        b = b[1:]
        ref = ref[1:]
        steps += 1
    assert not ref
    assert len(b) == 0
    assert b.tobytes() == b""
    assert steps == n


def test_seed_loop_large_terminates():
    b = memview.memoryview(b"x" * 100_000)
    count = 0
    while b:
        b = b[1:]
        count += 1
    assert count == 100_000
    assert len(b) == 0
