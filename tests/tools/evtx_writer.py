#!/usr/bin/python3
"""A test-only EVTX 3.1 writer: classic-provider events (Outlook Event 27 and
the like) with unnamed <Data> strings and <Binary> data, as Windows records
them in the Application log. Outlook Event 27 has no public sample; this makes
files whose decoding is checked against libevtx (evtxexport) before ohc reads
them, so the writer itself is held to an independent parser.

Usage as a tool:
  evtx_writer.py OUT.evtx EVENTS.json
EVENTS.json: [{"provider": "Outlook", "event_id": 27, "qualifiers": 16384,
  "level": 4, "time": "2026-11-24T08:00:00Z", "channel": "Application",
  "computer": "PC1", "strings": ["..."], "binary_hex": "01000000..."}]

Optional members of an event, for the shapes real logs have and the reader
must handle (each makes its own template):
  "data_names": ["A", "B", "A"]   named <Data Name="..."> (a name may repeat);
                                   the Name is a value token inside the attribute
  "pi": ["target", "data"]        a processing instruction first in <EventData>
  "null_data": true               a last <Data> holding a NULL-typed value token
  "userdata": {"element": "CertInfo", "kind": "k", "items": ["x", "y"]}
      <UserData> whose content is a substitution of type BinXml (0x21): a
      fragment holding <Wrap Kind="k"> (an element of a fragment: no
      dependency identifier) around a template instance of its own
      (<CertInfo><Item>x</Item>...</CertInfo>, defined in place).
      Debian's libevtx (20181227) cannot read "null_data" (no NULL value
      tokens) nor "userdata" (it expects a dependency identifier there); the
      form is the one of real CAPI2 logs (the Rust evtx crate's samples).

Layout written (libyal's EVTX documentation): file header, 64 KiB chunks
with header and records checksums, records whose binary XML is a template
instance; each chunk defines a template in place on first use and refers to
it by offset afterwards, and defines each name in place on first use.

write(..., damage={...}) makes damaged files as some tools and disks do:
  "no_checksums": true        file and chunk headers flagged 4 (no CRC32),
                              every checksum zero (as some exporters write)
  "chunk_magic": [i, ...]     chunk i's signature overwritten
  "record_size": [id, ...]    record id's size field garbled (after the
                              checksums were computed: they no longer match)
  "record_magic": [id, ...]   record id's signature zeroed
"""
import datetime
import json
import struct
import sys
import zlib

CHUNK = 65536
NS = "http://schemas.microsoft.com/win/2004/08/events/event"

T_NULL, T_STRING, T_UINT8, T_UINT16, T_UINT32, T_UINT64, T_BINARY, T_FILETIME = 0x00, 0x01, 0x04, 0x06, 0x08, 0x0A, 0x0E, 0x11
T_BINXML = 0x21


def filetime(iso):
    t = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    epoch = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)
    d = t - epoch
    return (d.days * 86400 + d.seconds) * 10_000_000 + d.microseconds * 10


def name_hash(s):
    h = 0
    for c in s:
        h = (h * 65599 + ord(c)) & 0xFFFFFFFF
    return h & 0xFFFF


class Chunk:
    def __init__(self):
        self.buf = bytearray(512)
        self.names = {}
        self.templates = {}

    def pos(self):
        return len(self.buf)


class Fragment:
    """Binary XML built at a known chunk offset (names are chunk offsets)."""

    def __init__(self, chunk, base, dep_id=True):
        # dep_id: element start tokens carry a dependency identifier; template
        # definitions have one, a record's or a BinXml value's fragment does not.
        self.chunk, self.base, self.b, self.dep_id = chunk, base, bytearray(), dep_id

    def here(self):
        return self.base + len(self.b)

    def name(self, s):
        off = self.chunk.names.get(s)
        if off is not None:
            self.b += struct.pack("<I", off)
            return
        off = self.here() + 4
        self.chunk.names[s] = off
        enc = s.encode("utf-16-le")
        self.b += struct.pack("<IIHH", off, 0, name_hash(s), len(s)) + enc + b"\0\0"

    def element(self, tag, attrs=(), content=None):
        """attrs: [(name, ("text", str) | ("sub", index, type))]; content: list of callables or a value."""
        start = len(self.b)
        self.b += bytes([0x41 if attrs else 0x01]) + (struct.pack("<H", 0xFFFF) if self.dep_id else b"")
        size_at = len(self.b)
        self.b += b"\0\0\0\0"
        self.name(tag)
        if attrs:
            at = len(self.b)
            self.b += b"\0\0\0\0"
            for i, (an, val) in enumerate(attrs):
                self.b += bytes([0x46 if i + 1 < len(attrs) else 0x06])
                self.name(an)
                self.value(val)
            struct.pack_into("<I", self.b, at, len(self.b) - at - 4)
        if content is None:
            self.b += b"\x03"
        else:
            self.b += b"\x02"
            for c in content:
                if callable(c):
                    c()
                else:
                    self.value(c)
            self.b += b"\x04"
        struct.pack_into("<I", self.b, size_at, len(self.b) - size_at - 4)

    def value(self, val):
        if val[0] == "text":
            enc = val[1].encode("utf-16-le")
            self.b += bytes([0x05, T_STRING]) + struct.pack("<H", len(val[1])) + enc
        elif val[0] == "null":  # a value token of type NULL: nothing follows the type
            self.b += bytes([0x05, T_NULL])
        elif val[0] == "pi":  # ("pi", target, data): PITarget (0x0a) then PIData (0x0b)
            self.b += b"\x0a"
            self.name(val[1])
            self.b += b"\x0b" + struct.pack("<H", len(val[2])) + val[2].encode("utf-16-le")
        else:  # ("sub", index, type, optional)
            self.b += bytes([0x0E if len(val) > 3 and val[3] else 0x0D]) + struct.pack("<HB", val[1], val[2])


def template_body(frag, nstrings, has_binary, data_names=None, pi=None, null_data=False, userdata=False):
    """The template of a classic event; substitution indexes below (8 on:
    the strings, then the binary, or the BinXml UserData)."""
    sub = lambda i, t, opt=False: ("sub", i, t, opt)  # noqa: E731
    f = frag
    f.b += b"\x0f\x01\x01\x00"

    def system():
        f.element("Provider", [("Name", sub(0, T_STRING))])
        f.element("EventID", [("Qualifiers", sub(2, T_UINT16, True))], [sub(1, T_UINT16)])
        f.element("Level", (), [sub(3, T_UINT8)])
        f.element("Task", (), [("text", "0")])
        f.element("Keywords", (), [("text", "0x80000000000000")])
        f.element("TimeCreated", [("SystemTime", sub(4, T_FILETIME))])
        f.element("EventRecordID", (), [sub(5, T_UINT64)])
        f.element("Channel", (), [sub(6, T_STRING)])
        f.element("Computer", (), [sub(7, T_STRING)])
        f.element("Security")

    def eventdata():
        if pi:
            f.value(("pi", pi[0], pi[1]))
        for i in range(nstrings):
            attrs = [("Name", ("text", data_names[i]))] if data_names else ()
            f.element("Data", attrs, [sub(8 + i, T_STRING)])
        if null_data:
            f.element("Data", (), [("null",)])
        if has_binary:
            f.element("Binary", (), [sub(8 + nstrings, T_BINARY, True)])

    body = [lambda: f.element("System", (), [system])]
    if userdata:
        body.append(lambda: f.element("UserData", (), [sub(8 + nstrings, T_BINXML)]))
    else:
        body.append(lambda: f.element("EventData", (), [eventdata]))
    f.element("Event", [("xmlns", ("text", NS))], body)
    f.b += b"\x00"


def userdata_fragment(chunk, base, ud):
    """A BinXml value: <Wrap Kind=..> around a template instance of its own."""
    f = Fragment(chunk, base, dep_id=False)
    f.b += b"\x0f\x01\x01\x00"

    def instance():
        items = ud["items"]
        def_off = f.here() + 10
        f.b += b"\x0c\x01" + struct.pack("<II", 0x2000 + len(items), def_off)
        tpl = Fragment(chunk, def_off + 24)
        tpl.b += b"\x0f\x01\x01\x00"
        tpl.element(ud["element"], (), [(lambda i=i: tpl.element("Item", (), [("sub", i, T_STRING, False)]))
                                         for i in range(len(items))])
        tpl.b += b"\x00"
        f.b += struct.pack("<I", 0) + struct.pack("<I", 0x2000) + b"\x22" * 12 + struct.pack("<I", len(tpl.b)) + tpl.b
        vals = [x.encode("utf-16-le") for x in items]
        f.b += struct.pack("<I", len(vals))
        for v in vals:
            f.b += struct.pack("<HBB", len(v), T_STRING, 0)
        for v in vals:
            f.b += v

    f.element("Wrap", [("Kind", ("text", ud["kind"]))], [instance])
    f.b += b"\x00"
    return bytes(f.b)


def record_bytes(chunk, rec_off, ev, record_id):
    strings = ev.get("strings", [])
    binary = bytes.fromhex(ev["binary_hex"]) if ev.get("binary_hex") else None
    names = tuple(ev["data_names"]) if ev.get("data_names") else None
    pi = tuple(ev["pi"]) if ev.get("pi") else None
    ud = ev.get("userdata")
    shape = (len(strings), binary is not None, names, pi, bool(ev.get("null_data")), ud is not None)
    body = Fragment(chunk, rec_off + 24, dep_id=False)
    body.b += b"\x0f\x01\x01\x00"
    def_off, tid = chunk.templates.get(shape, (None, 0x1000 + len(chunk.templates)))
    inline = def_off is None
    if inline:
        def_off = body.here() + 10
        chunk.templates[shape] = (def_off, tid)
    body.b += b"\x0c\x01" + struct.pack("<II", tid, def_off)
    if inline:
        tpl = Fragment(chunk, def_off + 24)
        template_body(tpl, *shape)
        body.b += struct.pack("<I", 0) + struct.pack("<I", tid) + b"\x11" * 12 + struct.pack("<I", len(tpl.b)) + tpl.b
    values = [
        (T_STRING, ev["provider"].encode("utf-16-le")),
        (T_UINT16, struct.pack("<H", ev["event_id"])),
        (T_UINT16, struct.pack("<H", ev.get("qualifiers", 0))) if ev.get("qualifiers") is not None else (0, b""),
        (T_UINT8, struct.pack("<B", ev.get("level", 4))),
        (T_FILETIME, struct.pack("<Q", filetime(ev["time"]))),
        (T_UINT64, struct.pack("<Q", record_id)),
        (T_STRING, ev.get("channel", "Application").encode("utf-16-le")),
        (T_STRING, ev.get("computer", "PC1").encode("utf-16-le")),
    ] + [(T_STRING, s.encode("utf-16-le")) for s in strings]
    if binary is not None:
        values.append((T_BINARY, binary))
    if ud is not None:
        # The fragment's names and template are chunk offsets: lay it out where it will sit.
        values_at = body.here() + 4 + 4 * (len(values) + 1) + sum(len(v) for _, v in values)
        values.append((T_BINXML, userdata_fragment(chunk, values_at, ud)))
    body.b += struct.pack("<I", len(values))
    for t, v in values:
        body.b += struct.pack("<HBB", len(v), t, 0)
    for t, v in values:
        body.b += v
    body.b += b"\x00"
    size = 24 + len(body.b) + 4
    pad = (-size) % 8
    body.b += b"\0" * pad
    size += pad
    return (b"**\0\0" + struct.pack("<IQQ", size, record_id, filetime(ev["time"])) + bytes(body.b) +
            struct.pack("<I", size))


def finish_chunk(chunk, first_id, last_id, last_off, no_checksums=False):
    buf = chunk.buf
    free = len(buf)
    buf += b"\0" * (CHUNK - len(buf))
    struct.pack_into("<8sQQQQIIII", buf, 0, b"ElfChnk\0", first_id, last_id, first_id, last_id, 128, last_off, free,
                     0 if no_checksums else zlib.crc32(bytes(buf[512:free])))
    if no_checksums:
        struct.pack_into("<I", buf, 120, 4)
    crc = zlib.crc32(bytes(buf[:120]) + bytes(buf[128:512]))
    struct.pack_into("<I", buf, 124, 0 if no_checksums else crc)
    return bytes(buf)


def damage_chunks(chunks, damage):
    """Applies write()'s damage to the finished chunks (a list of bytes)."""
    out = [bytearray(c) for c in chunks]
    for i in damage.get("chunk_magic", []):
        out[i][0:8] = b"ElfXXXX\0"
    for key in ("record_size", "record_magic"):
        for rid in damage.get(key, []):
            for c in out:
                p = 512
                while p + 24 <= CHUNK and c[p:p + 4] == b"**\0\0":
                    size, this = struct.unpack_from("<IQ", c, p + 4)
                    if this == rid:
                        if key == "record_size":
                            struct.pack_into("<I", c, p + 4, 0xFFF0)
                        else:
                            c[p:p + 4] = b"\0\0\0\0"
                        break
                    p += size
    return [bytes(c) for c in out]


def write(path, events, first_record_id=1, damage=None):
    damage = damage or {}
    no_crc = bool(damage.get("no_checksums"))
    chunks, chunk = [], Chunk()
    first = rid = first_record_id
    last_off = 512
    for ev in events:
        rec = record_bytes(chunk, chunk.pos(), ev, rid)
        if chunk.pos() + len(rec) > CHUNK:
            chunks.append(finish_chunk(chunk, first, rid - 1, last_off, no_crc))
            chunk, first = Chunk(), rid
            rec = record_bytes(chunk, chunk.pos(), ev, rid)
        last_off = chunk.pos()
        chunk.buf += rec
        rid += 1
    chunks.append(finish_chunk(chunk, first, rid - 1, last_off, no_crc))
    chunks = damage_chunks(chunks, damage)
    hdr = bytearray(4096)
    struct.pack_into("<8sQQQIHHHH", hdr, 0, b"ElfFile\0", 0, len(chunks) - 1, rid, 128, 1, 3, 4096, len(chunks))
    if no_crc:
        struct.pack_into("<I", hdr, 120, 4)
    else:
        struct.pack_into("<I", hdr, 124, zlib.crc32(bytes(hdr[:120])))
    with open(path, "wb") as f:
        f.write(hdr)
        for c in chunks:
            f.write(c)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: evtx_writer.py OUT.evtx EVENTS.json")
    write(sys.argv[1], json.load(open(sys.argv[2])))
