"""Writes the tiny models the infer and detect unit tests run on (no real weights needed).

usage: make_test_models.py OUT_DIR

tiny_conv.{onnx,pt}   1x1 conv 3->2 with known weights; outputs (conv, relu(conv)), input [1,3,4,4]
tiny_yolo.onnx        Ultralytics layout [1,84,84] for a 64x64 input, every anchor the same box
nanodet/              a models dir: manifest.json + tiny_nanodet.{onnx,pt}, NanoDet layout for 64x64
"""
import hashlib
import json
import pathlib
import sys

import onnx
import torch

CONV_WEIGHTS = [[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]]
CONV_BIAS = [0.5, -0.5]
STRIDES = (8, 16, 32)


class TinyConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 2, 1)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor(CONV_WEIGHTS).view(2, 3, 1, 1))
            self.conv.bias.copy_(torch.tensor(CONV_BIAS))

    def forward(self, x):
        y = self.conv(x)
        return y, torch.relu(y)


def constant_head(channels, stride, bias):
    """A conv whose output ignores the image: one cell per stride x stride patch, value = bias."""
    conv = torch.nn.Conv2d(3, channels, stride, stride)
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.copy_(bias)
    return conv


class TinyYolo(torch.nn.Module):
    """Every anchor: cx=32 cy=32 w=20 h=10, class 5 at 0.9, class 7 at 0.6."""

    def __init__(self):
        super().__init__()
        bias = torch.zeros(84)
        bias[:4] = torch.tensor([32.0, 32.0, 20.0, 10.0])
        bias[4 + 5] = 0.9
        bias[4 + 7] = 0.6
        self.heads = torch.nn.ModuleList(constant_head(84, s, bias) for s in STRIDES)

    def forward(self, x):
        return torch.cat([h(x).reshape(1, 84, -1) for h in self.heads], 2)


class TinyNanoDet(torch.nn.Module):
    """Only the stride-32 cells score (class 2 at 0.8); each side's distance is half a stride."""

    def __init__(self):
        super().__init__()
        reg_bias = torch.full((44,), -20.0)
        for side in range(4):  # bins 0 and 1 equally likely: expected distance 0.5
            reg_bias[side * 11] = reg_bias[side * 11 + 1] = 5.0
        cls_bias = torch.zeros(80)
        cls_bias[2] = 0.8
        self.cls = torch.nn.ModuleList(
            constant_head(80, s, cls_bias if s == 32 else torch.zeros(80)) for s in STRIDES)
        self.reg = torch.nn.ModuleList(constant_head(44, s, reg_bias) for s in STRIDES)

    def forward(self, x):
        def rows(heads, c):
            return torch.cat([h(x).reshape(1, c, -1) for h in heads], 2).permute(0, 2, 1)

        return rows(self.cls, 80), rows(self.reg, 44)


def inline_constant_identities(path):
    """The exporter shares equal initializers through Identity nodes, which OpenCV 4.6 rejects."""
    model = onnx.load(str(path))
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    for node in [n for n in graph.node if n.op_type == "Identity" and n.input[0] in initializers]:
        copy = onnx.TensorProto()
        copy.CopyFrom(initializers[node.input[0]])
        copy.name = node.output[0]
        graph.initializer.append(copy)
        graph.node.remove(node)
    onnx.save(model, str(path))


def export_onnx(module, shape, path, input_name, outputs):
    torch.onnx.export(module.eval(), torch.zeros(shape), str(path), opset_version=12,
                      input_names=[input_name], output_names=outputs)
    inline_constant_identities(path)


def export(module, shape, path, outputs):
    export_onnx(module, shape, path.with_suffix(".onnx"), "input", outputs)
    torch.jit.trace(module.eval(), torch.zeros(shape)).save(str(path.with_suffix(".pt")))


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_nanodet_dir(out):
    d = out / "nanodet"
    d.mkdir(parents=True, exist_ok=True)
    export(TinyNanoDet(), (1, 3, 64, 64), d / "tiny_nanodet", ["cls", "reg"])
    files = {fmt: {"path": f"tiny_nanodet.{ext}", "sha256": sha256(d / f"tiny_nanodet.{ext}")}
             for fmt, ext in (("onnx", "onnx"), ("torchscript", "pt"))}
    manifest = {"models": [{
        "name": "nanodet", "task": "detect",
        "source": {"package": "unit-test", "version": "0", "file": "make_test_models.py"},
        "files": files,
        "input": {"name": "input", "shape": [1, 3, 64, 64], "layout": "NCHW", "color": "BGR",
                  "mean": [0, 0, 0], "std": [1, 1, 1]},
        "outputs": [{"name": "cls", "shape": [1, 84, 80]}, {"name": "reg", "shape": [1, 84, 44]}],
        "labels": [str(i) for i in range(80)],
    }]}
    (d / "manifest.json").write_text(json.dumps(manifest, indent=2))


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    export(TinyConv(), (1, 3, 4, 4), out / "tiny_conv", ["conv", "relu"])
    export_onnx(TinyYolo(), (1, 3, 64, 64), out / "tiny_yolo.onnx", "images", ["output0"])
    write_nanodet_dir(out)


if __name__ == "__main__":
    main()
