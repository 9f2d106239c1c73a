/**
 * Thread-ids of the protocol over a Target's threads: which of ours a
 * packet names, and which vCont action applies to us.
 */
import type { Target } from '../target/types.js';
import { PacketError } from './packet-error.js';
import { parseThreadId } from './stop-reply.js';

/**
 * A thread-id of the protocol ([pPID.]TID, -1 all, 0 any) as one of our
 * tids: 'any' for -1/0 (or a pid alone), undefined for none of ours.
 */
export async function threadOf(t: Target, id: string): Promise<number | 'any' | undefined> {
  const { pid, tid } = parseThreadId(id);
  if (pid !== undefined && pid !== -1 && pid !== 0 && pid !== t.pid) return undefined;
  if (tid === undefined || tid === -1 || tid === 0) return 'any';
  // the thread gdb names at every step: no need to list them all
  if (t.state === 'stopped' && tid === t.selectedThread) return tid;
  return (await t.threads()).some((x) => x.tid === tid) ? tid : undefined;
}

/**
 * The action of vCont;action[:thread]... that applies to our process, and
 * the thread it names (undefined: any). The first action that applies wins;
 * a thread-specific step beats a default continue.
 */
export async function chooseVContAction(t: Target, arg: string): Promise<{ action: string; tid: number | undefined }> {
  let chosen: string | undefined;
  let chosenTid: number | undefined;
  for (const item of arg.split(';')) {
    const [action, thread] = item.split(':');
    if (!action) throw new PacketError(22, 'empty vCont action');
    let tid: number | 'any' | undefined = 'any';
    if (thread !== undefined) {
      tid = await threadOf(t, thread);
      if (tid === undefined) continue;
    }
    if (chosen === undefined || (/^[sS]/.test(action) && !/^[sS]/.test(chosen))) {
      chosen = action;
      chosenTid = tid === 'any' ? undefined : tid;
    }
  }
  if (!chosen) throw new PacketError(22, 'vCont names no action for our thread');
  return { action: chosen, tid: chosenTid };
}
