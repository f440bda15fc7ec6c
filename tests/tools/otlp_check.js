// Decodes OTLP/HTTP JSON log requests with the official OpenTelemetry protocol
// definitions: the protobufjs code that @opentelemetry/otlp-transformer 0.52.1
// generated from opentelemetry-proto (build/src/generated/root.js; later
// versions of the package no longer ship it).
//
//   node otlp_check.js ROOT_JS FILE.json...
//
// Each FILE must be an ExportLogsServiceRequest in the OTLP JSON encoding. It is
// turned into the message (fromObject), encoded as protobuf, decoded again and
// turned back into JSON (64-bit integers as strings, enums as numbers, as OTLP
// JSON writes them). The result must equal the input: a field the definitions
// do not have, a value of the wrong type (a number where a string belongs), or a
// wrong nesting is lost or changed on the way and fails the check, naming its
// JSON path. Prints one JSON line per file: {"file", "records", "bytes"} (bytes:
// the protobuf size). Exit 1 on the first failure.
"use strict";
const fs = require("fs");
const path = require("path");

const rootJs = process.argv[2];
const root = require(path.resolve(rootJs));
const Req = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

function diff(a, b, where) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
    return `${where}: ${JSON.stringify(a)} came back as ${JSON.stringify(b)}`;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${where}: ${a.length} items came back as ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = diff(a[i], b[i], `${where}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a !== null && typeof a === "object") {
    for (const k of Object.keys(a)) {
      if (!(k in b)) return `${where}.${k}: not a field of the OTLP definitions here (or an empty value)`;
      const d = diff(a[k], b[k], `${where}.${k}`);
      if (d) return d;
    }
    for (const k of Object.keys(b))
      if (!(k in a)) return `${where}.${k}: appeared on the way`;
    return null;
  }
  return a === b ? null : `${where}: ${JSON.stringify(a)} came back as ${JSON.stringify(b)}`;
}

let failed = false;
for (const file of process.argv.slice(3)) {
  const input = JSON.parse(fs.readFileSync(file, "utf8"));
  let back, bytes;
  try {
    const err = Req.verify(Req.fromObject(input));
    if (err) throw new Error(err);
    const wire = Req.encode(Req.fromObject(input)).finish();
    bytes = wire.length;
    back = Req.toObject(Req.decode(wire), {longs: String, enums: Number, bytes: String, defaults: false, arrays: false});
    back = JSON.parse(JSON.stringify(back));
  } catch (e) {
    console.error(`${file}: not an ExportLogsServiceRequest: ${e.message}`);
    failed = true;
    break;
  }
  const d = diff(input, back, "$");
  if (d) {
    console.error(`${file}: ${d}`);
    failed = true;
    break;
  }
  let records = 0;
  for (const rl of back.resourceLogs || [])
    for (const sl of rl.scopeLogs || []) records += (sl.logRecords || []).length;
  console.log(JSON.stringify({file, records, bytes}));
}
process.exit(failed ? 1 : 0);
