// Host ends of the guest's three virtio-serial ports: Unix sockets qemu connects to as a client.
// status carries the init's protocol lines ("rwlab ready 1.93", "rwlab mglru 0x0007", "rwlab exit 0",
// "rwlab fail ...", "rwlab timeout"); stdout and stderr carry the command's streams, apart from kernel messages.
import net from 'node:net';
import path from 'node:path';

/** One status line from the guest, with the host time it arrived. */
export interface StatusEvent {
  word: string;
  rest: string;
  atMs: number;
}

/** The listening sockets and what arrived on them. */
export interface GuestChannels {
  paths: { status: string; stdout: string; stderr: string };
  /** Closes every socket; safe to call twice. */
  close(): Promise<void>;
}

/** Parses one status line ("rwlab exit 0"); undefined for anything else. */
export function parseStatusLine(line: string): { word: string; rest: string } | undefined {
  const m = /^rwlab (\w+)(?: (.*))?$/.exec(line.trim());
  return m ? { word: m[1] as string, rest: (m[2] ?? '').trim() } : undefined;
}

/** Listens on three sockets in `dir`; calls back with stream chunks and status events as they arrive. */
export async function openGuestChannels(dir: string, on: {
  status: (ev: StatusEvent) => void;
  stdout: (chunk: Buffer) => void;
  stderr: (chunk: Buffer) => void;
}): Promise<GuestChannels> {
  const servers: net.Server[] = [];
  const sockets: net.Socket[] = [];
  const listen = async (file: string, onConn: (s: net.Socket) => void): Promise<void> => {
    const server = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
      onConn(s);
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => resolve());
    });
  };
  const paths = { status: path.join(dir, 'status.sock'), stdout: path.join(dir, 'stdout.sock'), stderr: path.join(dir, 'stderr.sock') };
  await listen(paths.status, (s) => {
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const ev = parseStatusLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (ev) on.status({ ...ev, atMs: performance.now() });
      }
    });
  });
  await listen(paths.stdout, (s) => s.on('data', on.stdout));
  await listen(paths.stderr, (s) => s.on('data', on.stderr));
  let closed = false;
  return {
    paths,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    },
  };
}
