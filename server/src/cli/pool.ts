/**
 * A small worker-thread pool: each worker answers every `{ id, task }`
 * message with one `{ id, result }` message. Each worker holds many tasks
 * at a time (`IN_FLIGHT`), so it never waits for this thread to take a
 * result before it starts the next task; results come back in task order.
 */
import { parentPort, Worker } from 'node:worker_threads';

export interface PoolOptions {
  /** The worker's entry file. */
  script: string;
  /** Passed to each worker as `workerData`. */
  workerData: unknown;
  /** How many workers at most. */
  jobs: number;
  /** Turns what a worker sent into the task's result (default: as sent). */
  decode?: (sent: unknown) => unknown;
  /** Called after each task with the number finished, and that task's index and result. */
  onResult?: (done: number, index: number, result: unknown) => void;
  /** Whether the promise's array holds the results (default); false when `onResult` takes them, so none is held longer. */
  collect?: boolean;
}

/**
 * Tasks each worker holds at once: while it works on one, the next ones wait in its queue. The thread
 * that hands them out also takes in the results and may be busy for a while (a language server answers
 * requests in between): a deep queue keeps the workers busy meanwhile (at ~2 ms a file, 256 files). The
 * cost is at the end, when one worker may still hold that many tasks while the other has none.
 */
const IN_FLIGHT = 256;

interface Request<T> {
  id: number;
  task: T;
}

interface Response<R> {
  id: number;
  result: R;
}

export function runInWorkers<T, R>(tasks: T[], options: PoolOptions): Promise<R[]> {
  if (tasks.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const results = new Array<R>(tasks.length);
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    const stopAll = () => workers.forEach((w) => void w.terminate());
    const fail = (error: Error) => {
      stopAll();
      reject(error);
    };
    const feed = (worker: Worker) => {
      if (next >= tasks.length) return;
      const request: Request<T> = { id: next, task: tasks[next] };
      next += 1;
      worker.postMessage(request);
    };
    for (let i = 0; i < Math.min(options.jobs, tasks.length); i += 1) {
      const worker = new Worker(options.script, { workerData: options.workerData });
      workers.push(worker);
      worker.on('message', ({ id, result: sent }: Response<unknown>) => {
        const result = (options.decode ? options.decode(sent) : sent) as R;
        if (options.collect !== false) results[id] = result;
        done += 1;
        options.onResult?.(done, id, result);
        if (done < tasks.length) return feed(worker);
        stopAll();
        resolve(results);
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (done < tasks.length) fail(new Error(`a worker thread stopped early (exit code ${code})`));
      });
    }
    // Round-robin, so that small runs still spread over every worker.
    for (let k = 0; k < IN_FLIGHT; k++) for (const worker of workers) feed(worker);
  });
}

/** The worker's side: answer each task with `handle(task)`. */
export function serveTasks<T, R>(handle: (task: T) => R): void {
  parentPort?.on('message', ({ id, task }: Request<T>) => {
    const response: Response<R> = { id, result: handle(task) };
    parentPort?.postMessage(response);
  });
}
