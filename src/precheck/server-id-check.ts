import type { ReplicaListing } from '../source/mysql/replica-list.js';
import { fail, pass, warn, type CheckResult } from './check.js';

const ID = 'source.server_id';
const FIX = 'give this job its own name (its server id is derived from it when source.serverId is omitted) or its own source.serverId.';

/**
 * Two readers with one server id cannot both stream: the server ends the older dump when the newer one
 * connects. Judged from the source's replica list only; precheck never opens a dump to try the id.
 */
export function serverIdCheck(serverId: number, listing: ReplicaListing, grantHint: string): CheckResult {
  const title = `Server id ${serverId} unused by other replicas`;
  if (!listing.listed) {
    return warn(ID, title, `cannot check: ${listing.statement} was refused (${listing.why})`, `${grantHint} lets precheck see which server ids are taken; otherwise make sure no other replica or job uses ${serverId}.`);
  }
  const other = listing.replicas.find((r) => r.serverId === serverId);
  if (other) {
    const host = other.host ? `host "${other.host}"` : 'no report host';
    return fail(
      ID,
      title,
      `another replica (${host}) is connected with server id ${serverId}, and the server ends the older of two binlog streams with one id: ${FIX}`,
      FIX,
    );
  }
  return pass(ID, title, `not among the ${listing.replicas.length} replica(s) the source lists`);
}
