/**
 * A minimal writer for the ONNX protobuf format (onnx.proto3): enough of ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto and ValueInfoProto to emit a transformer encoder. Written
 * by hand because the wire format is small and a protobuf library would be one more dependency
 * for a builder that only tests and benchmarks use. Field numbers are those of onnx.proto.
 */

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(v: number | bigint): void {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Writer): void {
    this.bytes(field, m.finish());
  }


  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export const DataType = { FLOAT: 1, INT64: 7 } as const;
type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type Attribute = { name: string } & ({ f: number } | { i: number } | { ints: number[] });

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Attribute[];
}

export interface Tensor {
  name: string;
  dims: number[];
  type: DataTypeCode;
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: element type and a shape whose dims are sizes or symbolic names. */
export interface ValueInfo {
  name: string;
  type: DataTypeCode;
  shape: (number | string)[];
}

export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

function attribute(a: Attribute): Writer {
  const w = new Writer();
  w.string(1, a.name);
  if ('f' in a) {
    w.float(2, a.f);
    w.int(20, 1); // AttributeType.FLOAT
  } else if ('i' in a) {
    w.int(3, a.i);
    w.int(20, 2); // INT
  } else {
    for (const v of a.ints) w.int(8, v); // ints are not packed in onnx.proto (proto2 heritage)
    w.int(20, 7); // INTS
  }
  return w;
}

function node(n: Node, index: number): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op}_${index}`);
  w.string(4, n.op);
  for (const a of n.attributes ?? []) w.message(5, attribute(a));
  return w;
}

function tensor(t: Tensor): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type);
  w.string(8, t.name);
  // raw_data is little-endian, as typed arrays are on every platform Node runs on.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function valueInfo(v: ValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Writer();
  tensorType.int(1, v.type);
  tensorType.message(2, shape);
  const type = new Writer();
  type.message(1, tensorType);
  const w = new Writer();
  w.string(1, v.name);
  w.message(2, type);
  return w;
}

/** Serialises a graph as an ONNX model (IR version 8, default opset `opset`). */
export function encodeModel(graph: Graph, opts: { opset: number; producer: string }): Uint8Array {
  const g = new Writer();
  graph.nodes.forEach((n, i) => g.message(1, node(n, i)));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensor(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  const opset = new Writer();
  opset.string(1, '');
  opset.int(2, opts.opset);
  const m = new Writer();
  m.int(1, 8);
  m.string(2, opts.producer);
  m.message(7, g);
  m.message(8, opset);
  return m.finish();
}
