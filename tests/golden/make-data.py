#!/usr/bin/env python3
"""Write the data files of the CLI golden check (tests/golden/data/).

Deterministic: the same bytes on every run and every Python 3 (a fixed
linear congruential generator, explicit byte orders, no host-dependent
packing). The files are checked in; run this only to change them, then
`scripts/cli-golden.sh update build/memview` for the expected outputs.

usage: make-data.py [DIR]   (default: data/ beside this script)
"""

import math
import os
import struct
import sys


class Lcg:
    """Knuth's MMIX generator: 64-bit state, the high 32 bits out."""

    def __init__(self, seed):
        self.s = seed

    def u32(self):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % 2**64
        return self.s >> 32

    def byte(self):
        return self.u32() >> 24


def text():
    lines = [
        "memview: zero-copy typed views over memory.",
        "The same commands on the same files print the same bytes",
        "on x86-64, i686, aarch64, s390x and Windows.",
        "\tTabs, trailing spaces   ",
        "and bytes past ASCII: caf\u00e9, \u00fcber, \u2603.",
        "",
        "last line without a newline",
    ]
    return "\n".join(lines).encode("utf-8")


def byte_file():
    g = Lcg(1)
    b = bytearray(g.byte() for _ in range(1000))
    b[100:100 + 45] = b"The quick brown fox jumps over the lazy dog. "
    b[0] = 0x00
    b[999] = 0xFF
    return bytes(b)


def int_file():
    g = Lcg(2)
    vals = [0, 1, -1, 2**31 - 1, -2**31, 1000, -1000]
    vals += [g.u32() - 2**31 for _ in range(249)]
    return struct.pack("<256i", *vals)


def be_u32_file():
    g = Lcg(3)
    vals = [0, 1, 0xFFFFFFFF, 0x01020304, 0x80000000]
    vals += [g.u32() for _ in range(59)]
    return struct.pack(">64I", *vals)


SPECIAL = [0.1, -0.0, 0.0, math.inf, -math.inf, math.nan, 5e-324,
           1.7976931348623157e308, 1 / 3, -2.5, 1e16, 123456789.125,
           -1e-300, 2.0**53 + 2]


def doubles(seed, n, order):
    """SPECIAL, then n values of every magnitude, a NaN now and then."""
    g = Lcg(seed)
    vals = list(SPECIAL)
    for i in range(n):
        if i % 997 == 500:
            vals.append(math.nan)
        else:
            m = g.u32() / 2**32 + 1
            e = g.u32() % 81 - 40
            vals.append(math.ldexp(-m if g.u32() & 1 else m, e))
    return struct.pack(order + "%dd" % len(vals), *vals)


def f32_file():
    g = Lcg(5)
    vals = [0.5, -0.0, math.inf, -math.inf, math.nan, 3.4028234663852886e38,
            1.401298464324817e-45, 0.1, -7.25]
    for i in range(2100):
        vals.append(float(g.u32() % 20001 - 10000) / 8)
    return struct.pack("<%df" % len(vals), *vals)


def half_file():
    vals = [0.0, -0.0, 1.0, -2.5, 65504.0, -65504.0, 2.0**-24, 2.0**-14,
            0.333251953125, math.inf, -math.inf, math.nan, 1024.5, 7.0]
    return struct.pack("<%de" % len(vals), *vals)


# T{<I:id:<d:x:>h:y:3s:tag:}: 4 + 8 + 2 + 3 = 17 bytes, no padding
def record_file():
    g = Lcg(6)
    out = bytearray()
    tags = [b"abc", b"x\x00y", b"\xff\xfe\xfd", b"   "]
    for i in range(40):
        x = math.nan if i == 7 else (g.u32() % 100000 - 50000) / 16
        out += struct.pack("<Id", 1000 + i, x)
        out += struct.pack(">h", g.u32() % 65536 - 32768)
        out += tags[i % 4]
    return bytes(out)


def count_file():
    g = Lcg(7)
    b = bytearray()
    for i in range(20000):
        r = g.u32()
        b.append(0xAB if r % 3 == 0 else (r >> 8) % 0x70)  # no 0x70..0xaa
    b[17001] = 0x7F  # the first 0x7f
    b[19000] = 0x7F
    return bytes(b)


def grid_file():
    return struct.pack("<120h", *[(r * 10 + c) * (-1) ** c
                                 for r in range(12) for c in range(10)])


def plain_hex():
    data = byte_file()[:300]
    h = data.hex()
    return "".join(h[i:i + 60] + "\n" for i in range(0, len(h), 60)).encode()


FILES = {
    "text.txt": text,
    "bytes.bin": byte_file,
    "bytes.hex": plain_hex,
    "ints.bin": int_file,
    "be-u32.bin": be_u32_file,
    "f64.bin": lambda: doubles(4, 3000, "<"),
    "be-f64.bin": lambda: doubles(8, 1100, ">"),
    "f32.bin": f32_file,
    "halves.bin": half_file,
    "records.bin": record_file,
    "counts.bin": count_file,
    "grid.bin": grid_file,
    "empty.bin": lambda: b"",
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "data")
    os.makedirs(out, exist_ok=True)
    for name, make in FILES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(make())


if __name__ == "__main__":
    main()
