/**
 * Runs a long-lived service: one clear line and a non-zero exit when it cannot start (no stack for a
 * configuration or database problem), and a clean stop on SIGINT/SIGTERM.
 */
export function runService(name: string, start: () => Promise<{ close(): Promise<void> }>): void {
  start().then(
    (service) => {
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        service.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e: unknown) => {
      console.error(`${name}: cannot start: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
