/**
 * Crash-recovery records of running egress jobs: one small JSON file per job under the spool
 * directory (`<spoolDir>/<egress_id>.job.json`), written (async, write-then-rename) when the job
 * starts and again when its file is known, removed at the job's end. A process killed with
 * `kill -9` leaves them behind; the next `EgressService.start()` reads them ({@link readLeftovers})
 * and reports each job as ended.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
};

const SUFFIX = '.job.json';

/** The journal directory of one service (its spool directory). */
export class JobJournal {
  constructor(readonly dir: string) {}

  /** Writes (or replaces) the record of a job. Private to the owner (mode 0600: it names webhook keys). */
  async write(record: JobRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.pathOf(record.egressId);
    const tmp = `${path}.tmp`;
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, path);
  }

  /** Forgets a job (its end was reported). */
  async remove(egressId: string): Promise<void> {
    await rm(this.pathOf(egressId), { force: true });
  }

  /** The records a killed process left behind; unreadable ones are skipped (and removed). */
  async readLeftovers(): Promise<JobRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: JobRecord[] = [];
    for (const n of names) {
      if (n.endsWith(`${SUFFIX}.tmp`)) await rm(join(this.dir, n), { force: true });
      if (!n.endsWith(SUFFIX)) continue;
      try {
        out.push(JSON.parse(await readFile(join(this.dir, n), 'utf8')) as JobRecord);
      } catch {
        await rm(join(this.dir, n), { force: true });
      }
    }
    return out;
  }

  private pathOf(egressId: string): string {
    return join(this.dir, `${egressId}${SUFFIX}`);
  }
}
