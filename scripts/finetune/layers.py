"""Writes the tensors in which a tuned container differs from the wheel's as an "E5L1" file, the
tuned layers the product writes over the wheel's model (crates/qiao-embed/src/layers.rs).

    python3 scripts/finetune/layers.py TUNED_CONTAINER OUT_FILE

Reads the wheel's container from QIAO_MODEL_DIR (default data/model); the venv of README.md.
"""
import hashlib
import struct
import sys

import e5torch as E


def write_layers(base, tuned_bytes, path):
    """The tensors whose bytes differ between `base` (a Container) and `tuned_bytes`, in the
    container's order; returns how many."""
    names = sorted((t[2], n) for n, t in base.tensors.items())
    out = [b"E5L1", b""]
    count = 0
    for offset, name in names:
        size = base.tensors[name][3]
        new = tuned_bytes[offset:offset + size]
        if new == base.bytes[offset:offset + size]:
            continue
        nb = name.encode()
        out += [struct.pack("<H", len(nb)), nb, struct.pack("<Q", size), new]
        count += 1
    out[1] = struct.pack("<I", count)
    data = b"".join(out)
    with open(path, "wb") as f:
        f.write(data)
    print(f"{path}: {count} tensors, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    return count


if __name__ == "__main__":
    base = E.Container()
    tuned = open(sys.argv[1], "rb").read()
    assert len(tuned) == len(base.bytes), "the tuned container's size differs from the wheel's"
    write_layers(base, tuned, sys.argv[2])
