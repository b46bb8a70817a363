#!/usr/bin/env node
// End-to-end test of `cicflow serve` with the Node gRPC client
// (@grpc/grpc-js + @grpc/proto-loader), loading the .proto at run time
// the way a Node client author would.
//
// Starts its own server on 127.0.0.1 port 0 and checks: ZIP, CSV and
// FLOWS results against CICFlowMeter's CSVs from the shared corpus (rows
// compared as multisets; FLOWS fields compared as numbers, NaN equal to
// NaN and "0" to "0.0"), INVALID_ARGUMENT for a text file, the health
// service, server reflection (grpc-js-reflection-client, v1 and v1alpha:
// list the services, load FlowMeter from the served descriptors alone and
// call it), an unknown method, a cancel in the middle of an upload, a
// deadline, and 16 concurrent uploads on 4 clients. Prints one line per
// check and "N passed, N failed" last; exits 1 on any failure.
//
// Usage: node grpc_node_test.js --cicflow BIN --proto-dir DIR --corpus DIR
//          [--health-proto FILE] [--time-limit SEC]
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const http2 = require('http2');
const os = require('os');
const path = require('path');
const readline = require('readline');
const zlib = require('zlib');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { GrpcReflection } = require('grpc-js-reflection-client');

const MiB = 1 << 20;

// ---------------------------------------------------------------- args

function parseArgs(argv) {
  const args = {
    healthProto: '/usr/share/grpc-proto/grpc/health/v1/health.proto',
    timeLimit: 400,
  };
  const names = {
    '--cicflow': 'cicflow', '--proto-dir': 'protoDir', '--corpus': 'corpus',
    '--health-proto': 'healthProto', '--time-limit': 'timeLimit',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    args[key] = argv[i + 1];
  }
  for (const need of ['cicflow', 'protoDir', 'corpus']) {
    if (!args[need]) throw new Error(`missing --${need}`);
  }
  args.timeLimit = Number(args.timeLimit);
  return args;
}

// --------------------------------------------------------------- tally

const tally = { passed: 0, failed: [] };

function check(ok, what, detail) {
  if (ok) {
    tally.passed++;
    console.log(`ok   ${what}`);
  } else {
    tally.failed.push(what);
    const text = String(detail === undefined ? '' : detail)
      .replace(/\n/g, '\n       ');
    console.log(`FAIL ${what}: ${text}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// -------------------------------------------------------------- server

class Server {
  constructor(binary, tmpDir, opts) {
    this.tmpDir = tmpDir;
    this.args = ['serve', '--grpc-address', '127.0.0.1:0',
      '--http-address', '127.0.0.1:0',
      '--workers', String(opts.workers),
      '--queue-length', String(opts.queueLength),
      '--max-upload-bytes', String(opts.maxUploadBytes),
      '--tmp-dir', tmpDir];
    this.binary = binary;
    this.lines = [];
    this.address = null;
    this.exited = null;
  }

  start(timeoutMs = 20000) {
    fs.mkdirSync(this.tmpDir, { recursive: true });
    this.proc = childProcess.spawn(this.binary, this.args,
      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
    this.proc.stdout.on('data', () => {});
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        'no event=listening transport=grpc line; log:\n' + this.tail())),
      timeoutMs);
      readline.createInterface({ input: this.proc.stderr })
        .on('line', (line) => {
          this.lines.push(line);
          const ev = parseEvent(line);
          if (ev.event === 'listening' && ev.transport === 'grpc' &&
              !this.address) {
            this.address = ev.address;
            clearTimeout(timer);
            resolve(this);
          }
        });
      this.exitPromise.then((st) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${JSON.stringify(st)}); log:\n` +
          this.tail()));
      });
    });
  }

  alive() { return this.proc && this.exited === null; }

  tail(n = 30) { return this.lines.slice(-n).join('\n'); }

  tmpFiles() {
    const found = [];
    const walk = (dir) => {
      for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, ent.name);
        if (ent.isDirectory()) walk(p); else found.push(path.relative(this.tmpDir, p));
      }
    };
    walk(this.tmpDir);
    return found;
  }

  async waitTmpEmpty(timeoutMs = 5000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const left = this.tmpFiles();
      if (left.length === 0 || Date.now() >= end) return left;
      await sleep(50);
    }
  }

  // SIGTERM by PID, then SIGKILL after `graceMs`.
  async stop(graceMs = 10000) {
    if (!this.proc) return { killed: false };
    const t0 = Date.now();
    if (this.exited === null) process.kill(this.proc.pid, 'SIGTERM');
    const st = await Promise.race([this.exitPromise, sleep(graceMs)]);
    if (st === undefined) {
      process.kill(this.proc.pid, 'SIGKILL');
      await this.exitPromise;
      return { killed: true, ...this.exited, took: Date.now() - t0 };
    }
    return { killed: false, ...st, took: Date.now() - t0 };
  }
}

function parseEvent(line) {
  const out = {};
  const re = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let m;
  while ((m = re.exec(line)) !== null) {
    let v = m[2];
    if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

// ------------------------------------------------------- result checks

function csvLines(buf) {
  const lines = buf.toString('utf8').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function countOf(items) {
  const m = new Map();
  for (const it of items) m.set(it, (m.get(it) || 0) + 1);
  return m;
}

// Items of a that b lacks (multiset difference).
function minus(a, b) {
  const out = [];
  for (const [k, n] of a) {
    for (let i = (b.get(k) || 0); i < n; i++) out.push(k);
  }
  return out;
}

function csvDiff(expected, actual) {
  const exp = csvLines(expected);
  const act = csvLines(actual);
  const problems = [];
  if (!act.length) return 'empty CSV';
  if (exp[0] !== act[0]) problems.push('header differs: ' + act[0].slice(0, 120));
  if (expected.subarray(-1).toString() !== actual.subarray(-1).toString()) {
    problems.push('final newline differs');
  }
  const e = countOf(exp.slice(1));
  const a = countOf(act.slice(1));
  const missing = minus(e, a);
  const extra = minus(a, e);
  if (missing.length || extra.length) {
    problems.push(`${missing.length} rows missing, ${extra.length} extra ` +
      `(of ${exp.length - 1})`);
    for (const r of missing.slice(0, 2)) problems.push('  expected ' + r.slice(0, 200));
    for (const r of extra.slice(0, 2)) problems.push('  got      ' + r.slice(0, 200));
  }
  return problems.length ? problems.join('\n') : null;
}

let FLOW_FIELDS = null; // [{name, number, isString}] for fields 1..84

function canonical(v, isString) {
  if (isString) return String(v);
  const n = Number(v);
  return Number.isNaN(n) ? 'NaN' : String(n);
}

function flowKey(flow) {
  return FLOW_FIELDS.map((f) => canonical(flow[f.name], f.isString)).join('\x1f');
}

function csvRowKey(line) {
  const cells = line.split(',');
  if (cells.length !== 84) throw new Error(`CSV row with ${cells.length} cells`);
  return cells.map((c, i) => canonical(c, FLOW_FIELDS[i].isString)).join('\x1f');
}

function flowsDiff(expectedCsv, flows) {
  const e = countOf(csvLines(expectedCsv).slice(1).map(csvRowKey));
  const a = countOf(flows.map(flowKey));
  const missing = minus(e, a);
  const extra = minus(a, e);
  if (!missing.length && !extra.length) return null;
  const lines = [`${missing.length} flows missing, ${extra.length} extra ` +
    `(of ${[...e.values()].reduce((x, y) => x + y, 0)})`];
  for (const row of missing.slice(0, 3)) {
    const want = row.split('\x1f');
    const twin = extra.map((x) => x.split('\x1f'))
      .find((x) => x[0] === want[0] && x[6] === want[6]);
    if (twin) {
      const d = FLOW_FIELDS.filter((f, i) => want[i] !== twin[i])
        .map((f) => `${f.name}: want ${want[f.number - 1]} got ${twin[f.number - 1]}`);
      lines.push(`  ${want[0]} ${want[6]}: ${d.slice(0, 6).join('; ')}`);
    } else {
      lines.push(`  missing ${want[0]} ${want[6]}`);
    }
  }
  return lines.join('\n');
}

// A small zip reader: the central directory gives each member's method,
// sizes and local header; members are stored (0) or deflated (8).
function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('no end of central directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const members = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compSize);
    let data;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = zlib.inflateRawSync(raw);
    else throw new Error(`${name}: compression method ${method}`);
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes, directory says ${size}`);
    if (typeof zlib.crc32 === 'function' && (zlib.crc32(data) >>> 0) !== crc) {
      throw new Error(`${name}: CRC mismatch`);
    }
    members.set(name, data);
  }
  return members;
}

function sanitize(name) {
  const base = name.split('/').pop().replace(/[^A-Za-z0-9._+-]/g, '_');
  return base || 'capture';
}

// ---------------------------------------------------------------- calls

// Runs one ProcessPcap call: options, then `data` in chunks of `chunk`
// bytes, honouring backpressure. `hooks.afterChunk(i, call)` may return
// 'stop' to stop writing without half-closing.
function processPcap(client, options, data, chunk, deadlineMs = 60000, hooks = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const call = client.ProcessPcap({ deadline: Date.now() + deadlineMs });
    const messages = [];
    let status = null;
    let ended = false;
    const finish = () => {
      if (status && ended) {
        resolve({ code: status.code, details: status.details || '', messages,
          elapsed: (Date.now() - t0) / 1000 });
      }
    };
    call.on('data', (m) => messages.push(m));
    call.on('end', () => { ended = true; finish(); });
    call.on('error', () => { ended = true; finish(); });
    call.on('status', (st) => { status = st; setTimeout(() => { ended = true; finish(); }, 200); finish(); });
    (async () => {
      const write = (msg) => new Promise((res) => {
        if (status) return res(false);
        if (call.write(msg)) return res(true);
        const onDrain = () => { call.removeListener('status', onDrain); res(true); };
        call.once('drain', onDrain);
        call.once('status', onDrain);
      });
      await write({ options });
      let i = 0;
      for (let off = 0; off < data.length && !status; off += chunk, i++) {
        await write({ chunk: data.subarray(off, off + chunk) });
        if (hooks.afterChunk && (await hooks.afterChunk(i, call)) === 'stop') return;
      }
      if (!status) call.end();
    })().catch(() => {});
  });
}

function ofKind(out, kind) {
  return out.messages.filter((m) => m.payload === kind).map((m) => m[kind]);
}

function statusName(code) {
  return Object.keys(grpc.status).find((k) => grpc.status[k] === code) || String(code);
}

function resultProblems(out, output, data, expectedCsv, fileName, warning) {
  if (out.code !== grpc.status.OK) return [`status ${statusName(out.code)} ${JSON.stringify(out.details)}`];
  const problems = [];
  const kinds = out.messages.map((m) => m.payload);
  if (kinds.filter((k) => k === 'summary').length !== 1 || kinds[kinds.length - 1] !== 'summary') {
    problems.push('Summary is not the one last message: ' + JSON.stringify(kinds.slice(-5)));
  }
  const summary = ofKind(out, 'summary').pop();
  if (!summary) return problems;
  const rows = csvLines(expectedCsv).length - 1;
  // A classic pcap is all header and packets, so every byte is read; a
  // pcapng may end with blocks after its last packet and a damaged
  // capture stops at the damage: at most the upload there.
  const magic = data.length >= 4 ? data.readUInt32LE(0) : 0;
  const classic = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic);
  const read = Number(summary.bytes_read);
  if (!warning && classic ? read !== data.length : !(read > 0 && read <= data.length)) {
    problems.push(`Summary.bytes_read ${summary.bytes_read}, upload ${data.length} bytes`);
  }
  if (Number(summary.flows_written) !== rows) {
    problems.push(`Summary.flows_written ${summary.flows_written} != ${rows} rows expected`);
  }
  if (warning && !summary.warnings.some((w) => w.includes(warning))) {
    problems.push(`no warning containing ${JSON.stringify(warning)}: ${JSON.stringify(summary.warnings)}`);
  }
  if (!warning && summary.warnings.length) {
    problems.push(`unexpected warnings ${JSON.stringify(summary.warnings)}`);
  }
  const name = sanitize(fileName);
  if (output === 'OUTPUT_FORMAT_FLOWS') {
    if (kinds.includes('output_start') || kinds.includes('output_chunk')) {
      problems.push('output_start/output_chunk in FLOWS mode');
    }
    const flows = ofKind(out, 'flows').flatMap((b) => b.flows);
    if (flows.length !== Number(summary.flows_written)) {
      problems.push(`${flows.length} flows != Summary.flows_written ${summary.flows_written}`);
    }
    const d = flowsDiff(expectedCsv, flows);
    if (d) problems.push(d);
    return problems;
  }
  const starts = ofKind(out, 'output_start');
  if (starts.length !== 1) return problems.concat([`${starts.length} OutputStart messages`]);
  if (kinds.indexOf('output_chunk') >= 0 && kinds.indexOf('output_chunk') < kinds.indexOf('output_start')) {
    problems.push('output_chunk before OutputStart');
  }
  const chunks = ofKind(out, 'output_chunk');
  if (chunks.some((c) => c.length > MiB)) problems.push('output_chunk over 1 MiB');
  const body = Buffer.concat(chunks);
  if (Number(starts[0].size_bytes) !== body.length) {
    problems.push(`OutputStart.size_bytes ${starts[0].size_bytes} != ${body.length} received`);
  }
  let csv;
  if (output === 'OUTPUT_FORMAT_CSV') {
    if (starts[0].file_name !== `${name}_Flow.csv`) {
      problems.push(`OutputStart.file_name ${starts[0].file_name}`);
    }
    csv = body;
  } else {
    if (starts[0].content_type !== 'application/zip') {
      problems.push(`content_type ${starts[0].content_type}`);
    }
    let members;
    try {
      members = unzip(body);
    } catch (e) {
      return problems.concat([`bad zip: ${e.message}`]);
    }
    const want = [`${name}_Flow.csv`, 'summary.txt'].sort();
    const got = [...members.keys()].sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`zip holds ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
    csv = members.get(`${name}_Flow.csv`) || Buffer.alloc(0);
    const text = (members.get('summary.txt') || '').toString('utf8');
    if (!text.includes(`\nflows_written: ${summary.flows_written}\n`) ||
        (warning && !text.includes(warning))) {
      problems.push(`summary.txt does not match the Summary: ${JSON.stringify(text.slice(0, 200))}`);
    }
  }
  const d = csvDiff(expectedCsv, csv);
  if (d) problems.push(d);
  return problems;
}

// A gRPC call made by hand over node's own HTTP/2 client, with a
// grpc-timeout header but no client-side deadline, that sends `body` and
// then neither more data nor END_STREAM. Resolves with what the server
// answered: the response headers, trailers, RST_STREAM code, time.
function rawStalledCall(address, body, grpcTimeout, waitMs) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const session = http2.connect(`http://${address}`);
    const got = { headers: null, trailers: null, rstCode: null, ms: null, error: null };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      got.ms = Date.now() - t0;
      clearTimeout(timer);
      session.destroy();
      resolve(got);
    };
    const timer = setTimeout(finish, waitMs);
    session.on('error', (e) => { got.error = e.message; finish(); });
    const req = session.request({
      ':method': 'POST', ':path': '/cicflow.v1.FlowMeter/ProcessPcap',
      'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': grpcTimeout,
    }, { endStream: false });
    req.on('response', (h) => { got.headers = h; });
    req.on('trailers', (h) => { got.trailers = h; });
    req.on('data', () => {});
    req.on('error', (e) => { got.error = e.message; });
    req.on('close', () => { got.rstCode = req.rstCode; finish(); });
    req.write(body);
  });
}

function grpcFrame(serialize, obj) {
  const body = serialize(obj);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

// ---------------------------------------------------------------- tests

async function afterCall(server, what) {
  const left = await server.waitTmpEmpty(5000);
  check(left.length === 0, `${what}: tmp dir empty afterwards`, `left: ${left.slice(0, 5)}`);
  check(server.alive(), `${what}: server still running`, server.tail(10));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cicflow-rpc-node-'));
  let server = null;
  const watchdog = setTimeout(() => {
    console.log(`TIME LIMIT of ${args.timeLimit} s reached`);
    if (server && server.alive()) process.kill(server.proc.pid, 'SIGKILL');
    console.log(`${tally.passed} passed, ${tally.failed.length + 1} failed`);
    process.exit(1);
  }, args.timeLimit * 1000);
  watchdog.unref();

  const loadOpts = { keepCase: true, longs: String, enums: String, defaults: true,
    oneofs: true, includeDirs: [args.protoDir] };
  const def = protoLoader.loadSync('cicflow/v1/flowmeter.proto', loadOpts);
  const healthDef = protoLoader.loadSync(args.healthProto, { ...loadOpts, includeDirs: [] });
  const api = grpc.loadPackageDefinition(def).cicflow.v1;
  const healthApi = grpc.loadPackageDefinition(healthDef).grpc.health.v1;
  FLOW_FIELDS = def['cicflow.v1.Flow'].type.field
    .filter((f) => f.number >= 1 && f.number <= 84)
    .sort((a, b) => a.number - b.number)
    .map((f) => ({ name: f.name, number: f.number, isString: f.type === 'TYPE_STRING' }));
  check(FLOW_FIELDS.length === 84 && FLOW_FIELDS[83].number === 84,
    'proto-loader loads flowmeter.proto with Flow fields 1..84', FLOW_FIELDS.length);

  server = new Server(args.cicflow, path.join(work, 'tmp'),
    { workers: 2, queueLength: 64, maxUploadBytes: 256 * MiB });
  try {
    await server.start();
  } catch (e) {
    check(false, 'start server', e.message);
    fs.rmSync(work, { recursive: true, force: true });
    console.log(`${tally.passed} passed, ${tally.failed.length} failed`);
    return 1;
  }
  check(true, `start server (${server.address})`);

  const clients = [];
  const newClient = () => {
    const c = new api.FlowMeter(server.address, grpc.credentials.createInsecure(),
      { 'grpc.use_local_subchannel_pool': 1 });
    clients.push(c);
    return c;
  };
  const client = newClient();
  const corpus = (rel) => fs.readFileSync(path.join(args.corpus, rel));
  const expected = (rel) => fs.readFileSync(path.join(args.corpus, path.dirname(rel),
    'expected', path.basename(rel) + '_Flow.csv'));
  const opts = (fileName, output, extra = {}) => ({ file_name: fileName, output, ...extra });

  try {
    // Results.
    const cases = [
      ['edge/zero-duration.pcap', 'OUTPUT_FORMAT_FLOWS', 7, null],
      ['edge/tcp-nopad.pcap', 'OUTPUT_FORMAT_ZIP', 7, null],
      ['delta/d13-subflow-active-idle.pcap', 'OUTPUT_FORMAT_CSV', 4096, null],
      ['real/ndpi__443-firefox.pcap', 'OUTPUT_FORMAT_ZIP', 65536, null],
      ['real/ndpi__sites.pcapng', 'OUTPUT_FORMAT_FLOWS', 65536, null],
      ['jnet/test-http-jpeg.pcap', 'OUTPUT_FORMAT_ZIP', 4096, null],
      ['real/ndpi__netflix.pcap', 'OUTPUT_FORMAT_FLOWS', MiB, null],
      ['real/zeek__irc-dcc-send.pcapng', 'OUTPUT_FORMAT_CSV', MiB, null],
      ['jnet/tc_TC_IDPRE_EXT0140.pcap', 'OUTPUT_FORMAT_ZIP', 4096, 'damaged capture at packet 588'],
      ['jnet/tc_TC_IDPRE_EXT0140.pcap', 'OUTPUT_FORMAT_FLOWS', 65536, 'damaged capture at packet 588'],
      ['real/ndpi__fuzz-2021-10-13.pcap', 'OUTPUT_FORMAT_ZIP', 7, 'damaged capture at packet 2'],
    ];
    for (const [rel, output, chunk, warning] of cases) {
      const data = corpus(rel);
      const name = path.basename(rel);
      const out = await processPcap(client, opts(name, output), data, chunk);
      const p = resultProblems(out, output, data, expected(rel), name, warning);
      check(!p.length, `${rel} ${output.slice(14)} chunks of ${chunk}`, p.join('\n'));
    }
    const named = 'dir/sub dir/my trace;1.pcap';
    const d01 = 'delta/d01-fin-teardown.pcap';
    let out = await processPcap(client, opts(named, 'OUTPUT_FORMAT_ZIP'), corpus(d01), 4096);
    let p = resultProblems(out, 'OUTPUT_FORMAT_ZIP', corpus(d01), expected(d01), named, null);
    check(!p.length, `file_name ${JSON.stringify(named)} -> ${sanitize(named)}_Flow.csv in the zip`, p.join('\n'));
    await afterCall(server, 'result calls');

    // The corrected profile and the new options, enums given by name as
    // Node clients write them: d07's one-packet flows become rows.
    const d07 = 'delta/d07-single-packet.pcap';
    const corrected = { profile: 'PROFILE_CORRECTED', columns: 'COLUMN_DIALECT_SNAKE',
      idle_timeout_us: '30000000', extra_columns: ['EXTRA_COLUMN_END_REASON'] };
    out = await processPcap(client, opts('s.pcap', 'OUTPUT_FORMAT_CSV', corrected), corpus(d07), 4096);
    const lines = csvLines(Buffer.concat(ofKind(out, 'output_chunk')));
    check(out.code === grpc.status.OK && lines.length === 6 && lines[0].startsWith('flow_id,src_ip,') &&
      lines[0].endsWith(',end_reason'),
    'PROFILE_CORRECTED, COLUMN_DIALECT_SNAKE, EXTRA_COLUMN_END_REASON: 5 rows, snake header',
    `${statusName(out.code)} ${out.details}: ${lines.length} lines, ${(lines[0] || '').slice(-40)}`);
    out = await processPcap(client, opts('s.pcap', 'OUTPUT_FORMAT_FLOWS', { profile: 'PROFILE_CORRECTED' }),
      corpus(d07), 4096);
    const flows = ofKind(out, 'flows').flatMap((b) => b.flows);
    const sum = ofKind(out, 'summary').pop();
    check(out.code === grpc.status.OK && flows.length === 5 &&
      flows.every((f) => f.end_reason.startsWith('END_REASON_') && f.end_reason !== 'END_REASON_UNSPECIFIED' &&
        Number(f.last_packet_us) >= Number(f.first_packet_us)) &&
      sum && sum.packets_ignored.not_ip === '0' && sum.flows_dropped_single === '0',
    'PROFILE_CORRECTED FLOWS: 5 flows with end_reason and times, Summary with every ignore reason',
    `${statusName(out.code)} ${out.details}: ${JSON.stringify(flows[0])}`);
    out = await processPcap(client, opts('s.pcap', 'OUTPUT_FORMAT_CSV', { idle_timeout_us: '5' }),
      corpus(d07), 4096);
    check(out.code === grpc.status.INVALID_ARGUMENT && out.details.includes('idle_timeout_us'),
      'idle_timeout_us with the default profile -> INVALID_ARGUMENT naming it',
      `${statusName(out.code)} ${out.details}`);
    await afterCall(server, 'new option calls');

    // Not a capture.
    const text = Buffer.from('id,src_ip,dst_ip,bytes\n1,10.0.0.1,10.0.0.2,100\n'.repeat(40));
    for (const output of ['OUTPUT_FORMAT_ZIP', 'OUTPUT_FORMAT_FLOWS']) {
      out = await processPcap(client, opts('notes.pcap', output), text, 4096);
      const kinds = out.messages.map((m) => m.payload);
      check(out.code === grpc.status.INVALID_ARGUMENT && out.details.includes('not a capture') &&
        out.details.includes('text') && !kinds.includes('summary'),
      `text file ${output.slice(14)} -> INVALID_ARGUMENT "not a capture ... text"`,
      `got ${statusName(out.code)} ${JSON.stringify(out.details)}`);
    }
    await afterCall(server, 'not a capture');

    // Health.
    const health = new healthApi.Health(server.address, grpc.credentials.createInsecure());
    const healthCheck = (service) => new Promise((resolve) => {
      health.Check({ service }, { deadline: Date.now() + 10000 }, (err, res) => {
        resolve(err ? statusName(err.code) : res.status);
      });
    });
    for (const service of ['', 'cicflow.v1.FlowMeter']) {
      const got = await healthCheck(service);
      check(got === 'SERVING', `health ${JSON.stringify(service)} -> SERVING`, `got ${got}`);
    }
    for (const service of ['nope.Service']) {
      const got = await healthCheck(service);
      check(got === 'NOT_FOUND', `health ${JSON.stringify(service)} -> NOT_FOUND`, `got ${got}`);
    }
    health.close();

    // Server reflection, as a client that has no .proto file: the
    // FlowMeter stub comes from the descriptors the server serves.
    for (const version of ['v1', 'v1alpha']) {
      const reflection = new GrpcReflection(server.address,
        grpc.credentials.createInsecure(), {}, version);
      const services = await reflection.listServices();
      check(services.length === 4 && services.includes('cicflow.v1.FlowMeter'),
        `reflection ${version}: listServices names the four services`,
        JSON.stringify(services));
      const desc = await reflection.getDescriptorBySymbol('cicflow.v1.FlowMeter');
      const { includeDirs, ...pkgOpts } = loadOpts;
      const pkg = desc.getPackageObject(pkgOpts);
      const reflected = new pkg.cicflow.v1.FlowMeter(server.address,
        grpc.credentials.createInsecure());
      clients.push(reflected);
      const rrel = 'edge/tcp-rst.pcap';
      const rout = await processPcap(reflected, opts('tcp-rst.pcap', 'OUTPUT_FORMAT_CSV'),
        corpus(rrel), 4096);
      const rp = resultProblems(rout, 'OUTPUT_FORMAT_CSV', corpus(rrel), expected(rrel),
        'tcp-rst.pcap', null);
      check(!rp.length, `reflection ${version}: ProcessPcap through a stub built from the ` +
        `served descriptors (${rrel} CSV)`, rp.join('\n'));
    }
    await afterCall(server, 'reflection');

    // Unknown method.
    const unknown = await new Promise((resolve) => {
      client.makeUnaryRequest('/cicflow.v1.FlowMeter/Nope', (x) => x, (x) => x, Buffer.alloc(0),
        { deadline: Date.now() + 10000 }, (err) => resolve(err ? statusName(err.code) : 'OK'));
    });
    check(unknown === 'UNIMPLEMENTED', '/cicflow.v1.FlowMeter/Nope -> UNIMPLEMENTED', `got ${unknown}`);

    // Cancel in the middle of an upload.
    const big = corpus('real/zeek__irc-dcc-send.pcapng');
    out = await processPcap(client, opts('big.pcapng', 'OUTPUT_FORMAT_ZIP'), big, 4096, 60000, {
      afterChunk: async (i, call) => {
        if (i === 120) {
          await sleep(100);
          call.cancel();
          return 'stop';
        }
        return null;
      },
    });
    check(out.code === grpc.status.CANCELLED, 'cancel mid-upload -> CANCELLED',
      `got ${statusName(out.code)} ${JSON.stringify(out.details)}`);
    await afterCall(server, 'cancel mid-upload');
    const rel = 'real/ndpi__443-firefox.pcap';
    out = await processPcap(client, opts('after.pcap', 'OUTPUT_FORMAT_FLOWS'), corpus(rel), 65536);
    p = resultProblems(out, 'OUTPUT_FORMAT_FLOWS', corpus(rel), expected(rel), 'after.pcap', null);
    check(!p.length, 'a call after the cancel works', p.join('\n'));

    // Deadline on a stalled upload.
    out = await processPcap(client, opts('slow.pcap', 'OUTPUT_FORMAT_FLOWS'), corpus(rel), 24, 500, {
      afterChunk: async (i) => {
        if (i === 0) { await sleep(3000); return 'stop'; }
        return null;
      },
    });
    check(out.code === grpc.status.DEADLINE_EXCEEDED && out.elapsed < 3,
      'stalled upload with a 500 ms deadline -> DEADLINE_EXCEEDED',
      `got ${statusName(out.code)} ${JSON.stringify(out.details)} after ${out.elapsed} s`);
    await afterCall(server, 'deadline');

    // The server enforces grpc-timeout itself: a raw HTTP/2 call with
    // grpc-timeout 700m, no client deadline, stalled after the capture's
    // first 24 bytes, must end with grpc-status 4 from the server.
    const serialize = client.ProcessPcap.requestSerialize;
    const head = corpus(rel).subarray(0, 24);
    const rawBody = Buffer.concat([
      grpcFrame(serialize, { options: opts('raw.pcap', 'OUTPUT_FORMAT_FLOWS') }),
      grpcFrame(serialize, { chunk: head })]);
    const raw = await rawStalledCall(server.address, rawBody, '700m', 8000);
    const st = (raw.trailers && raw.trailers['grpc-status']) ||
      (raw.headers && raw.headers['grpc-status']);
    check(st === '4' && raw.ms < 3000,
      'raw HTTP/2 call with grpc-timeout 700m, no client deadline -> grpc-status 4 from the server',
      `after ${raw.ms} ms: headers ${JSON.stringify(raw.headers)} trailers ${JSON.stringify(raw.trailers)} ` +
      `rstCode ${raw.rstCode} error ${raw.error}`);
    await afterCall(server, 'raw grpc-timeout call');

    // 16 concurrent uploads on 4 clients.
    const conc = [
      ['real/ndpi__443-firefox.pcap', 'OUTPUT_FORMAT_ZIP', null],
      ['real/ndpi__netflix.pcap', 'OUTPUT_FORMAT_FLOWS', null],
      ['jnet/test-http-jpeg.pcap', 'OUTPUT_FORMAT_CSV', null],
      ['real/ndpi__reddit.pcap', 'OUTPUT_FORMAT_FLOWS', null],
      ['real/zeek__http__bro.org.pcap', 'OUTPUT_FORMAT_ZIP', null],
      ['jnet/tc_TC_IDPRE_EXT0140.pcap', 'OUTPUT_FORMAT_CSV', 'damaged capture at packet 588'],
      ['real/ndpi__gnutella.pcap', 'OUTPUT_FORMAT_FLOWS', null],
      ['delta/d12-bulk.pcap', 'OUTPUT_FORMAT_ZIP', null],
    ];
    const four = [newClient(), newClient(), newClient(), newClient()];
    const t0 = Date.now();
    const results = await Promise.all([...Array(16).keys()].map(async (i) => {
      const [crel, output, warning] = conc[i % conc.length];
      const data = corpus(crel);
      const name = `c${i}-${path.basename(crel)}`;
      const o = await processPcap(four[i % 4], opts(name, output), data, 65536, 120000);
      return [i, crel, output, o, resultProblems(o, output, data, expected(crel), name, warning)];
    }));
    for (const [i, crel, output, o, probs] of results) {
      check(!probs.length, `concurrent call ${i} ${crel} ${output.slice(14)} (${o.elapsed} s)`, probs.join('\n'));
    }
    console.log(`     16 concurrent calls on 4 clients took ${(Date.now() - t0) / 1000} s`);
    await afterCall(server, '16 concurrent calls');
  } catch (e) {
    check(false, 'test run', e.stack);
  } finally {
    for (const c of clients) c.close();
    const st = await server.stop();
    check(!st.killed, `server exits on SIGTERM (${JSON.stringify(st)})`, 'killed after 10 s');
    if (tally.failed.length) console.log('--- server log (last lines):\n' + server.tail(30));
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`${tally.passed} passed, ${tally.failed.length} failed`);
  return tally.failed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.log(`FAIL ${e.stack}`);
  console.log(`${tally.passed} passed, ${tally.failed.length + 1} failed`);
  process.exit(1);
});
