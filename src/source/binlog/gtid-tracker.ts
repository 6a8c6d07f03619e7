/**
 * The GTID state at the stream's position: the seed captured before the snapshot (or saved in the
 * checkpoint) plus every transaction committed since, in the server's own notation (a MySQL GTID set
 * `uuid:1-5,…` or a MariaDB position `domain-server-seq,…`). zongji keeps no exact set for a mid-file
 * file/position start, so sluice keeps its own with zongji's exported models.
 */
import { GtidSet, MariadbGtidPosition } from '@vlasky/zongji';

interface GtidModel {
  toString(): string;
}

const MARIADB_GTID = /^(\d+)-(\d+)-(\d+)$/;

export class GtidTracker {
  private model: GtidModel | null;
  private readonly mariadb: boolean;

  /** `seed` is the GTID state at the start position ('' or null when unknown / GTID off). */
  constructor(seed: string | null, mariadb: boolean) {
    this.mariadb = mariadb;
    this.model = null;
    if (seed) {
      try {
        this.model = mariadb ? MariadbGtidPosition.parse(seed) : GtidSet.parse(seed);
      } catch {
        this.model = null;
      }
    }
  }

  /**
   * A transaction with this GTID committed. Without a seed nothing is tracked: a MySQL set built from the
   * stream alone would claim less than the server executed, and a resume by GTID would replay history.
   */
  committed(gtid: string | null): void {
    if (!gtid || !this.model) return;
    if (this.mariadb) {
      const m = MARIADB_GTID.exec(gtid);
      if (!m) return;
      (this.model as MariadbGtidPosition).add({ domainId: Number(m[1]), serverId: Number(m[2]), seqNo: m[3] as string });
    } else {
      (this.model as GtidSet).add(gtid);
    }
  }

  /** The state as text, or null when there is none. */
  get value(): string | null {
    const s = this.model?.toString() ?? '';
    return s === '' ? null : s;
  }
}
