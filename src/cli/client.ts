// The CLI's side of the API: a call, and what its answer means for the exit code.

export interface ApiAnswer {
  status: number;
  body: unknown;
  text: string;
}

export class ApiRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export interface ApiClient {
  get(path: string): Promise<ApiAnswer>;
  post(path: string, body: unknown): Promise<ApiAnswer>;
  /** The service's base URL (for links the CLI prints). */
  readonly url: string;
}

export function createApiClient(url: string, token: string, timeoutMs = 30_000): ApiClient {
  async function call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    let res: Response;
    try {
      res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const c = (err as { cause?: { code?: string; message?: string } }).cause;
      const cause = c?.code ?? c?.message ?? (err as Error).message;
      throw new ApiRefused(0, 'unreachable', `cannot reach ${url} (${cause})`, null);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      parsed = null;
    }
    if (res.status >= 400) {
      const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiRefused(res.status, err?.code ?? `http_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText), parsed);
    }
    return { status: res.status, body: parsed, text };
  }
  return { url, get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}
