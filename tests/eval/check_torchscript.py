"""Runs a model exported by hwnas::eval::export_torchscript in Python and compares its output
with the C++ model's, so that the export is checked by the reader it is meant for.

Usage: /usr/bin/python3 check_torchscript.py MODEL.pt INPUT EXPECTED [TOLERANCE]

INPUT and EXPECTED are tensors as export_test.cpp writes them, little-endian: int64 ndim,
int64 sizes[ndim], then float32 values in C order. Prints "max_abs_diff <value>" and exits 0
when the shapes agree and the difference is below TOLERANCE (default 1e-5), 1 when not, and 2
when the arguments are wrong.
"""

import struct
import sys

import torch


def read_tensor(path):
    with open(path, "rb") as f:
        data = f.read()
    (ndim,) = struct.unpack_from("<q", data, 0)
    sizes = struct.unpack_from("<%dq" % ndim, data, 8)
    values = torch.frombuffer(bytearray(data[8 + 8 * ndim :]), dtype=torch.float32)
    return values.reshape(sizes)


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    tolerance = float(argv[4]) if len(argv) == 5 else 1e-5
    model = torch.jit.load(argv[1])
    model.eval()
    x = read_tensor(argv[2])
    expected = read_tensor(argv[3])
    with torch.no_grad():
        y = model(x)
    if y.shape != expected.shape:
        print("shape %s, expected %s" % (list(y.shape), list(expected.shape)))
        return 1
    diff = (y - expected).abs().max().item() if y.numel() else 0.0
    print("max_abs_diff %.9g" % diff)
    return 0 if diff < tolerance else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
