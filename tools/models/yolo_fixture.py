"""A small, seeded model with the exact export structure of an Ultralytics YOLOv8 detector,
the fix that makes such exports run in OpenCV 4.6 DNN, and golden files for the C++ decoder.

Export structure (as `yolo export format=onnx` with dynamic=False, after Conv+BN fusion):
  input `images` [1,3,S,S] (RGB, pixel / 255) -> output `output0` [1, 4+nc, N],
  rows 0..3 = cx, cy, w, h in input pixels (DFL, reg_max 16, strides 8/16/32),
  rows 4.. = sigmoid class scores, N = (S/8)^2 + (S/16)^2 + (S/32)^2.

OpenCV 4.6 problems with such exports, both fixed by `fix_ultralytics_onnx`:
  * `dbox * strides`: Mul of [1,4,N] by a constant [1,N] is imported as a Scale layer, which
    asserts in `total()` -> the constant is expanded to the full [1,4,N].
  * opset >= 13: Split takes its sizes as an input, which OpenCV 4.6 ignores (it splits equally,
    64+80 channels become 72+72) -> rewritten into Slices.
"""
from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from onnx2torch import static_input_shapes
from onnx_edit import (constants_to_initializers, fold_static_values, infer_all_shapes, initializer_map,
                       static_shape, unique_name)

REG_MAX = 16
STRIDES = (8, 16, 32)
NUM_CLASSES = 80
CONF_THRESHOLD = 0.25
IOU_THRESHOLD = 0.45
MAX_DETECTIONS = 300
SEED = 20240601
HIDDEN_GAIN = 1.5
BOX_LOGIT_STD = 2.0
CLS_LOGIT_STD = 1.5
PASSING_ANCHORS = 40


# ---------------------------------------------------------------- model (YOLOv8 modules, fused)

class Conv(nn.Module):
    """Conv2d + SiLU; Ultralytics fuses the BatchNorm into the conv before export."""

    def __init__(self, c_in: int, c_out: int, k: int = 1, s: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, k, s, k // 2, bias=True)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.conv(x))


class Bottleneck(nn.Module):
    def __init__(self, c: int, shortcut: bool):
        super().__init__()
        self.cv1, self.cv2 = Conv(c, c, 3), Conv(c, c, 3)
        self.add = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    def __init__(self, c_in: int, c_out: int, n: int = 1, shortcut: bool = False):
        super().__init__()
        self.c = c_out // 2
        self.cv1 = Conv(c_in, 2 * self.c)
        self.cv2 = Conv((2 + n) * self.c, c_out)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        y.extend(m(y[-1]) for m in self.m)
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        hidden = c_in // 2
        self.cv1, self.cv2 = Conv(c_in, hidden), Conv(hidden * 4, c_out)
        self.m = nn.MaxPool2d(5, 1, 2)

    def forward(self, x):
        y = [self.cv1(x)]
        y.extend(self.m(y[-1]) for _ in range(3))
        return self.cv2(torch.cat(y, 1))


class DFL(nn.Module):
    """Distribution focal loss integral: expectation over reg_max bins via a fixed 1x1 conv."""

    def __init__(self, c1: int = REG_MAX):
        super().__init__()
        self.conv = nn.Conv2d(c1, 1, 1, bias=False).requires_grad_(False)
        self.conv.weight.data[:] = torch.arange(c1, dtype=torch.float).view(1, c1, 1, 1)
        self.c1 = c1

    def forward(self, x):
        b, _, a = x.shape
        return self.conv(x.view(b, 4, self.c1, a).transpose(2, 1).softmax(1)).view(b, 4, a)


def make_anchors(sizes: Sequence[int], strides: Sequence[int], offset: float = 0.5):
    points, stride_column = [], []
    for size, stride in zip(sizes, strides):
        coords = torch.arange(size, dtype=torch.float) + offset
        sy, sx = torch.meshgrid(coords, coords, indexing="ij")
        points.append(torch.stack((sx, sy), -1).view(-1, 2))
        stride_column.append(torch.full((size * size, 1), float(stride)))
    return torch.cat(points), torch.cat(stride_column)


class Detect(nn.Module):
    """YOLOv8 Detect head in export mode (anchors cached for the static input size)."""

    def __init__(self, nc: int, channels: Sequence[int], imgsz: int):
        super().__init__()
        self.nc, self.no = nc, nc + 4 * REG_MAX
        c2, c3 = max(16, channels[0] // 4, 4 * REG_MAX), max(channels[0], min(nc, 100))
        self.cv2 = nn.ModuleList(nn.Sequential(Conv(c, c2, 3), Conv(c2, c2, 3), nn.Conv2d(c2, 4 * REG_MAX, 1))
                                 for c in channels)
        self.cv3 = nn.ModuleList(nn.Sequential(Conv(c, c3, 3), Conv(c3, c3, 3), nn.Conv2d(c3, nc, 1))
                                 for c in channels)
        self.dfl = DFL()
        anchors, strides = make_anchors([imgsz // s for s in STRIDES], STRIDES)
        self.anchors, self.strides = anchors.transpose(0, 1), strides.transpose(0, 1)  # [2,N], [1,N]

    def forward(self, features: List[torch.Tensor]):
        b = features[0].shape[0]
        x_cat = torch.cat([torch.cat((box(f), cls(f)), 1).view(b, self.no, -1)
                           for f, box, cls in zip(features, self.cv2, self.cv3)], 2)
        box, cls = x_cat.split((REG_MAX * 4, self.nc), 1)
        dbox = dist2bbox(self.dfl(box), self.anchors.unsqueeze(0)) * self.strides
        return torch.cat((dbox, cls.sigmoid()), 1)


def dist2bbox(distance: torch.Tensor, anchor_points: torch.Tensor) -> torch.Tensor:
    lt, rb = distance.chunk(2, 1)
    x1y1, x2y2 = anchor_points - lt, anchor_points + rb
    return torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1)


# (channel widths, C2f repeats per backbone stage)
FIXTURE_SIZE = ((8, 16, 32, 64, 128), (1, 1, 1, 1))
YOLOV8N_SIZE = ((16, 32, 64, 128, 256), (1, 2, 2, 1))  # real yolov8n: for timing, not for tests


class TinyYoloV8(nn.Module):
    """YOLOv8 backbone/neck/head topology; `size` picks widths and depth (default: scaled down)."""

    def __init__(self, imgsz: int, nc: int = NUM_CLASSES, size=FIXTURE_SIZE):
        super().__init__()
        w, n = size
        self.stem = nn.Sequential(Conv(3, w[0], 3, 2), Conv(w[0], w[1], 3, 2), C2f(w[1], w[1], n[0], True))
        self.down3 = nn.Sequential(Conv(w[1], w[2], 3, 2), C2f(w[2], w[2], n[1], True))
        self.down4 = nn.Sequential(Conv(w[2], w[3], 3, 2), C2f(w[3], w[3], n[2], True))
        self.down5 = nn.Sequential(Conv(w[3], w[4], 3, 2), C2f(w[4], w[4], n[3], True), SPPF(w[4], w[4]))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.top_down4 = C2f(w[4] + w[3], w[3])
        self.top_down3 = C2f(w[3] + w[2], w[2])
        self.bottom_up4 = nn.ModuleList([Conv(w[2], w[2], 3, 2), C2f(w[2] + w[3], w[3])])
        self.bottom_up5 = nn.ModuleList([Conv(w[3], w[3], 3, 2), C2f(w[3] + w[4], w[4])])
        self.detect = Detect(nc, (w[2], w[3], w[4]), imgsz)

    def forward(self, x):
        p3 = self.down3(self.stem(x))
        p4 = self.down4(p3)
        p5 = self.down5(p4)
        n4 = self.top_down4(torch.cat((self.up(p5), p4), 1))
        n3 = self.top_down3(torch.cat((self.up(n4), p3), 1))
        n4 = self.bottom_up4[1](torch.cat((self.bottom_up4[0](n3), n4), 1))
        n5 = self.bottom_up5[1](torch.cat((self.bottom_up5[0](n4), p5), 1))
        return self.detect([n3, n4, n5])


def build_fixture(imgsz: int, seed: int = SEED, size=FIXTURE_SIZE) -> TinyYoloV8:
    """Seeded weights.  Hidden convs: He-style init (keeps activations alive through the deep
    stack).  The head's last convs are then calibrated on `fixture_input` so DFL logits and
    class logits have a useful spread: varied box sizes, a handful of anchors above the 0.25
    score threshold, some of them overlapping (exercises NMS)."""
    torch.manual_seed(seed)
    model = TinyYoloV8(imgsz, size=size).eval()
    for conv in model.modules():
        if isinstance(conv, nn.Conv2d) and conv is not model.detect.dfl.conv:
            nn.init.normal_(conv.weight, 0.0, HIDDEN_GAIN / conv.weight[0].numel() ** 0.5)
            nn.init.zeros_(conv.bias)
    _calibrate_head(model, torch.from_numpy(fixture_input(imgsz)))
    return model


def _standardize_channels(conv: nn.Conv2d, output: torch.Tensor, std: float) -> torch.Tensor:
    """Rescales each output channel to zero mean / `std` over this output; returns the new output."""
    mean, spread = output.mean((0, 2, 3)), output.std((0, 2, 3))
    scale = std / spread
    conv.weight.data *= scale[:, None, None, None]
    conv.bias.data[:] = (conv.bias.data - mean) * scale
    return (output - mean[None, :, None, None]) * scale[None, :, None, None]


def _calibrate_head(model: TinyYoloV8, image: torch.Tensor) -> None:
    box_convs = [branch[-1] for branch in model.detect.cv2]
    cls_convs = [branch[-1] for branch in model.detect.cv3]
    outputs = {}
    hooks = [conv.register_forward_hook(lambda conv, args, out: outputs.__setitem__(conv, out))
             for conv in box_convs + cls_convs]
    with torch.no_grad():
        model(image)
    for hook in hooks:
        hook.remove()
    for conv in box_convs:
        _standardize_channels(conv, outputs[conv], BOX_LOGIT_STD)
    logits = [_standardize_channels(conv, outputs[conv], CLS_LOGIT_STD) for conv in cls_convs]
    # one shift for all levels so that exactly PASSING_ANCHORS anchors beat the threshold
    best = torch.cat([level.amax(1).reshape(-1) for level in logits]).sort(descending=True).values
    midpoint = float(best[PASSING_ANCHORS - 1] + best[PASSING_ANCHORS]) / 2
    threshold_logit = float(np.log(CONF_THRESHOLD / (1 - CONF_THRESHOLD)))
    for conv in cls_convs:
        conv.bias.data += threshold_logit - midpoint


def export_onnx(model: nn.Module, imgsz: int, path: Path, opset: int) -> None:
    """Same call as Ultralytics' ONNX exporter (static shapes, constant folding).

    torch 1.13 keeps `x.shape` reads as Shape->Gather->... chains even for a static input;
    the torch 2.x exporters behind real Ultralytics exports fold them, so fold them here too."""
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(1, 3, imgsz, imgsz), buffer, opset_version=opset,
                          do_constant_folding=True, input_names=["images"], output_names=["output0"])
    exported = onnx.load_from_string(buffer.getvalue())
    constants_to_initializers(exported)
    fold_static_values(exported, [1, 3, imgsz, imgsz])
    onnx.save(exported, str(path))


# ---------------------------------------------------------------- fix

def _expand_broadcast_constants(model: onnx.ModelProto) -> int:
    """Elementwise op with a constant that broadcasts over anything but the channel axis
    (e.g. [1,4,N] * [1,N]) -> constant materialised at the full shape."""
    constants = initializer_map(model)
    expanded = 0
    for node in model.graph.node:
        if node.op_type not in ("Mul", "Add", "Sub", "Div"):
            continue
        for position, name in enumerate(node.input):
            other = node.input[1 - position]
            if name not in constants or other in constants:
                continue
            value = numpy_helper.to_array(constants[name])
            data_shape = static_shape(model, other)
            padded = [1] * (len(data_shape) - value.ndim) + list(value.shape)
            per_channel = all(d == 1 for i, d in enumerate(padded) if i != 1)
            if value.size == 1 or padded == data_shape or per_channel:
                continue
            full_name = unique_name(model, f"{name}_expanded")
            full = np.ascontiguousarray(np.broadcast_to(value.reshape(padded), data_shape))
            model.graph.initializer.append(numpy_helper.from_array(full, full_name))
            node.input[position] = full_name
            expanded += 1
    return expanded


def _split_sizes_to_slices(model: onnx.ModelProto) -> int:
    """Split(x, sizes) (opset >= 13 form) -> one Slice per output."""
    constants = initializer_map(model)
    new_nodes, rewritten = [], 0
    for node in model.graph.node:
        if node.op_type != "Split" or len(node.input) < 2 or not node.input[1]:
            new_nodes.append(node)
            continue
        sizes = numpy_helper.to_array(constants[node.input[1]]).astype(np.int64)
        axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
        begin = 0
        for output, size in zip(node.output, sizes):
            bounds = {}
            for key, value in (("starts", begin), ("ends", begin + int(size)), ("axes", axis)):
                bounds[key] = unique_name(model, f"{output}_{key}")
                model.graph.initializer.append(numpy_helper.from_array(np.array([value], np.int64), bounds[key]))
            new_nodes.append(onnx.helper.make_node("Slice", [node.input[0], bounds["starts"], bounds["ends"],
                                                             bounds["axes"]], [output], name=f"{output}_slice"))
            begin += int(size)
        rewritten += 1
    del model.graph.node[:]
    model.graph.node.extend(new_nodes)
    return rewritten


def fix_ultralytics_onnx(src: Path, dst: Path) -> Dict[str, int]:
    """Makes a static Ultralytics YOLOv8 ONNX export (fixture or a user's yolov8n.onnx)
    importable by OpenCV 4.6 DNN.  Returns how many nodes each rewrite touched."""
    model = onnx.load(str(src))
    constants_to_initializers(model)
    (input_shape,) = static_input_shapes(model).values()
    fold_static_values(model, input_shape)  # a no-op for exports made with torch >= 2
    model = infer_all_shapes(model)
    counts = {"expanded_constants": _expand_broadcast_constants(model),
              "split_to_slices": _split_sizes_to_slices(model)}
    onnx.save(infer_all_shapes(model), str(dst))
    return counts


# ---------------------------------------------------------------- golden decode

def fixture_input(imgsz: int) -> np.ndarray:
    """Deterministic input, easy to regenerate in C++: value(c,y,x) = ((x*7 + y*13 + c*29) % 256) / 255."""
    c, y, x = np.meshgrid(np.arange(3), np.arange(imgsz), np.arange(imgsz), indexing="ij")
    return (((x * 7 + y * 13 + c * 29) % 256) / 255.0).astype(np.float32)[None]


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / (area(box) + area(others) - inter)


def decode_yolov8(output: np.ndarray, conf: float = CONF_THRESHOLD, iou: float = IOU_THRESHOLD,
                  max_det: int = MAX_DETECTIONS) -> List[dict]:
    """[1, 4+nc, N] -> detections: best class per anchor, score > conf, per-class greedy NMS,
    sorted by score (ties: lower anchor index first), at most max_det."""
    rows = output[0].T  # [N, 4+nc]
    class_ids = rows[:, 4:].argmax(1)
    scores = rows[np.arange(len(rows)), 4 + class_ids]
    keep = np.nonzero(scores > conf)[0]
    order = keep[np.lexsort((keep, -scores[keep]))]
    cx, cy, w, h = rows[order, :4].T
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
    chosen: List[int] = []
    for i in range(len(order)):
        same_class = [j for j in chosen if class_ids[order[j]] == class_ids[order[i]]]
        if same_class and _iou(boxes[i], boxes[same_class]).max() > iou:
            continue
        chosen.append(i)
        if len(chosen) == max_det:
            break
    return [{"anchor": int(order[i]), "class_id": int(class_ids[order[i]]), "score": float(scores[order[i]]),
             "box_xyxy": [float(v) for v in boxes[i]]} for i in chosen]


def write_golden(model: nn.Module, imgsz: int, folder: Path, stem: str) -> dict:
    """Raw input/output as float32 little-endian .bin + JSON stats and decoded detections."""
    image = fixture_input(imgsz)
    with torch.no_grad():
        output = model(torch.from_numpy(image)).numpy()
    image.astype("<f4").tofile(folder / f"{stem}_input.bin")
    output.astype("<f4").tofile(folder / f"{stem}_output.bin")
    anchors = (0, output.shape[2] // 2, output.shape[2] - 1)
    samples = [[row, a, float(output[0, row, a])] for row in (0, 1, 2, 3, 4, output.shape[1] - 1) for a in anchors]
    golden = {
        "input": {"name": "images", "shape": list(image.shape), "file": f"{stem}_input.bin",
                  "formula": "((x*7 + y*13 + c*29) % 256) / 255"},
        "output": {"name": "output0", "shape": list(output.shape), "file": f"{stem}_output.bin",
                   "min": float(output.min()), "max": float(output.max()), "mean": float(output.mean()),
                   "sum": float(output.astype(np.float64).sum()), "samples_row_anchor_value": samples},
        "decode": {"conf_threshold": CONF_THRESHOLD, "iou_threshold": IOU_THRESHOLD, "class_aware_nms": True,
                   "max_detections": MAX_DETECTIONS, "box_format": "xyxy input pixels",
                   "detections": decode_yolov8(output)},
    }
    (folder / f"{stem}_golden.json").write_text(json.dumps(golden, indent=1))
    return golden


def build(folder: Path, imgsz: int = 320, opset: int = 12, stem: str = "yolo_fixture",
          size=FIXTURE_SIZE) -> Dict[str, Path]:
    """Writes STEM_raw.onnx (as exported), STEM.onnx (fixed) and the golden files."""
    folder.mkdir(parents=True, exist_ok=True)
    model = build_fixture(imgsz, size=size)
    raw, fixed = folder / f"{stem}_raw.onnx", folder / f"{stem}.onnx"
    export_onnx(model, imgsz, raw, opset)
    fix_ultralytics_onnx(raw, fixed)
    write_golden(model, imgsz, folder, stem)
    return {"raw": raw, "fixed": fixed, "golden": folder / f"{stem}_golden.json"}


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the YOLOv8-structured test fixture.")
    parser.add_argument("--out", type=Path, default=Path("models/test"))
    parser.add_argument("--imgsz", type=int, choices=(320, 640), default=320)
    parser.add_argument("--opset", type=int, default=12)
    parser.add_argument("--yolov8n-size", action="store_true", help="full yolov8n widths/depth (timing)")
    parser.add_argument("--fix", nargs=2, type=Path, metavar=("IN", "OUT"),
                        help="only fix an existing Ultralytics export (e.g. yolov8n.onnx)")
    args = parser.parse_args()
    if args.fix:
        print(fix_ultralytics_onnx(*args.fix))
        return
    size = YOLOV8N_SIZE if args.yolov8n_size else FIXTURE_SIZE
    for kind, path in build(args.out, args.imgsz, args.opset, size=size).items():
        print(f"{kind}: {path}")


if __name__ == "__main__":
    main()
