import type { Logger } from '../logger.ts';
import type { Services } from '../services/index.ts';

/** What every request carries: the services and a logger tagged with its request id. */
export interface AppEnv {
  Variables: {
    services: Services;
    log: Logger;
    requestId: string;
  };
}
