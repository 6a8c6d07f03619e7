/** piscina worker of the format benchmark: each task encodes one block of generated rows. */
import { encodeBlock, makeRows, type BlockTask } from './encode-block.js';

const rows = makeRows(1024);

export default function run(task: BlockTask): number {
  return encodeBlock(task, rows);
}
