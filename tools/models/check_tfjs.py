#!/usr/bin/python3
"""Check a converted ONNX model against its tfjs original.

The same inputs (a seeded random image-like tensor and real photos) go through
tfjs (reference, node/reference.mjs) and through OpenCV 4.6 DNN
(`cv2.dnn.readNetFromONNX`, the runtime the server uses); the max abs
difference per output is printed.

Usage: check_tfjs.py MODEL_JSON ONNX [--inputs N] [--time]
       check_tfjs.py --known NAME [--known NAME ...] [--time] [--detect IMAGE]
         NAME: nanodet, blazeface, faceres, mobilefacenet (converted into models/ first)
"""
import argparse
import json
import pathlib
import statistics
import sys
import time

import cv2
import numpy as np
import onnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from fetch import fetch_package            # noqa: E402
from tfjs2onnx import KNOWN_MODELS, convert_known, known_model_json  # noqa: E402
from tfjs_reference import run_tfjs        # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
FACE_API = "@vladmandic/face-api"


def onnx_io(onnx_path: pathlib.Path) -> tuple[str, list[int], list[str]]:
    graph = onnx.load(str(onnx_path), load_external_data=False).graph
    dims = [d.dim_value for d in graph.input[0].type.tensor_type.shape.dim]
    return graph.input[0].name, dims, [o.name for o in graph.output]


def sample_photos() -> list[pathlib.Path]:
    """Real photos shipped with face-api (people, so both detectors see
    something); empty if the package cannot be fetched."""
    try:
        demo = fetch_package(FACE_API) / "demo"
    except Exception as err:     # offline: fall back to synthetic inputs
        print(f"no sample photos ({err}); using synthetic patterns")
        return []
    return sorted(demo.glob("sample*.jpg"))


def synthetic_pattern(h: int, w: int, seed: int) -> np.ndarray:
    """Deterministic smooth colour pattern, HxWx3 uint8."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    phase = seed * 0.7
    channels = [np.sin(8 * x + phase), np.cos(6 * y - phase), np.sin(5 * (x + y) + 2 * phase)]
    return ((np.stack(channels, -1) + 1) * 127.5).astype(np.uint8)


def sample_inputs(onnx_shape: list[int], n_inputs: int, seed: int) -> list[np.ndarray]:
    """n_inputs NCHW float32 tensors in [0, 255]: seeded noise first, then
    photos (or synthetic patterns), resized to the model input."""
    _, _, h, w = onnx_shape
    rng = np.random.default_rng(seed)
    images = [rng.uniform(0, 255, size=(h, w, 3)).astype(np.float32)]
    photos = sample_photos()
    for i in range(n_inputs - 1):
        if i < len(photos):
            image = cv2.resize(cv2.imread(str(photos[i])), (w, h), interpolation=cv2.INTER_AREA)
        else:
            image = synthetic_pattern(h, w, seed + i)
        images.append(image.astype(np.float32))
    return [img.transpose(2, 0, 1)[None].copy() for img in images]


def normalise(images: list[np.ndarray]) -> list[np.ndarray]:
    """Map [0, 255] to about [-2, 2], near what each model's own
    preprocessing produces, so activations stay in their usual range."""
    return [(img - 127.5) / 64.0 for img in images]


def open_cv_net(onnx_path: pathlib.Path, threads: int = 2):
    cv2.setNumThreads(threads)
    net = cv2.dnn.readNetFromONNX(str(onnx_path))
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return net


def run_opencv(net, input_name: str, nchw: np.ndarray, outputs: list[str]) -> dict[str, np.ndarray]:
    net.setInput(nchw, input_name)
    return dict(zip(outputs, net.forward(outputs)))


def tf_layout(nchw: np.ndarray, tf_shape: list[int]) -> np.ndarray:
    """NCHW test tensor in the layout the tfjs model expects."""
    return nchw if list(nchw.shape) == list(tf_shape) else nchw.transpose(0, 2, 3, 1)


def reference_outputs(model_json, tf_input: str, tf_input_shape, nchw, plan) -> dict[str, np.ndarray]:
    """tfjs outputs regrouped as the ONNX model's outputs (`plan`: {onnx
    output: [tfjs outputs concatenated on axis 1]})."""
    sources = [s for group in plan.values() for s in group]
    ref = run_tfjs(model_json, {tf_input: tf_layout(nchw, tf_input_shape)}, sources)
    ref = {k.removesuffix(":0"): v for k, v in ref.items()}
    return {name: np.concatenate([ref[s.removesuffix(":0")] for s in sources], axis=1)
            for name, sources in plan.items()}


def verify(model_json: pathlib.Path, onnx_path: pathlib.Path, n_inputs: int = 2, seed: int = 0,
           plan: dict[str, list[str]] | None = None, tf_input: str | None = None,
           relative: bool = False) -> float:
    """Max abs difference between tfjs and OpenCV DNN over all outputs and
    `n_inputs` inputs (relative: each output's diff divided by its max |ref|).
    `plan` maps each ONNX output to the tfjs outputs it concatenates
    (default: same names); `tf_input` is the tfjs input node."""
    input_name, shape, outputs = onnx_io(onnx_path)
    topology = json.loads(pathlib.Path(model_json).read_text())["modelTopology"]
    placeholder = next(n for n in topology["node"] if n["op"] == "Placeholder")
    tf_input = tf_input or placeholder["name"]
    tf_shape = [max(int(d.get("size", 1)), 1) for d in placeholder["attr"]["shape"]["shape"]["dim"]]
    plan = plan or {name: [name] for name in outputs}
    net = open_cv_net(onnx_path)
    worst = 0.0
    for i, nchw in enumerate(normalise(sample_inputs(shape, n_inputs, seed))):
        expected = reference_outputs(model_json, tf_input, tf_shape, nchw, plan)
        actual = run_opencv(net, input_name, nchw, outputs)
        for name in outputs:
            diff = float(np.abs(expected[name] - actual[name].reshape(expected[name].shape)).max())
            scale = float(np.abs(expected[name]).max())
            print(f"input {i} output {name}: max|diff| {diff:.3g} (max|ref| {scale:.3g})")
            worst = max(worst, diff / max(scale, 1e-12) if relative else diff)
    return worst


def time_forward(onnx_path: pathlib.Path, runs: int = 10, threads: int = 2) -> float:
    """Median cv2.dnn forward time in ms after one warm-up run."""
    input_name, shape, outputs = onnx_io(onnx_path)
    net = open_cv_net(onnx_path, threads)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    run_opencv(net, input_name, x, outputs)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run_opencv(net, input_name, x, outputs)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# NanoDet reference decoding, a sanity check of the converted model's meaning.
NANODET_STRIDES = (8, 16, 32)
NANODET_MEAN = (103.53, 116.28, 123.675)   # BGR
NANODET_STD = (57.375, 57.12, 58.395)


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """Resize keeping aspect ratio into the top-left of a size x size canvas."""
    scale = size / max(image.shape[:2])
    resized = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)))
    canvas = np.zeros((size, size, 3), image.dtype)
    canvas[:resized.shape[0], :resized.shape[1]] = resized
    return canvas, scale


def nanodet_detections(onnx_path: pathlib.Path, image_bgr: np.ndarray, size: int = 416,
                       threshold: float = 0.35) -> list[tuple[int, float, list[float]]]:
    """(COCO class, score, [x1, y1, x2, y2] in image pixels) after NMS."""
    canvas, scale = letterbox(image_bgr, size)
    x = ((canvas.astype(np.float32) - NANODET_MEAN) / NANODET_STD).astype(np.float32)
    out = run_opencv(open_cv_net(onnx_path), "input", x.transpose(2, 0, 1)[None], ["cls", "reg"])
    cls, reg = out["cls"][0], out["reg"][0].reshape(-1, 4, 11)
    bins = np.exp(reg - reg.max(-1, keepdims=True))
    distances = (bins / bins.sum(-1, keepdims=True) * np.arange(11)).sum(-1)   # [N, 4] l,t,r,b
    centres, strides = [], []
    for stride in NANODET_STRIDES:
        cells = size // stride
        row, col = np.mgrid[0:cells, 0:cells].reshape(2, -1)
        centres.append(np.stack([col + 0.5, row + 0.5], -1) * stride)
        strides.append(np.full(cells * cells, stride))
    centres, strides = np.concatenate(centres), np.concatenate(strides)[:, None]
    boxes = np.concatenate([centres - distances[:, :2] * strides,
                            centres + distances[:, 2:] * strides], -1) / scale
    classes, scores = cls.argmax(-1), cls.max(-1)
    keep = scores > threshold
    detections = []
    for c in np.unique(classes[keep]):
        chosen = np.flatnonzero(keep & (classes == c))
        xywh = np.concatenate([boxes[chosen, :2], boxes[chosen, 2:] - boxes[chosen, :2]], -1)
        kept = cv2.dnn.NMSBoxes(xywh.tolist(), scores[chosen].tolist(), threshold, 0.5)
        for i in chosen[np.array(kept, dtype=int).reshape(-1)]:
            detections.append((int(c), float(scores[i]), [round(float(v), 1) for v in boxes[i]]))
    return sorted(detections, key=lambda d: -d[1])


def verify_known(name: str, n_inputs: int = 2) -> float:
    """(Re)convert known model `name` into models/ and verify it; the
    conversion is quick and yields the output plan verify() needs."""
    onnx_path = REPO_ROOT / "models" / f"{name}.onnx"
    info = convert_known(name, onnx_path)
    plan = {o["name"]: o["sources"] for o in info["outputs"]}
    return verify(known_model_json(name), onnx_path, n_inputs=n_inputs, plan=plan)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_json", nargs="?", type=pathlib.Path)
    parser.add_argument("onnx", nargs="?", type=pathlib.Path)
    parser.add_argument("--known", choices=sorted(KNOWN_MODELS), action="append")
    parser.add_argument("--inputs", type=int, default=2)
    parser.add_argument("--time", action="store_true", help="also time cv2.dnn forward")
    parser.add_argument("--detect", type=pathlib.Path, metavar="IMAGE",
                        help="print NanoDet detections on IMAGE (with --known nanodet)")
    args = parser.parse_args(argv)
    if args.known:
        for name in args.known:
            onnx_path = REPO_ROOT / "models" / f"{name}.onnx"
            print(f"{name}: max|diff| {verify_known(name, n_inputs=args.inputs):.3g}")
            if args.time:
                print(f"{name}: cv2.dnn forward {time_forward(onnx_path):.1f} ms")
            if args.detect and name == "nanodet":
                for cls, score, box in nanodet_detections(onnx_path, cv2.imread(str(args.detect))):
                    print(f"{name}: COCO class {cls} score {score:.3f} box {box}")
    elif args.model_json and args.onnx:
        print(f"max|diff| {verify(args.model_json, args.onnx, n_inputs=args.inputs):.3g}")
        if args.time:
            print(f"cv2.dnn forward {time_forward(args.onnx):.1f} ms")
    else:
        parser.error("give MODEL_JSON ONNX or --known NAME")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
