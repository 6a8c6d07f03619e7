/**
 * How the record-id space is cut: the snapshot planner gives each chunk its own range (source/snapshot) and the
 * binlog path starts above every range the snapshot reserved (state/record-ids.ts), so the rule lives
 * here, below both.
 */

/**
 * Ids reserved per chunk. A chunk holds at most its planned row count plus rows inserted into its range
 * during the snapshot; 2^32 leaves room for any of that while 2^53 still allows 2M chunks.
 */
export const IDS_PER_CHUNK = 2 ** 32;
