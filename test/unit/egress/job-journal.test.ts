// The job journal across processes: the records of another track-egress process still running on
// this host (two services given one spool directory) are not leftovers; once it is killed they
// are. Real child processes, real /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { JobJournal, type JobRecord } from '../../../src/egress/job-journal.js';

const record = (egressId: string): JobRecord => ({ egressId, roomName: 'r', roomId: '', request: {}, webhooks: [], startedAt: '1' });
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function spoolDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'te-journal-'));
  dirs.push(d);
  return d;
}

/** Another Node process writing a job record through JobJournal, then staying alive. */
async function otherProcessWrites(dir: string, egressId: string): Promise<ChildProcess> {
  const script = `import { JobJournal } from './src/egress/job-journal.ts';
await new JobJournal(${JSON.stringify(dir)}).write(${JSON.stringify(record(egressId))});
process.stdout.write('written\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('written') && resolve());
    child.once('exit', (code) => reject(new Error(`writer exited ${code}`)));
  });
  return child;
}

describe('JobJournal across processes', () => {
  it('a running process\'s records are live, not leftovers; after kill -9 they are leftovers', async () => {
    const dir = spoolDir();
    const child = await otherProcessWrites(dir, 'EG_other');
    await new JobJournal(dir).write(record('EG_mine')); // this process: a leftover of a previous us
    const rec = JSON.parse(readFileSync(join(dir, 'EG_other.job.json'), 'utf8')) as JobRecord;
    expect(rec.owner).toMatchObject({ host: hostname(), pid: child.pid });

    const before = await new JobJournal(dir).read();
    expect(before.live.map((r) => r.egressId)).toEqual(['EG_other']);
    expect(before.leftovers.map((r) => r.egressId)).toEqual(['EG_mine']);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const after = await new JobJournal(dir).read();
    expect(after.live).toEqual([]);
    expect(after.leftovers.map((r) => r.egressId).sort()).toEqual(['EG_mine', 'EG_other']);
  });

  it('a reused pid (same pid, other start time), another host, or no owner (older records): leftovers', async () => {
    const dir = spoolDir();
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    const stat = readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8');
    const realTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    const write = (id: string, owner?: JobRecord['owner']) => writeFileSync(join(dir, `${id}.job.json`), JSON.stringify({ ...record(id), owner }));
    write('EG_reused', { host: hostname(), pid: sleeper.pid!, startTicks: String(Number(realTicks) - 1) });
    write('EG_remote', { host: `${hostname()}-elsewhere`, pid: sleeper.pid!, startTicks: realTicks });
    write('EG_old');
    write('EG_alive', { host: hostname(), pid: sleeper.pid!, startTicks: realTicks });
    const got = await new JobJournal(dir).read();
    expect(got.live.map((r) => r.egressId)).toEqual(['EG_alive']);
    expect(got.leftovers.map((r) => r.egressId).sort()).toEqual(['EG_old', 'EG_remote', 'EG_reused']);
  });
});
