"""ONNX -> TorchScript.

`OnnxGraphModule` interprets an ONNX graph op by op with torch functions.
Float constants become buffers (so they are saved with the TorchScript
module); integer constants, float constants read only as sizes/bounds
(Resize scales, Clip min/max, ...) and everything computed from them or
from `Shape` stay numpy arrays, i.e. compile-time values that never enter
the trace.  Ops outside the table below raise UnsupportedOnnx.
The same module runs the ORIGINAL dynamic-shape graphs eagerly
(used as the reference for graph fixes, see ppocr.py) and is traced on the
static input shape for export.

Usage:
    export_torchscript(Path("m.onnx"), Path("m.pt"))
    compare(Path("m.onnx"), Path("m.pt"), {"input": array})  # max-abs-diff
"""
from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Union

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

Value = Union[torch.Tensor, np.ndarray]


class UnsupportedOnnx(RuntimeError):
    """The graph uses an op or attribute combination this converter does not implement."""


class _Node:
    def __init__(self, proto: onnx.NodeProto):
        self.op_type = proto.op_type
        self.name = proto.name or proto.output[0]
        self.inputs = list(proto.input)
        self.outputs = list(proto.output)
        self.attrs = {a.name: onnx.helper.get_attribute_value(a) for a in proto.attribute}

    def attr(self, name, default=None):
        value = self.attrs.get(name, default)
        return value.decode() if isinstance(value, bytes) else value

    def fail(self, why: str) -> UnsupportedOnnx:
        return UnsupportedOnnx(f"{self.op_type} node '{self.name}': {why}")


# ---------------------------------------------------------------- helpers

def _is_static(*values) -> bool:
    return all(v is None or isinstance(v, np.ndarray) for v in values)


def _tensor(value: Value) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    array = np.asarray(value)
    if array.dtype.kind == "f":
        array = array.astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(array))


def _ints(value) -> List[int]:
    return [int(v) for v in np.asarray(value).reshape(-1)]


def _axis(axis: int, rank: int) -> int:
    return axis + rank if axis < 0 else axis


def _rank(value: Value) -> int:
    return len(value.shape)


def _onnx_dtype_to_numpy(onnx_type: int):
    return onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[onnx_type]


# ---------------------------------------------------------------- elementwise

def _binary(np_fn: Callable, torch_fn: Callable):
    def op(module, node, a, b):
        if _is_static(a, b):
            return np_fn(a, b).astype(np.result_type(a, b))
        return torch_fn(_tensor(a), _tensor(b))
    return op


def _int_aware_div(a, b):
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return np.trunc(a / b)  # ONNX integer Div truncates
    return a / b


def _unary(torch_fn: Callable):
    def op(module, node, x):
        return torch_fn(_tensor(x))
    return op


def _scalar(value) -> float:
    return float(value.reshape(-1)[0])


def _clip(module, node, x, lo=None, hi=None):
    # opset < 11 carries min/max as attributes, later opsets as optional inputs
    lo = node.attr("min") if lo is None else _scalar(lo)
    hi = node.attr("max") if hi is None else _scalar(hi)
    return torch.clamp(_tensor(x), min=lo, max=hi)


def _hard_sigmoid(module, node, x):
    alpha, beta = node.attr("alpha", 0.2), node.attr("beta", 0.5)
    return torch.clamp(_tensor(x) * alpha + beta, 0.0, 1.0)


def _prelu(module, node, x, slope):
    x, slope = _tensor(x), _tensor(slope)
    return torch.where(x >= 0, x, x * slope)


def _cast(module, node, x):
    dtype = _onnx_dtype_to_numpy(node.attr("to"))
    if isinstance(x, np.ndarray):
        return x.astype(dtype)
    if np.dtype(dtype).kind != "f":
        raise node.fail("casting a runtime tensor to a non-float type")
    return x.float()


# ---------------------------------------------------------------- conv / pool

def _explicit_pads(node, in_spatial: Sequence[int], kernel: Sequence[int],
                   strides: Sequence[int], dilations: Sequence[int]) -> List[int]:
    """ONNX pads [b1, b2, ..., e1, e2, ...], resolving auto_pad."""
    auto_pad = node.attr("auto_pad", "NOTSET")
    n = len(kernel)
    if auto_pad in ("NOTSET", ""):
        return list(node.attr("pads", [0] * 2 * n))
    if auto_pad == "VALID":
        return [0] * 2 * n
    begins, ends = [], []
    for size, k, s, d in zip(in_spatial, kernel, strides, dilations):
        out = math.ceil(size / s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        small, large = total // 2, total - total // 2
        begins.append(small if auto_pad == "SAME_UPPER" else large)
        ends.append(large if auto_pad == "SAME_UPPER" else small)
    return begins + ends


def _split_pads(pads: List[int]):
    """Symmetric part for the torch op + leftover asymmetric padding for F.pad (or None)."""
    n = len(pads) // 2
    begins, ends = pads[:n], pads[n:]
    symmetric = [min(b, e) for b, e in zip(begins, ends)]
    extra = []
    for b, e, s in reversed(list(zip(begins, ends, symmetric))):  # F.pad wants last dim first
        extra += [b - s, e - s]
    return symmetric, (extra if any(extra) else None)


def _conv(module, node, x, w, b=None):
    x, w = _tensor(x), _tensor(w)
    kernel = list(w.shape[2:])
    strides = node.attr("strides", [1] * len(kernel))
    dilations = node.attr("dilations", [1] * len(kernel))
    pads = _explicit_pads(node, x.shape[2:], kernel, strides, dilations)
    symmetric, extra = _split_pads(pads)
    if extra:
        x = F.pad(x, extra)
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[len(kernel)]
    return conv(x, w, None if b is None else _tensor(b), strides, symmetric, dilations, node.attr("group", 1))


def _conv_transpose(module, node, x, w, b=None):
    x, w = _tensor(x), _tensor(w)
    n = len(w.shape) - 2
    if n != 2 or node.attr("auto_pad", "NOTSET") not in ("NOTSET", "") or node.attr("output_shape"):
        raise node.fail("only 2-D ConvTranspose with explicit pads is supported")
    pads = node.attr("pads", [0] * 4)
    if pads[:2] != pads[2:]:
        raise node.fail("asymmetric pads")
    return F.conv_transpose2d(x, w, None if b is None else _tensor(b), node.attr("strides", [1, 1]),
                              pads[:2], node.attr("output_padding", [0, 0]), node.attr("group", 1),
                              node.attr("dilations", [1, 1]))


def _pool_args(node, x):
    kernel = node.attr("kernel_shape")
    if len(kernel) != 2:
        raise node.fail("only 2-D pooling is supported")
    strides = node.attr("strides", [1, 1])
    if any(d != 1 for d in node.attr("dilations", [1, 1])):
        raise node.fail("dilated pooling")
    pads = _explicit_pads(node, x.shape[2:], kernel, strides, [1, 1])
    return kernel, strides, pads, bool(node.attr("ceil_mode", 0))


def _max_pool(module, node, x):
    if len(node.outputs) > 1 and node.outputs[1]:
        raise node.fail("Indices output")
    x = _tensor(x)
    kernel, strides, pads, ceil = _pool_args(node, x)
    symmetric, extra = _split_pads(pads)
    if extra:
        x = F.pad(x, extra, value=-math.inf)
    return F.max_pool2d(x, kernel, strides, symmetric, ceil_mode=ceil)


def _average_pool(module, node, x):
    x = _tensor(x)
    kernel, strides, pads, ceil = _pool_args(node, x)
    symmetric, extra = _split_pads(pads)
    include_pad = bool(node.attr("count_include_pad", 0))
    if extra and not include_pad:
        raise node.fail("asymmetric pads with count_include_pad=0")
    if extra:
        x = F.pad(x, extra)
    return F.avg_pool2d(x, kernel, strides, symmetric, ceil_mode=ceil, count_include_pad=include_pad)


def _global_average_pool(module, node, x):
    x = _tensor(x)
    return x.mean(dim=list(range(2, x.dim())), keepdim=True)


def _batch_norm(module, node, x, scale, bias, mean, var):
    return F.batch_norm(_tensor(x), _tensor(mean), _tensor(var), _tensor(scale), _tensor(bias),
                        False, 0.0, node.attr("epsilon", 1e-5))


# ---------------------------------------------------------------- linear algebra

def _matmul(module, node, a, b):
    return torch.matmul(_tensor(a), _tensor(b))


def _gemm(module, node, a, b, c=None):
    a, b = _tensor(a), _tensor(b)
    if node.attr("transA", 0):
        a = a.t()
    if node.attr("transB", 0):
        b = b.t()
    y = torch.matmul(a, b) * node.attr("alpha", 1.0)
    if c is not None:
        y = y + _tensor(c) * node.attr("beta", 1.0)
    return y


def _softmax(module, node, x):
    x = _tensor(x)
    rank = x.dim()
    axis = _axis(node.attr("axis", -1 if module.opset >= 13 else 1), rank)
    if module.opset >= 13 or axis == rank - 1:
        return torch.softmax(x, axis)
    # opset < 13: softmax over the input coerced to 2-D at `axis`
    flat = x.reshape(int(np.prod(x.shape[:axis])), -1)
    return torch.softmax(flat, 1).reshape(x.shape)


def _reduce_mean(module, node, x, axes=None):
    x = _tensor(x)
    axes = node.attr("axes") if axes is None else _ints(axes)
    axes = list(range(x.dim())) if axes is None else axes
    return x.mean(dim=axes, keepdim=bool(node.attr("keepdims", 1)))


# ---------------------------------------------------------------- shape / layout

def _shape(module, node, x):
    return np.array(x.shape, dtype=np.int64)


def _reshape(module, node, x, shape):
    target = _ints(shape)
    target = [x.shape[i] if d == 0 and not node.attr("allowzero", 0) else d for i, d in enumerate(target)]
    return x.reshape(target)


def _flatten(module, node, x):
    axis = _axis(node.attr("axis", 1), _rank(x))
    outer = int(np.prod(x.shape[:axis]))
    return x.reshape(outer, -1)


def _transpose(module, node, x):
    perm = node.attr("perm", list(reversed(range(_rank(x)))))
    return x.transpose(perm) if isinstance(x, np.ndarray) else x.permute(perm)


def _concat(module, node, *xs):
    axis = node.attr("axis")
    if _is_static(*xs):
        return np.concatenate(xs, axis)
    return torch.cat([_tensor(x) for x in xs], axis)


def _squeeze(module, node, x, axes=None):
    axes = node.attr("axes") if axes is None else _ints(axes)
    if axes is None:
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    axes = sorted(_axis(a, _rank(x)) for a in axes)
    shape = [d for i, d in enumerate(x.shape) if i not in axes]
    return x.reshape(shape)


def _unsqueeze(module, node, x, axes=None):
    axes = node.attr("axes") if axes is None else _ints(axes)
    out_rank = _rank(x) + len(axes)
    axes = sorted(_axis(a, out_rank) for a in axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return x.reshape(shape)


def _slice(module, node, x, starts=None, ends=None, axes=None, steps=None):
    if starts is None:  # opset < 10: attributes
        starts, ends, axes = node.attr("starts"), node.attr("ends"), node.attr("axes")
    starts, ends = _ints(starts), _ints(ends)
    axes = list(range(len(starts))) if axes is None else _ints(axes)
    steps = [1] * len(starts) if steps is None else _ints(steps)
    index = [slice(None)] * _rank(x)
    for start, end, axis, step in zip(starts, ends, axes, steps):
        if step <= 0:
            raise node.fail("non-positive Slice step")
        size = x.shape[_axis(axis, _rank(x))]
        # ONNX clamps out-of-range bounds (e.g. INT64_MAX ends); python slices do not overflow
        start, end = (max(min(v + size if v < 0 else v, size), 0) for v in (start, end))
        index[_axis(axis, _rank(x))] = slice(start, end, step)
    return x[tuple(index)]


def _split(module, node, x, split=None):
    axis = _axis(node.attr("axis", 0), _rank(x))
    sizes = node.attr("split") if split is None else _ints(split)
    if sizes is None:
        count = len(node.outputs)
        sizes = [x.shape[axis] // count] * count
    bounds = np.cumsum([0] + list(sizes))
    index = [slice(None)] * _rank(x)
    parts = []
    for begin, end in zip(bounds[:-1], bounds[1:]):
        index[axis] = slice(int(begin), int(end))
        parts.append(x[tuple(index)])
    return tuple(parts)


def _gather(module, node, data, indices):
    if not isinstance(indices, np.ndarray):
        raise node.fail("indices must be a constant")
    axis = _axis(node.attr("axis", 0), _rank(data))
    indices = np.where(indices < 0, indices + int(data.shape[axis]), indices)
    if isinstance(data, np.ndarray):
        return np.take(data, indices, axis)
    picked = torch.index_select(data, axis, torch.from_numpy(indices.reshape(-1).astype(np.int64)))
    shape = list(data.shape[:axis]) + list(indices.shape) + list(data.shape[axis + 1:])
    return picked.reshape(shape)


def _pad(module, node, x, pads=None, value=None):
    pads = node.attr("pads") if pads is None else _ints(pads)
    mode = node.attr("mode", "constant")
    value = node.attr("value", 0.0) if value is None else _scalar(value)
    n = len(pads) // 2
    torch_pads = []
    for axis in reversed(range(n)):
        torch_pads += [pads[axis], pads[axis + n]]
    while torch_pads[-2:] == [0, 0] and len(torch_pads) > 2:  # torch pads only the trailing dims
        torch_pads = torch_pads[:-2]
    torch_mode = {"constant": "constant", "reflect": "reflect", "edge": "replicate"}[mode]
    return F.pad(_tensor(x), torch_pads, mode=torch_mode, value=value if mode == "constant" else None)


def _identity(module, node, x):
    return x


# ---------------------------------------------------------------- resize

def _linear_asymmetric(x: torch.Tensor, out_h: int, out_w: int) -> torch.Tensor:
    """Bilinear resize with src = dst * in / out (TF1 / tfjs default, no torch equivalent)."""
    def weights(in_size, out_size):
        src = torch.arange(out_size, dtype=torch.float32) * (in_size / out_size)
        lo = src.floor().clamp(max=in_size - 1)
        frac = src - lo
        lo = lo.long()
        hi = (lo + 1).clamp(max=in_size - 1)
        return lo, hi, frac
    y0, y1, fy = weights(x.shape[2], out_h)
    x0, x1, fx = weights(x.shape[3], out_w)
    rows = x[:, :, y0] * (1 - fy)[:, None] + x[:, :, y1] * fy[:, None]
    return rows[:, :, :, x0] * (1 - fx) + rows[:, :, :, x1] * fx


def _resize_output_size(module, node, x, scales, sizes) -> List[int]:
    if sizes is not None and np.asarray(sizes).size:
        return _ints(sizes)[2:]
    scales = node.attr("scales") if scales is None else np.asarray(scales, dtype=np.float64).reshape(-1)
    if scales is None or len(scales) != 4 or scales[0] != 1 or scales[1] != 1:
        raise node.fail("expected 4-D NCHW scales [1, 1, sh, sw]")
    return [int(math.floor(d * s)) for d, s in zip(x.shape[2:], scales[2:])]


def _resize(module, node, x, *rest):
    x = _tensor(x)
    if node.op_type == "Upsample" or module.opset < 11:  # (X, scales) or attribute scales
        scales, sizes = (rest[0] if rest else None), None
        transform = "asymmetric"
    else:  # (X, roi, scales, sizes)
        scales = rest[1] if len(rest) > 1 else None
        sizes = rest[2] if len(rest) > 2 else None
        transform = node.attr("coordinate_transformation_mode", "half_pixel")
    if scales is not None and np.asarray(scales).size == 0:
        scales = None
    out_h, out_w = _resize_output_size(module, node, x, scales, sizes)
    mode = node.attr("mode", "nearest")
    if mode == "nearest":
        nearest = node.attr("nearest_mode", "round_prefer_floor")
        if transform == "asymmetric" and (nearest == "floor" or module.opset < 11):
            return F.interpolate(x, size=[out_h, out_w], mode="nearest")
        raise node.fail(f"nearest resize with {transform}/{nearest}")
    if mode in ("linear", "bilinear"):
        if transform in ("half_pixel", "pytorch_half_pixel"):
            return F.interpolate(x, size=[out_h, out_w], mode="bilinear", align_corners=False)
        if transform == "align_corners":
            return F.interpolate(x, size=[out_h, out_w], mode="bilinear", align_corners=True)
        if transform == "asymmetric":
            return _linear_asymmetric(x, out_h, out_w)
    raise node.fail(f"resize mode {mode} with {transform}")


# ---------------------------------------------------------------- registry

_OPS: Dict[str, Callable] = {
    "Add": _binary(np.add, torch.add),
    "Sub": _binary(np.subtract, torch.sub),
    "Mul": _binary(np.multiply, torch.mul),
    "Div": _binary(_int_aware_div, torch.div),
    "Pow": _binary(np.power, torch.pow),
    "Max": _binary(np.maximum, torch.maximum),
    "Min": _binary(np.minimum, torch.minimum),
    "Sqrt": _unary(torch.sqrt),
    "Exp": _unary(torch.exp),
    "Relu": _unary(torch.relu),
    "Sigmoid": _unary(torch.sigmoid),
    "Tanh": _unary(torch.tanh),
    "HardSwish": _unary(F.hardswish),
    "LeakyRelu": lambda m, n, x: F.leaky_relu(_tensor(x), n.attr("alpha", 0.01)),
    "PRelu": _prelu,
    "Clip": _clip,
    "HardSigmoid": _hard_sigmoid,
    "Cast": _cast,
    "Conv": _conv,
    "ConvTranspose": _conv_transpose,
    "MaxPool": _max_pool,
    "AveragePool": _average_pool,
    "GlobalAveragePool": _global_average_pool,
    "BatchNormalization": _batch_norm,
    "MatMul": _matmul,
    "Gemm": _gemm,
    "Softmax": _softmax,
    "ReduceMean": _reduce_mean,
    "Shape": _shape,
    "Reshape": _reshape,
    "Flatten": _flatten,
    "Transpose": _transpose,
    "Concat": _concat,
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Slice": _slice,
    "Split": _split,
    "Gather": _gather,
    "Pad": _pad,
    "Identity": _identity,
    "Resize": _resize,
    "Upsample": _resize,
}

SUPPORTED_OPS = frozenset(_OPS) | {"Constant"}

# Input positions read as compile-time values (sizes, bounds, axes), never as tensor data.
_COMPILE_TIME_INPUTS = {
    "Resize": {1, 2, 3}, "Upsample": {1}, "Clip": {1, 2}, "Pad": {1, 2}, "Reshape": {1},
    "Slice": {1, 2, 3, 4}, "Split": {1}, "Squeeze": {1}, "Unsqueeze": {1}, "ReduceMean": {1},
}


def _compile_time_names(graph: onnx.GraphProto) -> set:
    """Names consumed only in compile-time positions: kept as numpy, out of the trace."""
    data_uses, compile_uses = set(), set()
    for node in graph.node:
        positions = _COMPILE_TIME_INPUTS.get(node.op_type, set())
        for position, name in enumerate(node.input):
            (compile_uses if position in positions else data_uses).add(name)
    return compile_uses - data_uses


def _constant_value(node: onnx.NodeProto) -> np.ndarray:
    attr = node.attribute[0]
    if attr.name != "value":
        raise UnsupportedOnnx(f"Constant node '{node.name}' with attribute {attr.name}")
    return numpy_helper.to_array(attr.t)


def default_opset(model: onnx.ModelProto) -> int:
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


class OnnxGraphModule(torch.nn.Module):
    """Interprets an ONNX graph; traceable when the graph's shapes are static."""

    def __init__(self, model: onnx.ModelProto):
        super().__init__()
        graph = model.graph
        self.opset = default_opset(model)
        self.static_values: Dict[str, np.ndarray] = {}
        self.buffer_of: Dict[str, str] = {}
        self._compile_time = _compile_time_names(graph)
        for init in graph.initializer:
            self._add_constant(init.name, numpy_helper.to_array(init))
        self.nodes: List[_Node] = []
        for proto in graph.node:
            if proto.op_type == "Constant":
                self._add_constant(proto.output[0], _constant_value(proto))
            elif proto.domain not in ("", "ai.onnx") or proto.op_type not in _OPS:
                raise UnsupportedOnnx(f"unsupported op {proto.domain}:{proto.op_type} (node '{proto.name}')")
            else:
                self.nodes.append(_Node(proto))
        constants = set(self.static_values) | set(self.buffer_of)
        self.input_names = [i.name for i in graph.input if i.name not in constants]
        self.output_names = [o.name for o in graph.output]

    def _add_constant(self, name: str, array: np.ndarray) -> None:
        if array.dtype.kind == "f" and name not in self._compile_time:
            attr = f"const_{len(self.buffer_of)}"
            self.register_buffer(attr, torch.from_numpy(array.astype(np.float32).copy()))
            self.buffer_of[name] = attr
        else:
            self.static_values[name] = array

    def run(self, *inputs: torch.Tensor) -> Dict[str, Value]:
        """Evaluates the graph; returns every named value (inputs, constants, intermediates)."""
        if len(inputs) != len(self.input_names):
            raise ValueError(f"expected inputs {self.input_names}, got {len(inputs)} tensors")
        env: Dict[str, Value] = dict(self.static_values)
        env.update({name: getattr(self, attr) for name, attr in self.buffer_of.items()})
        env.update(zip(self.input_names, inputs))
        for node in self.nodes:
            args = [env[name] if name else None for name in node.inputs]
            while args and args[-1] is None:
                args.pop()
            result = _OPS[node.op_type](self, node, *args)
            results = result if isinstance(result, tuple) else (result,)
            for name, value in zip(node.outputs, results):
                if name:
                    env[name] = value
        return env

    def forward(self, *inputs: torch.Tensor):
        env = self.run(*inputs)
        outputs = tuple(_tensor(env[name]) for name in self.output_names)
        return outputs[0] if len(outputs) == 1 else outputs


# ---------------------------------------------------------------- export / compare

def static_input_shapes(model: onnx.ModelProto) -> Dict[str, List[int]]:
    initializers = {i.name for i in model.graph.initializer}
    shapes = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        dims = value.type.tensor_type.shape.dim
        if any(not d.HasField("dim_value") for d in dims):
            raise UnsupportedOnnx(f"input '{value.name}' has a dynamic shape; fix the size first")
        shapes[value.name] = [d.dim_value for d in dims]
    return shapes


def export_torchscript(onnx_path: Path, ts_path: Path) -> None:
    """Traces the graph on its static input shape(s) and saves TorchScript (not frozen:
    torch 1.13 cannot save a frozen+optimised module; the C++ loader freezes after load)."""
    model = onnx.load(str(onnx_path))
    module = OnnxGraphModule(model).eval()
    generator = torch.Generator().manual_seed(0)
    examples = tuple(torch.rand(shape, generator=generator) for shape in static_input_shapes(model).values())
    with torch.no_grad(), warnings.catch_warnings():
        # shapes are static by construction (checked above), so values the tracer
        # records as constants (sizes, slice bounds) are constants
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(module, examples, check_trace=False)
    torch.jit.save(traced, str(ts_path))


def _as_input_list(onnx_path: Path, inputs) -> List[np.ndarray]:
    names = list(static_input_shapes(onnx.load(str(onnx_path))))
    if isinstance(inputs, dict):
        return [np.ascontiguousarray(inputs[name], dtype=np.float32) for name in names]
    if isinstance(inputs, np.ndarray):
        inputs = [inputs]
    return [np.ascontiguousarray(x, dtype=np.float32) for x in inputs]


def run_cv2(onnx_path: Path, inputs: Sequence[np.ndarray]) -> List[np.ndarray]:
    import cv2
    model = onnx.load(str(onnx_path), load_external_data=False)
    net = cv2.dnn.readNetFromONNX(str(onnx_path))
    for name, array in zip(static_input_shapes(model), inputs):
        net.setInput(array, name)
    outputs = net.forward([o.name for o in model.graph.output])
    return [np.asarray(o) for o in outputs]


def run_torchscript(module, inputs: Sequence[np.ndarray]) -> List[np.ndarray]:
    with torch.no_grad():
        result = module(*[torch.from_numpy(x) for x in inputs])
    results = result if isinstance(result, (tuple, list)) else (result,)
    return [r.numpy() for r in results]


def max_abs_diff(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    if len(a) != len(b):
        raise ValueError(f"output count differs: {len(a)} vs {len(b)}")
    worst = 0.0
    for x, y in zip(a, b):
        if x.size != y.size:
            raise ValueError(f"output size differs: {x.shape} vs {y.shape}")
        worst = max(worst, float(np.max(np.abs(x.reshape(-1) - y.reshape(-1)))) if x.size else 0.0)
    return worst


def load_optimized(ts_path: Path):
    """What the C++ loader does: load, freeze, optimise for inference."""
    return torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.load(str(ts_path)).eval()))


def compare(onnx_path: Path, ts_path: Path, inputs) -> float:
    """Max-abs-diff between OpenCV DNN on the ONNX file and the TorchScript module,
    both as saved and frozen+optimised (whichever disagrees more)."""
    inputs = _as_input_list(onnx_path, inputs)
    reference = run_cv2(onnx_path, inputs)
    plain = run_torchscript(torch.jit.load(str(ts_path)).eval(), inputs)
    optimized = run_torchscript(load_optimized(ts_path), inputs)
    return max(max_abs_diff(reference, plain), max_abs_diff(reference, optimized))
