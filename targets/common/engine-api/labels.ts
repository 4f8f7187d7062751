/** The labels that tie an engine's container to its run (what killed runs left is removed by their journals, ./clean.ts). */

/** Label with the pid of the run that made the container: for people to read, never what decides removal. */
export const OWNER_LABEL = 'isoprobe.owner';
/** Label with the run's id (host/journal.ts): the reaper removes a journalled container only if it carries its run's. */
export const RUN_LABEL = 'isoprobe.run';
