// A real `factoryai serve` for the browser tests: a free loopback port, a temp SQLite database,
// two cameras, the built dashboard as its static files.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function startServer({ root, buildDir }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fai-e2e-'));
  const config = `server:
  host: 127.0.0.1
  static_dir: ${path.join(root, 'web/dist/browser')}
  http_threads: 16
store:
  spool_dir: ${path.join(dir, 'spool')}
pipeline:
  workers: 1
tracker:
  high_score: 0.4
  low_score: 0.1
  new_track_score: 0.45
occupancy:
  min_frames_on_new_side: 2
cameras:
  default_id: default
  list:
    - id: default
    - id: gate
      lines:
        - id: gate-line
          start: [100, 300]
          end: [540, 300]
          in_side: right
`;
  fs.writeFileSync(path.join(dir, 'config.yaml'), config);
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const child = spawn(path.join(buildDir, 'factoryai'),
    ['--models-dir', path.join(root, 'models'), '-c', path.join(dir, 'config.yaml'), 'serve', '--port', '0',
      '--db', `sqlite:${path.join(dir, 'factoryai.db')}`],
    { stdio: ['ignore', log, log] });
  const readLog = () => fs.readFileSync(path.join(dir, 'server.log'), 'utf8');
  const deadline = Date.now() + 60000;
  let port = 0;
  while (!port) {
    const m = readLog().match(/serving on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) port = Number(m[1]);
    else if (child.exitCode !== null) throw new Error(`server exited:\n${readLog()}`);
    else if (Date.now() > deadline) throw new Error(`server did not start:\n${readLog()}`);
    else await new Promise((r) => setTimeout(r, 100));
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    base, dir, log: readLog,
    async api(method, p, body, headers = {}) {
      const init = { method, headers: { ...headers } };
      if (body !== undefined) {
        if (Buffer.isBuffer(body)) init.body = body;
        else { init.body = JSON.stringify(body); init.headers['content-type'] = 'application/json'; }
      }
      const res = await fetch(base + p, init);
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, json, text };
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
      const started = Date.now();
      child.kill('SIGTERM');
      const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 15000))]);
      if (!result) child.kill('SIGKILL');
      fs.closeSync(log);
      return { ...result, ms: Date.now() - started };
    },
    cleanup() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}
