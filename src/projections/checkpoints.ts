// Checkpoints moved to src/consumers/. This re-export only keeps
// src/graphql/read-your-writes.ts building while another branch rewrites it;
// delete it once that file imports from ../consumers/checkpoints.ts.
export { readCheckpoints } from "../consumers/checkpoints.ts";
