// Minimal AMF0 codec: just enough of the Flash serialisation format to speak RTMP
// commands (connect, _result, _error, onStatus) and read onMetaData. Decoding is
// defensive because the bytes come from a remote server: every read is bounds-checked
// and nesting is capped, so garbage yields an Amf0Error, never a crash or a hang.

const MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  null: 0x05,
  undefined: 0x06,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  longString: 0x0c,
} as const;

// Deep enough for any real command or metadata; shallow enough that hostile input
// cannot exhaust the stack.
const MAX_DEPTH = 32;

export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Amf0Object
  | Amf0EcmaArray
  | Amf0Value[];

export interface Amf0Object {
  [key: string]: Amf0Value;
}

/**
 * An associative array (marker 0x08), as sent in onMetaData. Kept distinct from a
 * plain object so that decode → encode gives back the same bytes.
 */
export class Amf0EcmaArray {
  constructor(readonly entries: Amf0Object = {}) {}
}

export class Amf0Error extends Error {
  override name = 'Amf0Error';
}

/** Encodes one value. Strings longer than 65535 bytes become long strings (0x0C). */
export function encodeAmf0(value: Amf0Value): Buffer {
  const parts: Buffer[] = [];
  writeValue(value, parts, 0);
  return Buffer.concat(parts);
}

/** Encodes a sequence of values back to back, as in an RTMP command message. */
export function encodeAmf0Values(values: readonly Amf0Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) writeValue(v, parts, 0);
  return Buffer.concat(parts);
}

/** Decodes one value at `offset`; returns it and the offset just past it. */
export function decodeAmf0(buf: Buffer, offset = 0): { value: Amf0Value; offset: number } {
  const r = new Reader(buf, offset);
  const value = r.value(0);
  return { value, offset: r.pos };
}

/** Decodes values until the buffer is exhausted, as in an RTMP command message. */
export function decodeAmf0Values(buf: Buffer): Amf0Value[] {
  const r = new Reader(buf, 0);
  const out: Amf0Value[] = [];
  // Each value consumes at least one byte, so this ends within buf.length turns.
  while (r.pos < buf.length) out.push(r.value(0));
  return out;
}

/** True for a plain AMF0 object (not null, not an array, not an ECMA array). */
export function isAmf0Object(v: Amf0Value): v is Amf0Object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Amf0EcmaArray);
}

function writeValue(value: Amf0Value, parts: Buffer[], depth: number): void {
  if (depth > MAX_DEPTH) throw new Amf0Error('AMF0 value nested too deeply');
  if (value === null) {
    parts.push(Buffer.of(MARKER.null));
  } else if (value === undefined) {
    parts.push(Buffer.of(MARKER.undefined));
  } else if (typeof value === 'number') {
    const b = Buffer.alloc(9);
    b[0] = MARKER.number;
    b.writeDoubleBE(value, 1);
    parts.push(b);
  } else if (typeof value === 'boolean') {
    parts.push(Buffer.of(MARKER.boolean, value ? 1 : 0));
  } else if (typeof value === 'string') {
    const s = Buffer.from(value, 'utf8');
    if (s.length > 0xffff) {
      const h = Buffer.alloc(5);
      h[0] = MARKER.longString;
      h.writeUInt32BE(s.length, 1);
      parts.push(h, s);
    } else {
      const h = Buffer.alloc(3);
      h[0] = MARKER.string;
      h.writeUInt16BE(s.length, 1);
      parts.push(h, s);
    }
  } else if (Array.isArray(value)) {
    const h = Buffer.alloc(5);
    h[0] = MARKER.strictArray;
    h.writeUInt32BE(value.length, 1);
    parts.push(h);
    for (const item of value) writeValue(item, parts, depth + 1);
  } else if (value instanceof Amf0EcmaArray) {
    const keys = Object.keys(value.entries);
    const h = Buffer.alloc(5);
    h[0] = MARKER.ecmaArray;
    h.writeUInt32BE(keys.length, 1);
    parts.push(h);
    writeProperties(value.entries, parts, depth);
  } else {
    parts.push(Buffer.of(MARKER.object));
    writeProperties(value, parts, depth);
  }
}

function writeProperties(obj: Amf0Object, parts: Buffer[], depth: number): void {
  for (const [key, v] of Object.entries(obj)) {
    const k = Buffer.from(key, 'utf8');
    if (k.length > 0xffff) throw new Amf0Error('AMF0 property name longer than 65535 bytes');
    const h = Buffer.alloc(2);
    h.writeUInt16BE(k.length, 0);
    parts.push(h, k);
    writeValue(v, parts, depth + 1);
  }
  // An empty key followed by the object-end marker closes objects and ECMA arrays.
  parts.push(Buffer.of(0x00, 0x00, MARKER.objectEnd));
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Amf0Error('AMF0 data is truncated');
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  private u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  private utf8(len: number): string {
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  value(depth: number): Amf0Value {
    if (depth > MAX_DEPTH) throw new Amf0Error('AMF0 value nested too deeply');
    const marker = this.u8();
    switch (marker) {
      case MARKER.number: {
        this.need(8);
        const v = this.buf.readDoubleBE(this.pos);
        this.pos += 8;
        return v;
      }
      case MARKER.boolean:
        return this.u8() !== 0;
      case MARKER.string:
        return this.utf8(this.u16());
      case MARKER.longString:
        return this.utf8(this.u32());
      case MARKER.object:
        return this.properties(depth);
      case MARKER.null:
        return null;
      case MARKER.undefined:
        return undefined;
      case MARKER.ecmaArray:
        // The count is advisory (encoders get it wrong); the end marker is authoritative.
        this.u32();
        return new Amf0EcmaArray(this.properties(depth));
      case MARKER.strictArray: {
        const count = this.u32();
        // Every element takes at least one byte: a larger count is a lie, refuse early.
        if (count > this.buf.length - this.pos) throw new Amf0Error('AMF0 strict array count exceeds the data');
        const out: Amf0Value[] = [];
        for (let i = 0; i < count; i++) out.push(this.value(depth + 1));
        return out;
      }
      case MARKER.objectEnd:
        throw new Amf0Error('AMF0 object-end marker outside an object');
      default:
        throw new Amf0Error(`unsupported AMF0 type marker 0x${marker.toString(16).padStart(2, '0')}`);
    }
  }

  private properties(depth: number): Amf0Object {
    // Null prototype: keys like "__proto__" from the wire stay plain data.
    const obj = Object.create(null) as Amf0Object;
    // Each property consumes at least three bytes, so this ends with the buffer.
    while (true) {
      const keyLen = this.u16();
      if (keyLen === 0) {
        this.need(1);
        if (this.buf[this.pos] === MARKER.objectEnd) {
          this.pos += 1;
          return obj;
        }
      }
      const key = this.utf8(keyLen);
      obj[key] = this.value(depth + 1);
    }
  }
}
