/**
 * Crash-recovery records of running egress jobs: one small JSON file per job under the spool
 * directory (`<spoolDir>/<egress_id>.job.json`), written (async, write-then-rename) when the job
 * starts and again when its file is known, removed at the job's end. A process killed with
 * `kill -9` leaves them behind; the next `EgressService.start()` reads them ({@link JobJournal.read})
 * and reports each job as ended.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What the journal knows about one running job. */
export type JobRecord = {
  egressId: string;
  roomName: string;
  roomId: string;
  /** The redacted TrackEgressRequest, protobuf JSON. */
  request: unknown;
  /** The request's own webhook targets (url, signingKey), so the report reaches them. */
  webhooks: { url: string; signingKey: string }[];
  /** EgressInfo.started_at, Unix ns (decimal string). */
  startedAt: string;
  /** Set once the file is known (or the WebSocket connected: its URL, redacted). */
  output?:
    | { kind: 'local'; filename: string; path: string }
    | { kind: 's3'; filename: string; spoolPath: string }
    | { kind: 'websocket'; url: string };
  /** FileInfo.started_at (first packet), Unix ns (decimal string); set at ACTIVE. */
  mediaStartedAt?: string;
  /** The process that runs the job (set by {@link JobJournal.write}): see {@link JobJournal.read}. */
  owner?: ProcessIdentity;
};

/** A process, told apart from a later one with the same pid by its start time. */
export type ProcessIdentity = {
  host: string;
  pid: number;
  /** Start time in clock ticks after boot (`/proc/<pid>/stat` field 22, proc(5)); absent off Linux. */
  startTicks?: string;
};

/** A `.tmp` older than this is what a process killed mid-write left, ms. */
const STALE_TMP_MS = 60_000;

/** `/proc/<pid>/stat` field 22 (starttime), or undefined (no such process, or no /proc). */
async function startTicksOf(pid: number): Promise<string | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is parenthesised and may hold spaces: count fields after its closing paren.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let self: Promise<ProcessIdentity> | undefined;
/** This process. */
function selfIdentity(): Promise<ProcessIdentity> {
  self ??= startTicksOf(process.pid).then((startTicks) => ({ host: hostname(), pid: process.pid, startTicks }));
  return self;
}

/**
 * Whether the record's process is another process still running on this host: same host, not us,
 * and a process with its pid and start time exists (pid alone where /proc is missing).
 */
async function runsElsewhere(owner: ProcessIdentity | undefined): Promise<boolean> {
  const me = await selfIdentity();
  if (!owner || owner.host !== me.host || owner.pid === me.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: gone
  }
  if (owner.startTicks === undefined) return true;
  return (await startTicksOf(owner.pid)) === owner.startTicks;
}

const SUFFIX = '.job.json';

/** The journal directory of one service (its spool directory). */
export class JobJournal {
  constructor(readonly dir: string) {}

  /** Writes (or replaces) the record of a job. Private to the owner (mode 0600: it names webhook keys). */
  async write(record: JobRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.pathOf(record.egressId);
    const tmp = `${path}.tmp`;
    await writeFile(tmp, JSON.stringify({ ...record, owner: await selfIdentity() }), { mode: 0o600 });
    await rename(tmp, path);
  }

  /** Forgets a job (its end was reported). */
  async remove(egressId: string): Promise<void> {
    await rm(this.pathOf(egressId), { force: true });
  }

  /**
   * `leftovers`: the records a killed process left behind; unreadable ones are skipped (and
   * removed). `live`: records of a process still running on this host (another service given the
   * same spool directory), left alone. A record from another host cannot be checked and counts as
   * a leftover (a worker moved to a new host with its volume).
   */
  async read(): Promise<{ leftovers: JobRecord[]; live: JobRecord[] }> {
    const out = { leftovers: [] as JobRecord[], live: [] as JobRecord[] };
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return out;
    }
    for (const n of names) {
      if (n.endsWith(`${SUFFIX}.tmp`)) await this.removeIfStale(join(this.dir, n));
      if (!n.endsWith(SUFFIX)) continue;
      let rec: JobRecord;
      try {
        rec = JSON.parse(await readFile(join(this.dir, n), 'utf8')) as JobRecord;
      } catch {
        await rm(join(this.dir, n), { force: true });
        continue;
      }
      ((await runsElsewhere(rec.owner)) ? out.live : out.leftovers).push(rec);
    }
    return out;
  }

  /** A half-written record of a killed process (not one being written by a live one right now). */
  private async removeIfStale(path: string): Promise<void> {
    try {
      if (Date.now() - (await stat(path)).mtimeMs > STALE_TMP_MS) await rm(path, { force: true });
    } catch {
      // gone meanwhile
    }
  }

  private pathOf(egressId: string): string {
    return join(this.dir, `${egressId}${SUFFIX}`);
  }
}
