// A file-backed RemediationAudit: one JSON line per event, fsynced before the action goes on, so a record
// survives a SIGKILL of the agent between freeze and kill. Used by tests and until the store carries actions.
import fs from 'node:fs';
import path from 'node:path';
import type { ActionOutcome, ActionRecord, AuditIncidentPatch, RemediationAudit } from './audit.js';

/** One line of the journal. */
export type JournalLine =
  | { kind: 'planned'; record: ActionRecord }
  | { kind: 'finished'; id: string; outcome: ActionOutcome }
  | { kind: 'incident'; incidentId: string; patch: AuditIncidentPatch };

/** An append-only JSONL journal of actions at `file`. */
export class ActionJournal implements RemediationAudit {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  private append(line: JournalLine): void {
    const fd = fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(line)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Every line, oldest first; a torn last line (a crash mid-write) is skipped. */
  lines(): JournalLine[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: JournalLine[] = [];
    for (const l of text.split('\n')) {
      if (!l.trim()) continue;
      try {
        out.push(JSON.parse(l) as JournalLine);
      } catch {
        /* torn line */
      }
    }
    return out;
  }

  recordAction(a: ActionRecord): void {
    this.append({ kind: 'planned', record: a });
  }

  finishAction(id: string, outcome: ActionOutcome): void {
    this.append({ kind: 'finished', id, outcome });
  }

  updateIncident(incidentId: string, patch: AuditIncidentPatch): void {
    this.append({ kind: 'incident', incidentId, patch });
  }

  unfinishedActions(): ActionRecord[] {
    const planned = new Map<string, ActionRecord>();
    for (const l of this.lines()) {
      if (l.kind === 'planned') planned.set(l.record.id, l.record);
      else if (l.kind === 'finished') planned.delete(l.id);
    }
    return [...planned.values()];
  }
}
